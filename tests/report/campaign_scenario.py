"""Two campaigns, each across two bi-months, written row by row; and what the catalogue's definitions make of
those rows, computed here in plain Python (never read back from MALUX), for the evaluation tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from program_builder import Program

# 2018-2019 sends 24 Dec, 31 Dec, 7 Jan (ends 14 Jan 2019); 2019-2020 sends 23 Dec, 30 Dec, 6 Jan, 13 Jan
# (ends 20 Jan 2020): each window spans November–December and January–February.
CAMPAIGNS = {"2018-2019": (date(2018, 12, 24), 3), "2019-2020": (date(2019, 12, 23), 4)}
CAMPAIGNS_YAML = 'send_time: "08:00"\ncampaigns:\n' + "".join(
    f'  "{name}": {{start: {start.isoformat()}, weeks: {weeks}}}\n'
    for name, (start, weeks) in CAMPAIGNS.items()
)
ACCEPTED = {"wired", "sent", "delivered", "undelivered"}

# id, cercle, operator, registered_on, sms_consent
SUBSCRIBERS = [
    ("P1", "San", "orange", "2018-01-15", True),
    ("P2", "San", "malitel", "2018-01-15", True),
    ("P3", "Bla", "orange", "2019-12-31", True),  # registered during 2019-2020: active from its week 3
    ("P4", "Bla", "malitel", "2018-01-15", False),  # no consent: never a subscriber
    ("P5", "Tominian", "orange", "2018-01-15", True),  # says STOP on 1 January 2020
]
OPTOUTS = [("P5", "2020-01-01 10:00")]
# campaign, week, beneficiary, status, final_at (the operator is the subscriber's)
MESSAGES = [
    ("2018-2019", 1, "P1", "delivered", "2018-12-24 09:00"),
    ("2018-2019", 1, "P2", "undelivered", "2018-12-24 09:00"),
    ("2018-2019", 2, "P1", "delivered", "2018-12-31 09:00"),
    ("2018-2019", 3, "P1", "delivered", "2019-01-07 09:00"),
    ("2018-2019", 3, "P5", "delivered", "2019-01-07 10:00"),
    ("2019-2020", 1, "P1", "delivered", "2019-12-23 09:00"),
    ("2019-2020", 1, "P2", "delivered", "2019-12-23 09:00"),
    ("2019-2020", 1, "P5", "delivered", "2019-12-23 09:30"),
    ("2019-2020", 2, "P1", "delivered", "2020-01-07 09:00"),  # delivered after week 3 went out: late
    ("2019-2020", 2, "P2", "wired", None),
    ("2019-2020", 3, "P1", "delivered", "2020-01-06 09:00"),
    ("2019-2020", 3, "P2", "undelivered", "2020-01-06 09:00"),
    ("2019-2020", 3, "P3", "delivered", "2020-01-06 09:00"),
    ("2019-2020", 4, "P1", "failed", None),  # never accepted: week 4 not broadcast
]
# loan id, principal, disbursed, maturity, mfi, [(principal repaid, on)]
LOANS = [
    ("L1", 1_000_000, "2019-03-01", "2019-09-30", "soro_yiriwaso", [(400_000, "2019-09-30")]),  # late since
    ("L2", 2_000_000, "2019-11-25", "2020-05-30", "soro_yiriwaso", []),
    ("L3", 1_500_000, "2019-12-27", "2020-06-30", "kafo_jiginew", [(500_000, "2020-01-10")]),
    ("L4", 800_000, "2020-01-15", "2020-07-15", "kafo_jiginew", []),
    ("L5", 600_000, "2020-02-10", "2020-08-10", "kafo_jiginew", []),  # after 2019-2020's window
    ("L6", 300_000, "2018-12-28", "2019-01-10", "kafo_jiginew", [(300_000, "2019-01-10")]),
    ("L7", 400_000, "2019-10-01", "2020-01-05", "kafo_jiginew", []),  # due, but under 30 days late at the end
]
# session, held_on, producers attending
SESSIONS = [
    ("S1", "2018-12-20", ["P1"]),
    ("S2", "2019-12-28", ["P2", "P3"]),
    ("S3", "2020-01-18", ["P1", "P5"]),
    ("S4", "2020-02-05", ["P4"]),  # after 2019-2020's window
]
# partner, rows in, rows quarantined
BATCHES = [("aopp", 100, 4), ("aopp", 50, 0), ("amassa", 40, 10)]


def build(program: Program) -> Program:
    """Write the scenario's rows into the program's warehouse, with the two-campaign calendar."""
    (program.config_dir / "campaigns.yaml").write_text(CAMPAIGNS_YAML, encoding="utf-8")
    for beneficiary, cercle, operator, registered, consent in SUBSCRIBERS:
        program.beneficiary(
            beneficiary, cercle=cercle, operator=operator, registered_on=registered, sms_consent=consent
        )
    for beneficiary, at in OPTOUTS:
        program.opted_out(beneficiary, at)
    operators = {s[0]: s[2] for s in SUBSCRIBERS}
    for campaign, week, beneficiary, status, final_at in MESSAGES:
        program.message(week, beneficiary, status, final_at, operators[beneficiary], campaign)
    for loan_id, principal, disbursed, maturity, mfi, repaid in LOANS:
        loan = program.loan(loan_id, principal, maturity, disbursed, mfi, borrower=f"OP-{loan_id}")
        for amount, on in repaid:
            loan.repaid(amount, on)
    for session, held_on, producers in SESSIONS:
        program.session(session, held_on)
        for producer in producers:
            program.attended(session, producer)
    for partner, rows_in, held in BATCHES:
        program.batch(partner, "loans", rows_in=rows_in, rows_quarantined=held, rows_loaded=rows_in - held)
    return program


def window(campaign: str) -> tuple[date, date]:
    """First send day, and 7 days after the last week's send day."""
    start, weeks = CAMPAIGNS[campaign]
    return start, start + timedelta(days=7 * (weeks - 1) + 7)


