import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.sms.encoding import (
    ESCAPE,
    GSM7,
    GSM7_BASIC,
    GSM7_EXTENSION,
    UCS2,
    analyse,
    clean_typography,
    segment_count,
    to_septets,
    ucs2_chars,
)

GSM_CHARS = sorted(GSM7_BASIC) + sorted(GSM7_EXTENSION)
TYPOGRAPHY = ["’", "«", "»", "–", "—", "\u00a0", "\u202f", "“", "”"]


def _unicode_table(real: Path) -> dict[int, str]:
    table = {}
    for line in (real / "unicode_GSM0338.TXT").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            gsm, uni = line.split("\t")[:2]
            table[int(gsm, 16)] = chr(int(uni, 16))
    return table


def _pack(septets: list[int]) -> str:
    bits = sum(s << (7 * i) for i, s in enumerate(septets))
    return bits.to_bytes(math.ceil(7 * len(septets) / 8), "little").hex()


def test_the_basic_table_matches_unicode_gsm0338_except_the_capital_c_cedilla_at_0x09(real_data):
    ours = {code: ch for ch, code in GSM7_BASIC.items()}
    theirs = {code: ch for code, ch in _unicode_table(real_data).items() if code < 0x80 and code != ESCAPE}
    assert {code: ch for code, ch in theirs.items() if code != 0x09} == {
        code: ch for code, ch in ours.items() if code != 0x09
    }
    assert (theirs[0x09], ours[0x09]) == ("ç", "Ç")  # 3GPP TS 23.038 and handsets show capital Ç


def test_the_extension_table_matches_unicode_gsm0338(real_data):
    theirs = {ch: code & 0x7F for code, ch in _unicode_table(real_data).items() if code > 0xFF}
    assert theirs == GSM7_EXTENSION


@pytest.mark.parametrize("name", ["encode_default_gsm_7bit", "encode_escaped_gsm_7bit"])
def test_septets_pack_to_the_lib3gpp23038_vectors(name, real_data):
    vectors = json.loads((real_data / "gsm0338_test_vectors_lib3gpp23038.json").read_text(encoding="utf-8"))
    vector = next(t for t in vectors["tests"] if t["test"] == name)
    assert _pack(to_septets(vector["uni_text"])) == vector["gsm_septets_packed_hex"]


def test_the_euro_sign_costs_two_septets():
    assert analyse("beträgt 42€").units == 12


@pytest.mark.parametrize("ch", list("àéèùìòÉÇ"))
def test_french_letters_in_gsm7_keep_a_message_in_gsm7(ch):
    assert analyse(f"Prix du s{ch}same").encoding == GSM7


@pytest.mark.parametrize("ch", list("âêîôûëïçœ’«»ɛɔɲŋ₽"))
def test_a_single_letter_outside_gsm7_turns_the_message_into_ucs2(ch):
    cost = analyse(f"Prix du sesame {ch}")
    assert (cost.encoding, cost.ucs2_chars) == (UCS2, (ch,))


def test_the_characters_that_forced_ucs2_are_listed_once_in_order_of_use():
    assert ucs2_chars("« ça » et « ça »") == ("«", "ç", "»")


@pytest.mark.parametrize(
    ("text", "segments"),
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("€" * 80, 1), ("€" * 81, 2)],
)
def test_gsm7_segments_are_160_alone_and_153_when_split(text, segments):
    assert segment_count(text) == segments


@pytest.mark.parametrize(("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_ucs2_segments_are_70_alone_and_67_when_split(length, segments):
    assert segment_count("ɛ" * length) == segments


def test_an_escape_pair_is_never_split_across_two_parts():
    assert segment_count("a" * 152 + "€" + "a" * 152) == 3  # 306 septets, but € cannot start at the 153rd


def test_an_empty_message_still_costs_one_segment():
    assert segment_count("") == 1


def test_clean_typography_replaces_french_typography_with_gsm7_equivalents():
    text = "«\u00a0Stockez\u00a0»\u00a0: l’huile – ou — pas"
    assert clean_typography(text) == '"Stockez" : l\'huile - ou - pas'


def test_clean_typography_keeps_letters_whose_accent_carries_meaning():
    assert clean_typography("Récolte à côté, ça") == "Récolte à côté, ça"


gsm_text = st.text(alphabet=st.sampled_from(GSM_CHARS), max_size=500)
any_text = st.text(max_size=400)


@given(gsm_text)
def test_gsm7_text_units_are_its_septets(text):
    cost = analyse(text)
    assert cost.encoding == GSM7
    assert cost.units == len(to_septets(text))


@given(gsm_text)
def test_gsm7_text_fits_one_segment_exactly_when_it_has_at_most_160_septets(text):
    assert (segment_count(text) == 1) == (len(to_septets(text)) <= 160)


@given(any_text)
def test_segments_always_hold_the_whole_text(text):
    cost = analyse(text)
    part = 153 if cost.encoding == GSM7 else 67
    assert cost.segments == 1 or cost.segments * part >= cost.units


@given(any_text, any_text)
def test_appending_text_never_lowers_the_cost(text, more):
    assert segment_count(text + more) >= segment_count(text)


@given(any_text)
def test_ucs2_is_used_exactly_when_some_character_is_outside_gsm7(text):
    cost = analyse(text)
    assert (cost.encoding == UCS2) == bool(cost.ucs2_chars)
    assert all(ch in text and ch not in GSM7_BASIC and ch not in GSM7_EXTENSION for ch in cost.ucs2_chars)


@given(any_text)
def test_clean_typography_is_idempotent_and_never_costs_more(text):
    cleaned = clean_typography(text)
    assert clean_typography(cleaned) == cleaned
    assert segment_count(cleaned) <= segment_count(text)


@given(st.text(alphabet=st.sampled_from(GSM_CHARS + TYPOGRAPHY), max_size=300))
def test_gsm7_text_with_french_typography_becomes_gsm7_once_cleaned(text):
    assert analyse(clean_typography(text)).encoding == GSM7


@given(gsm_text)
def test_clean_typography_leaves_gsm7_text_alone(text):
    assert clean_typography(text) == text
