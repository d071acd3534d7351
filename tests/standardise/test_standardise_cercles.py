"""Cercle names resolve to the program's spelling and the OCHA P-code, however they were typed."""

import csv

from hypothesis import given
from hypothesis import strategies as st

from malux.settings import get_settings
from tasks.standardise.cercles import resolve_cercle

CONFIG = get_settings().config_dir
with (CONFIG / "reference" / "mli_admin1_admin2_pcodes.csv").open(encoding="utf-8") as _handle:
    CERCLES = [(r["Name"], r["P-Code"]) for r in csv.DictReader(_handle) if r["Admin Level"] == "2"]


def test_the_six_program_cercles_as_partners_type_them():
    assert resolve_cercle("Ségou", CONFIG) == ("Segou", "ML0406")
    assert resolve_cercle("SAN", CONFIG) == ("San", "ML0405")
    assert resolve_cercle(" tominian ", CONFIG) == ("Tominian", "ML0407")
    assert resolve_cercle("Bla", CONFIG) == ("Bla", "ML0402")
    assert resolve_cercle("Yorosso", CONFIG) == ("Yorosso", "ML0307")


def test_barouéli_and_the_reference_spelling_baraoueli_are_one_cercle():
    assert resolve_cercle("Barouéli", CONFIG) == ("Baroueli", "ML0401")
    assert resolve_cercle("Baraoueli", CONFIG) == ("Baroueli", "ML0401")


def test_unknown_names_and_regions_are_not_cercles():
    assert resolve_cercle("Segu", CONFIG) is None
    assert resolve_cercle("Sikasso Region", CONFIG) is None
    assert resolve_cercle(None, CONFIG) is None
    assert resolve_cercle("", CONFIG) is None


@given(
    st.sampled_from(CERCLES),
    st.sampled_from([str.upper, str.lower, str.title]),
    st.sampled_from(["", " ", "-"]),
)
def test_case_spaces_and_hyphens_never_matter(cercle: tuple[str, str], case, joiner: str):
    name, pcode = cercle
    typed = f"  {joiner.join(case(name))} " if joiner == "-" else f" {case(name)}{joiner}"
    resolved = resolve_cercle(typed, CONFIG)
    assert resolved is not None and resolved[1] == pcode
