"""Contact coverage."""

import pytest


def test_a_beneficiary_with_an_invalid_phone_is_registered_but_not_covered(program):
    program.beneficiary("P1")
    program.beneficiary("P2")
    program.beneficiary("P3", phone_valid=False)
    value = program.indicator("contact_coverage", period="201903B", category="producer")
    assert (value.numerator, value.denominator, value.target) == (2, 3, 2000)
    assert value.value == pytest.approx(2 / 3)


def test_contact_coverage_ignores_categories_without_a_target_and_later_registrations(program):
    program.beneficiary("OP1", category="producer_org")
    program.beneficiary("M1", category="mfi", phone_valid=False)
    program.beneficiary("P1", registered_on="2019-07-01", phone_valid=False)
    value = program.indicator("contact_coverage", period="201903B")
    assert (value.numerator, value.denominator, value.target) == (1, 1, 2080)


def test_a_category_with_nobody_registered_has_no_value_and_says_why(program):
    program.beneficiary("P1")
    value = program.indicator("contact_coverage", period="201903B", category="seed_company")
    assert value.value is None and value.denominator == 0 and "registered" in value.note
    assert value.target == 10
