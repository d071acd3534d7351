"""The demo program in canonical terms: who is registered, trained, financed, and what sesame sold for."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tasks.generate.names import (
    CERCLES,
    FAMILIES,
    MEN,
    MFIS,
    MOBILE_PREFIXES,
    MSE_NAMES,
    ORG_KINDS,
    SEED_NAMES,
    VILLAGES,
    WOMEN,
)
from tasks.generate.servicing import service_loans

Row = dict[str, Any]
MODULES = ["sesame_market", "health_standards", "nkalo_info", "sesame_quality"]
CAMPAIGNS = [date(2018, 11, 5), date(2019, 11, 4)]  # config/campaigns.yaml: 21 weekly Mondays each
WEEKS = 21
MONTHLY_RATE = 0.0125


@dataclass
class Program:
    """Every canonical row the demo files will carry, before partner layouts and defects."""

    beneficiaries: list[Row] = field(default_factory=list)
    sessions: list[Row] = field(default_factory=list)
    attendance: list[Row] = field(default_factory=list)
    loans: list[Row] = field(default_factory=list)
    repayments: list[Row] = field(default_factory=list)
    schedules: list[Row] = field(default_factory=list)
    prices: list[Row] = field(default_factory=list)


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _person(rng: random.Random) -> tuple[str, str]:
    gender = rng.choice("FFM")  # most sesame producers trained by the program are women
    first = rng.choice(WOMEN if gender == "F" else MEN)
    return f"{rng.choice(FAMILIES)} {first}", gender


def _phone(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(1_000_000):06d}"


def _register(rng: random.Random, scale: int) -> list[Row]:
    cercles = list(CERCLES)
    rows: list[Row] = []

    def add(bid: str, category: str, name: str, cercle: str, gender: str | None, **extra: Any) -> Row:
        commune = rng.choice(CERCLES[cercle]["communes"])
        row = {
            "beneficiary_id": bid,
            "category": category,
            "name": name,
            "org_id": None,
            "cercle": cercle,
            "commune": commune,
            "village": rng.choice(VILLAGES) if category == "producer" else None,
            "phone": _phone(rng),
            "language": "fr",
            "gender": gender,
            "sms_consent": rng.random() < 0.93,
            "registered_on": _day(rng, date(2018, 2, 1), date(2018, 9, 30)),
        }
        row.update(extra)
        rows.append(row)
        return row

    orgs = [
        add(f"OP{i + 1:04d}", "producer_org", f"{rng.choice(ORG_KINDS)} {commune}", cercle, None)
        for i, (cercle, commune) in enumerate(
            (cercles[i % 6], rng.choice(CERCLES[cercles[i % 6]]["communes"])) for i in range(50 * scale)
        )
    ]
    for i in range(2000 * scale):
        org = orgs[i % len(orgs)]
        name, gender = _person(rng)
        add(
            f"PR{i + 1:05d}",
            "producer",
            name,
            org["cercle"],
            gender,
            org_id=org["beneficiary_id"],
            language="bm" if rng.random() < 0.7 else "fr",
        )
    for i in range(30):
        name, gender = _person(rng)
        add(f"TR{i + 1:03d}", "trainer", name, cercles[i % 6], gender)
    for i in range(20 * scale):
        add(
            f"ME{i + 1:04d}",
            "mse",
            rng.choice(MSE_NAMES).format(rng.choice(FAMILIES)),
            rng.choice(cercles),
            None,
        )
    for i, name in enumerate(SEED_NAMES):
        add(f"SC{i + 1:02d}", "seed_company", name, rng.choice(cercles), None)
    for i, name in enumerate(MFIS):
        add(f"MFI{i + 1:02d}", "mfi", name, "Ségou", None, sms_consent=False)
    return rows


def _train(rng: random.Random, people: list[Row], program: Program) -> None:
    trainers = [p for p in people if p["category"] == "trainer"]
    producers = [p for p in people if p["category"] == "producer"]
    for i in range(4):  # trainers are trained first, by the technical assistance
        session = {
            "session_id": f"S{len(program.sessions) + 1:04d}",
            "module": MODULES[i],
            "audience": "trainer",
            "held_on": _day(rng, date(2018, 9, 3), date(2018, 9, 28)),
            "cercle": "Ségou",
            "location": "Ségou, centre AOPP",
            "trainer_id": None,
            "organiser": "AOPP",
        }
        program.sessions.append(session)
        for t in trainers:
            program.attendance.append(_attend(rng, session, t))
    rounds = [
        (producers, date(2018, 10, 1), date(2019, 6, 28)),
        ([p for p in producers if rng.random() < 0.3], date(2019, 7, 1), date(2019, 12, 13)),
    ]
    for number, (group, start, end) in enumerate(rounds):
        for cercle in CERCLES:
            local = [p for p in group if p["cercle"] == cercle and (number or rng.random() < 0.96)]
            local_trainers = [t for t in trainers if t["cercle"] == cercle]
            for chunk in range(0, len(local), 25):
                module = MODULES[(chunk // 25 + number) % 4]
                session = {
                    "session_id": f"S{len(program.sessions) + 1:04d}",
                    "module": module,
                    "audience": "producer",
                    "held_on": _day(rng, start, end),
                    "cercle": cercle,
                    "location": rng.choice(CERCLES[cercle]["communes"]),
                    "trainer_id": rng.choice(local_trainers)["beneficiary_id"],
                    "organiser": rng.choice(["AOPP", "AOPP", "AMASSA"]),
                }
                program.sessions.append(session)
                program.attendance.extend(_attend(rng, session, p) for p in local[chunk : chunk + 25])


def _attend(rng: random.Random, session: Row, person: Row) -> Row:
    scored = rng.random() < 0.6
    pre = rng.randrange(4, 14) if scored else None
    post = min(20, pre + rng.randrange(0, 8)) if pre is not None else None
    return {
        "session_id": session["session_id"],
        "beneficiary_id": person["beneficiary_id"],
        "pre_score": pre,
        "post_score": post,
    }


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def _finance(rng: random.Random, people: list[Row], program: Program) -> None:
    borrowers = [p for p in people if p["category"] in ("producer_org", "mse")]
    mfis = [p["beneficiary_id"] for p in people if p["category"] == "mfi"]
    for year in (2018, 2019):
        for borrower in borrowers:
            if rng.random() > 0.85:
                continue
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                crop = rng.choice(["sesame", "sesame", "sesame", "rice", "fonio"])
                principal = rng.randrange(10, 301) * 50_000
                disbursed = _day(rng, date(year, 10, 1), date(year, 12, 20))
                months = rng.randrange(4, 9)
                loan = {
                    "loan_id": f"AMS-{year}-{len(program.loans) + 1:04d}",
                    "borrower_id": borrower["beneficiary_id"],
                    "mfi_id": rng.choice(mfis),
                    "crop": crop,
                    "principal_xof": principal,
                    "monthly_rate": MONTHLY_RATE,
                    "disbursed_on": disbursed,
                    "maturity_on": _months_later(disbursed, months),
                    "volume_kg": round(principal / rng.randrange(250, 450), -1)
                    if rng.random() < 0.7
                    else None,
                }
                program.loans.append(loan)
                _repay(rng, loan, months, program)


def _repay(rng: random.Random, loan: Row, months: int, program: Program) -> None:
    principal, maturity = loan["principal_xof"], loan["maturity_on"]
    interest = round(principal * MONTHLY_RATE * months)
    fate = rng.random()
    if fate < 0.04:
        return  # unpaid
    if fate < 0.14:  # partial at maturity, the rest weeks later (or never)
        first = round(principal * rng.choice([0.4, 0.5, 0.6]), -3)
        payments = [(maturity, first, interest)]
        if rng.random() < 0.7:
            payments.append((maturity + timedelta(days=rng.randrange(20, 90)), principal - first, 0))
    else:
        late = rng.randrange(1, 40) if fate < 0.3 else 0
        payments = [(maturity + timedelta(days=late), principal, interest)]
    for seq, (paid_on, amount, paid_interest) in enumerate(payments, start=1):
        program.repayments.append(
            {
                "loan_id": loan["loan_id"],
                "paid_on": paid_on,
                "seq": seq,
                "principal_xof": amount,
                "interest_xof": paid_interest,
            }
        )


def _prices(rng: random.Random, program: Program) -> None:
    for start in CAMPAIGNS:
        base = 330 if start.year == 2018 else 390
        for cercle, place in CERCLES.items():
            for market in place["markets"]:
                offset = rng.randrange(-20, 21)
                for week in range(WEEKS):
                    monday = start + timedelta(days=7 * week)
                    trend = base + offset + week * rng.uniform(4.0, 8.0)
                    program.prices.append(
                        {
                            "observed_on": monday - timedelta(days=rng.choice([0, 0, 0, 1, 2])),
                            "market": market,
                            "commodity": "sesame",
                            "price_type": "farmgate",
                            "cercle": cercle,
                            "price_xof_per_kg": round(trend * 2) / 2,
                        }
                    )
        for week in (0, 8, 16):  # a few wholesale cereal prices at Ségou and San
            for market, commodity, price in (("Ségou", "rice", 340), ("San", "fonio", 420)):
                program.prices.append(
                    {
                        "observed_on": start + timedelta(days=7 * week),
                        "market": market,
                        "commodity": commodity,
                        "price_type": "wholesale",
                        "cercle": "Ségou" if market == "Ségou" else "San",
                        "price_xof_per_kg": price + rng.randrange(-15, 16),
                    }
                )


def build_program(scale: int = 1, seed: int = 2019) -> Program:
    """The whole demo program, the same for the same seed and scale."""
    rng = random.Random(seed)
    program = Program(beneficiaries=_register(rng, scale))
    _train(rng, program.beneficiaries, program)
    _finance(rng, program.beneficiaries, program)
    _prices(rng, program)
    service_loans(program, random.Random(f"{seed}-servicing"))  # its own stream: the rest keeps its draws
    return program
