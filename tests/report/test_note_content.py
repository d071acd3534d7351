"""What the note says about each indicator: its target or that it has none, and its breakdowns, each number
checked against what the test computes from the rows it wrote."""

from __future__ import annotations

import html as htmllib
import re
from collections import Counter
from datetime import date, timedelta

import pytest

from tasks.indicators.catalogue import load_catalogue
from tasks.report.labels import formatted, number, percent
from tasks.report.note import write_note

PERIOD_END = date(2019, 12, 31)  # 201906B, November–December 2019
WEEKS_IN_PERIOD = 3  # the test campaign's three weeks all end in November
# beneficiary: (cercle, gender, operator, trained in May)
PRODUCERS = {
    "P1": ("San", "F", "orange", True),
    "P2": ("San", "M", "malitel", True),
    "P3": ("Bla", "F", "orange", True),
    "P4": ("Tominian", "F", "orange", True),
    "P5": ("Bla", "M", "malitel", False),
}
# (week, beneficiary, status, final_at, message's operator)
MESSAGES = [
    (1, "P1", "delivered", "2019-11-04 09:00", "orange"),
    (1, "P2", "delivered", "2019-11-04 09:00", "malitel"),
    (1, "P3", "undelivered", "2019-11-04 09:00", "orange"),
    (3, "P4", "delivered", "2019-11-18 09:00", "orange"),
]
# (loan, principal, maturity, mfi, crop, principal repaid before the period end)
LOANS = [
    ("L1", 1_000_000, "2019-05-30", "soro_yiriwaso", "sesame", 400_000),
    ("L2", 2_000_000, "2019-06-20", "kafo_jiginew", "rice", 0),
    ("L3", 500_000, "2020-03-01", "soro_yiriwaso", "rice", 0),
]


@pytest.fixture
def program_in_november(program):
    for pid, (cercle, gender, operator, _) in PRODUCERS.items():
        program.beneficiary(pid, cercle=cercle, gender=gender, operator=operator)
    program.session("S1", held_on="2019-05-10")
    for pid, (*_, trained) in PRODUCERS.items():
        if trained:
            program.attended("S1", pid)
    for week, pid, status, final_at, operator in MESSAGES:
        program.message(week, pid, status, final_at=final_at, operator=operator)
    for loan_id, principal, maturity, mfi, crop, repaid in LOANS:
        loan = program.loan(loan_id, principal=principal, maturity=maturity, mfi=mfi, crop=crop)
        if repaid:
            loan.repaid(repaid, on="2019-05-30")
    program.compute("201906B")
    return program


def _table(page: str, key: str) -> dict[str, list[str]]:
    """A breakdown table's body rows, keyed by their first cell."""
    table = re.search(rf'<table id="breakdown-{key}">(.*?)</table>', page, re.DOTALL).group(1)
    body = table.split("<tbody>")[1]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL) for row in re.findall(r"<tr>(.*?)</tr>", body)]
    return {htmllib.unescape(r[0]): [htmllib.unescape(c) for c in r[1:]] for r in rows}


def _note(program, tmp_path, lang="fr") -> str:
    return write_note(program.engine, "201906B", tmp_path / lang, lang, program.config_dir).read_text()


def test_producers_trained_are_shown_by_gender_and_by_cercle(program_in_november, tmp_path):
    page = _note(program_in_november, tmp_path)
    trained = [p for p in PRODUCERS.values() if p[3]]
    by_gender = Counter({"Femmes" if g == "F" else "Hommes": 0 for _, g, _, _ in trained})
    by_gender.update("Femmes" if g == "F" else "Hommes" for _, g, _, _ in trained)
    by_cercle = Counter(c for c, *_ in trained)
    assert _table(page, "producers_by_gender") == {k: [number(n, "fr")] for k, n in by_gender.items()}
    assert _table(page, "producers_by_cercle") == {k: [number(n, "fr")] for k, n in by_cercle.items()}


@pytest.mark.parametrize(("key", "position"), [("reach_by_cercle", 0), ("reach_by_operator", 2)])
def test_weekly_reach_is_shown_by_cercle_and_by_operator(program_in_november, tmp_path, key, position):
    page = _note(program_in_november, tmp_path)
    active = Counter(p[position] for p in PRODUCERS.values())
    # a recipient's cercle is the beneficiary's; its operator is the message's
    reached = Counter(
        PRODUCERS[pid][0] if position == 0 else operator
        for _, pid, status, _, operator in MESSAGES
        if status == "delivered"
    )
    expected = {}
    for group, subscribers in active.items():
        num, den = reached[group], subscribers * WEEKS_IN_PERIOD
        expected[group] = [f"{percent(num / den, 'fr')} ({number(num, 'fr')} / {number(den, 'fr')})"]
    assert _table(page, key) == expected


