"""The loan follow-up block of the note and the evaluation report: aging and PAR30/PAR90 by MFI, formatted.

Rendered by `templates/_loans.html.j2`; a report includes the partial with `loans=loans_section(...)`."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine

from tasks.loans.follow_up import loan_follow_up
from tasks.report.labels import number, percent
from tasks.report.translations import keyed, languages

# The block's fixed words, `WORDS[lang][key]` (context `loans:<key>` in the catalogues).
WORDS = {lang: keyed("loans", lang) for lang in languages()}


def loans_section(engine: Engine, as_of: date, lang: str) -> dict[str, Any]:
    """What `_loans.html.j2` shows for `as_of` (a period's last day), numbers already in the reader's form."""
    return loans_block(loan_follow_up(engine, as_of), lang)


def loans_block(figures: dict[str, Any], lang: str) -> dict[str, Any]:
    """What `_loans.html.j2` shows for figures from `loan_follow_up` (live, or kept in a note's snapshot)."""
    as_of = date.fromisoformat(figures["as_of"])
    buckets, par = figures["aging"], figures["par"]
    words = dict(WORDS[lang])
    words["title"] = words["title"].format(day=as_of.strftime("%d/%m/%Y"))
    total = sum(row["outstanding_xof"] for row in buckets)
    return {
        "t": words,
        "empty": total == 0,
        "aging": [
            {
                "bucket": words["current"] if row["bucket"] == "current" else row["bucket"],
                "loans": number(row["loans"], lang),
                "outstanding": number(row["outstanding_xof"], lang),
                "share": percent(row["outstanding_xof"] / total if total else None, lang),
            }
            for row in buckets
        ],
        "aging_total": {
            "loans": number(sum(row["loans"] for row in buckets), lang),
            "outstanding": number(total, lang),
        },
        "par": [
            {
                "mfi": row["mfi_id"],
                "glp": number(row["gross_loan_portfolio_xof"], lang),
                "par30": percent(row["par30"], lang),
                "par90": percent(row["par90"], lang),
            }
            for row in par
            if row["gross_loan_portfolio_xof"]
        ],
    }
