"""How the MFIs service the demo's loans: instalment schedules, rescheduling and write-offs, as real books do.

Runs on its own random stream after the rest of the program is drawn, so every other file keeps its bytes."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the program calls this module once it has drawn its loans
    from tasks.generate.program import Program

Row = dict[str, Any]

SCHEDULED_SHARE = 0.35  # loans repaid in 3–6 monthly instalments rather than in one go at maturity
RESCHEDULED_SHARE = 0.7  # of the loans whose balance was paid weeks after maturity
WRITE_OFF_DAYS = 180  # an MFI writes a loan off once it is this long past due


def _months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def service_loans(program: Program, rng: random.Random) -> None:
    """Give some loans schedules, reschedule a few late ones, write off those long in default."""
    paid: dict[str, list[Row]] = defaultdict(list)
    for repayment in program.repayments:
        paid[repayment["loan_id"]].append(repayment)
    books_close = max(r["paid_on"] for r in program.repayments)  # the last day the MFI reports cover
    for loan in program.loans:
        payments = paid[loan["loan_id"]]
        months = (loan["maturity_on"].year - loan["disbursed_on"].year) * 12 + (
            loan["maturity_on"].month - loan["disbursed_on"].month
        )
        instalments = [(loan["maturity_on"], loan["principal_xof"])]
        if rng.random() < SCHEDULED_SHARE and months >= 3:
            instalments = _schedule(loan, rng.randrange(3, min(6, months) + 1), payments, program)
        elif len(payments) == 2 and rng.random() < RESCHEDULED_SHARE:
            _reschedule(loan, payments)
        unpaid = _first_unpaid(instalments, sum(p["principal_xof"] for p in payments))
        if unpaid is not None and unpaid + timedelta(days=WRITE_OFF_DAYS) <= books_close:
            loan["written_off_on"] = unpaid + timedelta(days=WRITE_OFF_DAYS)
    program.repayments = [p for payments in paid.values() for p in payments]


def _first_unpaid(instalments: list[tuple[date, float]], repaid: float) -> date | None:
    """The due date of the first instalment the repayments never fully cover, if any."""
    due_so_far = 0.0
    for due, amount in instalments:
        due_so_far += amount
        if due_so_far > repaid:
            return due
    return None


def _schedule(loan: Row, count: int, payments: list[Row], program: Program) -> list[tuple[date, float]]:
    """Monthly instalments ending at maturity; what was repaid is paid instalment by instalment, as late."""
    principal = loan["principal_xof"]
    share = round(principal / count, -3)
    amounts = [share] * (count - 1) + [principal - share * (count - 1)]
    dues = [_months_before(loan["maturity_on"], count - 1 - k) for k in range(count)]
    for seq, (due, amount) in enumerate(zip(dues, amounts, strict=True), start=1):
        program.schedules.append(
            {
                "loan_id": loan["loan_id"],
                "seq": seq,
                "due_on": due,
                "principal_due_xof": amount,
                "interest_due_xof": round(amount * loan["monthly_rate"] * seq),
            }
        )
    repaid = sum(p["principal_xof"] for p in payments)
    late = (payments[0]["paid_on"] - loan["maturity_on"]).days if payments else 0
    interest = sum(p["interest_xof"] for p in payments)
    payments.clear()
    for seq, (due, amount) in enumerate(zip(dues, amounts, strict=True), start=1):
        part = min(amount, repaid)
        if part <= 0:
            break
        repaid -= part
        payments.append(
            {
                "loan_id": loan["loan_id"],
                "paid_on": due + timedelta(days=late),
                "seq": seq,
                "principal_xof": part,
                "interest_xof": round(interest * part / principal),
            }
        )
    return list(zip(dues, amounts, strict=True))


def _reschedule(loan: Row, payments: list[Row]) -> None:
    """A loan part paid at maturity whose balance came weeks later: the MFI had rescheduled it."""
    maturity = loan["maturity_on"]
    loan["restructured_on"] = maturity + timedelta(days=10)
    loan["maturity_on"] = max(payments[-1]["paid_on"], maturity + timedelta(days=60))