@pytest.mark.parametrize(("key", "position"), [("portfolio_by_mfi", 3), ("portfolio_by_crop", 4)])
def test_portfolio_and_par30_are_shown_by_mfi_and_by_crop(program_in_november, tmp_path, key, position):
    page = _note(program_in_november, tmp_path)
    outstanding, at_risk = Counter(), Counter()
    for loan in LOANS:
        left = loan[1] - loan[5]
        outstanding[loan[position]] += left
        if date.fromisoformat(loan[2]) < PERIOD_END - timedelta(days=30):
            at_risk[loan[position]] += left
    named = {"sesame": "sésame", "rice": "riz"}  # crops in French; MFIs keep their codes
    expected = {
        named.get(group, group): [
            formatted(glp, "xof", "fr"),
            f"{percent(at_risk[group] / glp, 'fr')} ({number(at_risk[group], 'fr')} / {number(glp, 'fr')})",
        ]
        for group, glp in outstanding.items()
    }
    assert _table(page, key) == expected


def test_the_breakdown_tables_follow_the_headline_and_stay_narrow(program_in_november, tmp_path):
    page = _note(program_in_november, tmp_path)
    assert page.index('id="headline"') < page.index('id="breakdowns"') < page.index('id="trends"')
    for table in re.findall(r'<table id="breakdown-.*?</table>', page, re.DOTALL):
        assert len(re.findall(r"<th[ >]", table)) <= 3  # the label and at most two figures


@pytest.mark.parametrize(("lang", "none"), [("fr", "pas de cible"), ("en", "no target")])
def test_every_indicator_shows_its_program_target_or_says_it_has_none(
    program_in_november, tmp_path, lang, none
):
    page = _note(program_in_november, tmp_path, lang)
    catalogue = load_catalogue(program_in_november.config_dir / "indicators.yaml")
    headline = page.split('id="headline"')[1].split("</section>")[0]
    for indicator in catalogue.values():
        row = re.search(
            rf'<tr data-indicator="{re.escape(htmllib.escape(indicator.name(lang)))}">\s*<td title=.*?</tr>',
            headline,
            re.DOTALL,
        ).group(0)
        target_cell = htmllib.unescape(re.findall(r'<td class="num">(.*?)</td>', row, re.DOTALL)[2])
        target = indicator.target_for({})
        unit = "count" if indicator.target_of == "numerator" else indicator.unit
        assert target_cell == (none if target is None else formatted(target, unit, lang)), indicator.id


def test_the_program_targets_are_those_of_the_catalogue(program):
    catalogue = load_catalogue(program.config_dir / "indicators.yaml")
    targets = {i: catalogue[i].target_for({}) for i in catalogue if catalogue[i].target_for({}) is not None}
    # 2 000 producers trained, 2 080 contacts, 42 campaign weeks (21 each), every subscriber reached weekly
    assert targets == {
        "trained_producers": 2000,
        "contact_coverage": 2080,
        "sms_weekly_reach": 1,
        "sms_weeks_broadcast": 42,
    }
    assert catalogue["sms_weeks_broadcast"].target_for({"campaign": "2019-2020"}) == 21


def _aging_row(page: str, bucket: str) -> list[str]:
    section = re.search(r'<section id="loans-follow-up">(.*?)</section>', page, re.DOTALL).group(1)
    row = re.search(rf"<td>{re.escape(bucket)}</td>(.*?)</tr>", section, re.DOTALL).group(1)
    return [htmllib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_the_note_shows_the_loans_aging_and_par_by_mfi_at_the_period_s_last_day(
    program_in_november, tmp_path
):
    page = _note(program_in_november, tmp_path, "fr")
    # counted from LOANS: days past due at 31/12/2019 from each maturity; outstanding = principal − repaid
    late: dict[str, list[float]] = {}
    for _, principal, maturity, *_rest, repaid in LOANS:
        days = (PERIOD_END - date.fromisoformat(maturity)).days
        bucket = "à jour" if days <= 0 else "181+" if days > 180 else "91-180" if days > 90 else "other"
        late.setdefault(bucket, []).append(principal - repaid)
    assert "Suivi des crédits au 31/12/2019" in page
    assert _aging_row(page, "&gt;180")[:2] == [
        number(len(late["181+"]), "fr"),
        number(sum(late["181+"]), "fr"),
    ]
    assert _aging_row(page, "à jour")[:2] == [
        number(len(late["à jour"]), "fr"),
        number(sum(late["à jour"]), "fr"),
    ]
    soro = [
        (p - r, (PERIOD_END - date.fromisoformat(m)).days)
        for _, p, m, mfi, _, r in LOANS
        if mfi == "soro_yiriwaso"
    ]
    par30 = sum(o for o, days in soro if days > 30) / sum(o for o, _ in soro)
    section = page.split('<section id="loans-follow-up">')[1].split("</section>")[0]
    assert f'<td>soro_yiriwaso</td><td class="num">{number(sum(o for o, _ in soro), "fr")}</td>' in section
    assert f'<td class="num">{percent(par30, "fr")}</td>' in section
