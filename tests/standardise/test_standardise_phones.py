"""Phone numbers typed any way a partner types them end up as one E.164 number with its operator."""

from hypothesis import given
from hypothesis import strategies as st

from tasks.standardise.phones import normalise_phone, normalise_phones

OPERATOR = {"7": "Orange", "8": "Orange", "9": "Orange", "6": "Moov", "5": "Telecel"}
PREFIXES = ["70", "76", "79", "82", "83", "84", "90", "94", "60", "66", "69", "89", "95", "99", "50", "53"]


def _operator(prefix: str) -> str:
    return "Moov" if prefix in ("89", "95", "96", "97", "98", "99") else OPERATOR[prefix[0]]


def test_the_usual_forms_give_the_same_number():
    forms = [
        "76 12 34 56",
        "76123456",
        "0022376123456",
        "+223-76-12-34-56",
        "223 76123456",
        "+223 76 12 34 56",
    ]
    phones = [normalise_phone(form) for form in forms]
    assert {p.e164 for p in phones} == {"+22376123456"}
    assert all(p.valid and p.operator == "Orange" for p in phones)
    assert phones[0].raw == "76 12 34 56"


def test_a_spreadsheet_number_cell_is_read_as_digits():
    assert normalise_phone(76123456.0).e164 == "+22376123456"


def test_missing_fixed_line_and_foreign_numbers_are_not_valid_mobiles():
    assert normalise_phone(None) == normalise_phone("  ")
    assert not normalise_phone("").valid
    assert not normalise_phone("44 12 34 56").valid  # a fixed line
    assert not normalise_phone("20 22 45 67").valid
    assert not normalise_phone("+33 6 12 34 56 78").valid
    assert normalise_phone("7612345").raw == "7612345"


@given(st.sampled_from(PREFIXES), st.integers(0, 999_999), st.integers(0, 4))
def test_every_form_of_a_mobile_number_normalises_alike(prefix: str, rest: int, form: int):
    digits = f"{prefix}{rest:06d}"
    pairs = " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    typed = [pairs, digits, f"00223{digits}", "+223-" + pairs.replace(" ", "-"), f"223 {digits}"][form]
    phone = normalise_phone(typed)
    assert (phone.e164, phone.valid, phone.operator) == (f"+223{digits}", True, _operator(prefix))


@given(st.text(max_size=30))
def test_any_text_gives_an_answer_not_an_exception(text: str):
    phone = normalise_phone(text)
    assert phone.valid == (phone.e164 is not None)


@given(
    st.lists(
        st.one_of(
            st.builds(lambda p, r: f"{p} {r:06d}", st.sampled_from(PREFIXES), st.integers(0, 999_999)),
            st.text(alphabet="0123456789 +-", max_size=16),
            st.none(),
            st.floats(allow_nan=True),
        ),
        max_size=30,
    )
)
def test_a_whole_column_normalises_as_each_of_its_cells_would(cells: list):
    column = cells + cells  # repeated values come from the cache, and must not differ
    assert normalise_phones(column) == [normalise_phone(cell) for cell in column]