def _send(campaign: str, week: int) -> datetime:
    return datetime.combine(
        CAMPAIGNS[campaign][0] + timedelta(days=7 * (week - 1)), datetime.min.time()
    ).replace(hour=8)


def _d(text: str) -> date:
    return date.fromisoformat(text)


def sms(campaign: str) -> dict[str, int]:
    """Messages accepted by the gateway, and delivered, in the campaign (all inside its window)."""
    mine = [m for m in MESSAGES if m[0] == campaign]
    return {
        "sent": sum(m[3] in ACCEPTED for m in mine),
        "delivered": sum(m[3] == "delivered" for m in mine),
    }


def weeks_broadcast(campaign: str) -> int:
    return len({m[1] for m in MESSAGES if m[0] == campaign and m[3] in ACCEPTED})


def reach(campaign: str, by: str | None = None) -> dict[object, tuple[int, int]]:
    """(reached, active) per week, or per subscriber's cercle or operator summed over the campaign's weeks."""
    optout = {b: datetime.fromisoformat(at) for b, at in OPTOUTS}
    people = {s[0]: s for s in SUBSCRIBERS}
    column = {"cercle": 1, "operator": 2}
    found: dict[object, list[int]] = {}
    for week in range(1, CAMPAIGNS[campaign][1] + 1):
        send = _send(campaign, week)
        for beneficiary, *_, registered, consent in SUBSCRIBERS:
            if consent and _d(registered) <= send.date() and not (optout.get(beneficiary, send) < send):
                key = week if by is None else people[beneficiary][column[by]]
                found.setdefault(key, [0, 0])[1] += 1
        for c, w, beneficiary, status, final_at in MESSAGES:
            in_time = final_at is not None and datetime.fromisoformat(final_at) < send + timedelta(days=7)
            if (c, w) == (campaign, week) and status == "delivered" and in_time:
                key = week if by is None else people[beneficiary][column[by]]
                found.setdefault(key, [0, 0])[0] += 1
    return {k: (v[0], v[1]) for k, v in found.items()}


def loans(campaign: str) -> dict[str, object]:
    """Disbursed in the window; portfolio, PAR30 by MFI and borrowers at its end."""
    start, end = window(campaign)
    disbursed = [loan for loan in LOANS if start <= _d(loan[2]) <= end]
    outstanding, late, past_due = {}, {}, {}
    for _, principal, when, maturity, mfi, repaid in LOANS:
        if _d(when) > end:
            continue
        left = max(principal - sum(a for a, on in repaid if _d(on) <= end), 0)
        outstanding[mfi] = outstanding.get(mfi, 0) + left
        at_risk = left if left > 0 and _d(maturity) < end - timedelta(days=30) else 0
        late[mfi] = late.get(mfi, 0) + at_risk
        past_due[mfi] = past_due.get(mfi, 0) + (left if _d(maturity) <= end else 0)
    return {
        "count": len(disbursed),
        "xof": sum(loan[1] for loan in disbursed),
        "portfolio": sum(outstanding.values()),
        "par30_by_mfi": {mfi: (late[mfi], outstanding[mfi]) for mfi in outstanding},
        "past_due_by_mfi": past_due,
        "borrowers": len({loan[0] for loan in LOANS if _d(loan[2]) <= end}),
    }


def training(campaign: str) -> dict[str, int]:
    """Producers trained by the window's end (to date); sessions held inside it."""
    start, end = window(campaign)
    trained = {p for _, held, people in SESSIONS if _d(held) <= end for p in people}
    return {
        "trained": len(trained),
        "women": len(trained),  # every builder beneficiary is a woman
        "sessions": sum(start <= _d(held) <= end for _, held, _ in SESSIONS),
    }


def optouts_in(campaign: str) -> int:
    start, end = window(campaign)
    return sum(start <= datetime.fromisoformat(at).date() <= end for _, at in OPTOUTS)
