"""Amounts typed with French spaces, dots or commas read as the number a person means."""

import math

from hypothesis import given
from hypothesis import strategies as st

from tasks.standardise.amounts import parse_amount, parse_amounts


def test_the_forms_partners_use():
    assert parse_amount("1 250 000") == 1_250_000
    assert parse_amount("1\u00a0250\u00a0000") == 1_250_000
    assert parse_amount("1\u202f250\u202f000") == 1_250_000
    assert parse_amount("1.250.000") == 1_250_000
    assert parse_amount("1,250,000.00") == 1_250_000
    assert parse_amount("1.250.000,50") == 1_250_000.5
    assert parse_amount("12,5") == 12.5
    assert parse_amount("500 000 FCFA") == 500_000
    assert parse_amount("-750 000") == -750_000
    assert parse_amount(43.5) == 43.5


def test_a_declared_decimal_mark_settles_ambiguous_amounts():
    assert parse_amount("1.250", decimal=",") == 1250
    assert parse_amount("1,250", decimal=".") == 1250
    assert parse_amount("0,0125", decimal=",") == 0.0125


def test_unreadable_amounts_are_none():
    for value in ["abc", "1 25O 000", "n.d.", "", None, float("nan"), "12,5,3.1.2", True]:
        assert parse_amount(value) is None, value


@given(st.integers(0, 10**12), st.sampled_from([" ", "\u00a0", "\u202f", ".", ","]))
def test_thousands_separators_of_any_kind(value: int, separator: str):
    typed = f"{value:,}".replace(",", separator)
    if separator in ".," and typed.count(separator) == 1:
        return  # one separator alone is a decimal mark by design ("12,5")
    assert parse_amount(typed) == value


@given(st.integers(0, 10**9), st.integers(1, 99))
def test_decimal_commas(units: int, cents: int):
    assert math.isclose(parse_amount(f"{units},{cents:02d}"), units + cents / 100)


@given(st.text(max_size=20))
def test_any_text_gives_a_number_or_none(text: str):
    result = parse_amount(text)
    assert result is None or isinstance(result, float)


TYPED_AMOUNTS = st.one_of(
    st.integers(0, 10**12).map(lambda v: f"{v:,}".replace(",", " ")),
    st.integers(0, 10**12).map(lambda v: f"{v:,}".replace(",", "\u00a0") + " FCFA"),
    st.integers(0, 10**12).map(lambda v: f"{v:,}".replace(",", ".")),
    st.from_regex(r"\A-?[\d ., ]{1,15}\Z"),  # any mix of digits, spaces, dots and commas
    st.text(alphabet="0123456789 .,-+OoFCAxf\u00a0", max_size=15),
    st.text(max_size=12),
    st.none(),
    st.floats(allow_nan=True),
    st.integers(),
    st.booleans(),
)


@given(st.lists(TYPED_AMOUNTS, max_size=40), st.sampled_from([None, ",", "."]))
def test_a_whole_column_reads_as_each_of_its_cells_would(cells: list, decimal: str | None):
    assert parse_amounts(cells, decimal) == [parse_amount(cell, decimal) for cell in cells]
