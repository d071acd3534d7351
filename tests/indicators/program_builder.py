"""A small builder for a program in a known state, so each test states only the rows it is about."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, text

from tasks.indicators.compute import compute_period
from tasks.sms.calendar import week_for
from warehouse.db import make_engine
from warehouse.schema import (
    beneficiaries,
    indicator_value,
    ingest_batch,
    loans,
    metadata,
    repayments,
    sms_optout,
    sms_outbox,
    training_attendance,
    training_sessions,
)

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"
# A three-week campaign keeps weekly-reach fixtures small: sends on 4, 11 and 18 November 2019 at 08:00.
TEST_CAMPAIGNS = 'send_time: "08:00"\ncampaigns:\n  "2019-2020": {start: 2019-11-04, weeks: 3}\n'


def _day(value: str | date | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _moment(value: str | datetime | None) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class Loan:
    """A loan just created, so a test can chain its repayments."""

    def __init__(self, program: Program, loan_id: str) -> None:
        self.program, self.loan_id, self._seq = program, loan_id, 0

    def repaid(self, principal: float, on: str, batch: int | None = None) -> Loan:
        self._seq += 1
        self.program.insert(
            repayments,
            batch,
            loan_id=self.loan_id,
            paid_on=_day(on),
            seq=self._seq,
            principal_xof=principal,
            interest_xof=0,
        )
        return self


class Program:
    """The warehouse of a program in a known state, filled row by row from a test."""

    def __init__(self, engine: Engine, config_dir: Path) -> None:
        self.engine, self.config_dir, self._rows = engine, config_dir, 0
        self.default_batch = self.batch("fixture")

    def batch(self, partner: str = "aopp", dataset: str = "beneficiaries", **columns: Any) -> int:
        """A new ingest batch; rows inserted with its id trace back to it."""
        self._rows += 1
        values = {
            "partner": partner,
            "dataset": dataset,
            "file_name": f"{partner}-{dataset}-{self._rows}.csv",
            "raw_path": f"raw/{self._rows}",
            "sha256": f"{self._rows:064d}",
            "status": "loaded",
            "started_at": datetime(2019, 1, 1, tzinfo=UTC),
            **columns,
        }
        with self.engine.begin() as conn:
            return conn.execute(insert(ingest_batch).values(values)).inserted_primary_key[0]

    def insert(self, table, batch: int | None = None, **values: Any) -> None:
        self._rows += 1
        if "batch_id" in table.c:
            values = {"batch_id": batch or self.default_batch, "source_row": self._rows, **values}
        with self.engine.begin() as conn:
            conn.execute(insert(table).values(values))

    def beneficiary(
        self,
        beneficiary_id: str,
        category: str = "producer",
        *,
        cercle: str = "San",
        gender: str = "F",
        phone_valid: bool = True,
        sms_consent: bool = True,
        registered_on: str | None = "2019-01-15",
        operator: str | None = None,
        batch: int | None = None,
    ) -> None:
        self.insert(
            beneficiaries,
            batch,
            beneficiary_id=beneficiary_id,
            category=category,
            cercle=cercle,
            gender=gender,
            phone_valid=phone_valid,
            phone="+22376000000" if phone_valid else None,
            sms_consent=sms_consent,
            registered_on=_day(registered_on),
            operator=operator,
            language="fr",
        )

    def session(
        self,
        session_id: str,
        held_on: str,
        audience: str = "producer",
        module: str = "sesame_market",
        batch: int | None = None,
    ) -> None:
        self.insert(
            training_sessions,
            batch,
            session_id=session_id,
            module=module,
            audience=audience,
            held_on=_day(held_on),
        )

    def attended(self, session_id: str, beneficiary_id: str, batch: int | None = None) -> None:
        self.insert(training_attendance, batch, session_id=session_id, beneficiary_id=beneficiary_id)

    def loan(
        self,
        loan_id: str,
        principal: float,
        maturity: str,
        disbursed: str = "2019-03-01",
        mfi: str = "soro_yiriwaso",
        crop: str = "sesame",
        borrower: str = "OP1",
        batch: int | None = None,
    ) -> Loan:
        self.insert(
            loans,
            batch,
            loan_id=loan_id,
            borrower_id=borrower,
            mfi_id=mfi,
            crop=crop,
            principal_xof=principal,
            monthly_rate=0.0125,
            disbursed_on=_day(disbursed),
            maturity_on=_day(maturity),
        )
        return Loan(self, loan_id)

    def message(
        self,
        week: int,
        beneficiary_id: str,
        status: str,
        final_at: str | None = None,
        operator: str = "orange",
        campaign: str = "2019-2020",
    ) -> str:
        send_at = week_for(campaign, week, self.config_dir).send_at
        message_id = f"{campaign}-w{week}-{beneficiary_id}"
        self.insert(
            sms_outbox,
            message_id=message_id,
            campaign=campaign,
            week=week,
            beneficiary_id=beneficiary_id,
            phone="+22376000000",
            operator=operator,
            language="fr",
            body="Sésame",
            encoding="GSM-7",
            segments=1,
            scheduled_at=send_at,
            status=status,
            attempts=1,
            queued_at=send_at.replace(tzinfo=UTC),
            final_at=_moment(final_at),
        )
        return message_id

    def opted_out(self, beneficiary_id: str, at: str) -> None:
        self.insert(sms_optout, beneficiary_id=beneficiary_id, opted_out_at=_moment(at), source="stop_reply")

    def compute(self, period: str) -> int:
        return compute_period(self.engine, period, config_dir=self.config_dir)

    def indicator(self, indicator: str, period: str, compute: bool = True, **disaggregation: Any):
        """The stored value of one indicator (the total unless a disaggregation is given), computed first."""
        if compute:
            self.compute(period)
        key = json.dumps(disaggregation, sort_keys=True, ensure_ascii=False)
        with self.engine.connect() as conn:
            return conn.execute(
                select(indicator_value).where(
                    indicator_value.c.indicator == indicator,
                    indicator_value.c.period == period,
                    indicator_value.c.disaggregation == key,
                )
            ).one()


def two_trained_in_may(program: Program) -> Program:
    """Two producers trained in May 2019, the period's values (201903B) computed."""
    for producer in ("P1", "P2"):
        program.beneficiary(producer)
        program.attended("S1", producer)
    program.session("S1", held_on="2019-05-10")
    program.compute("201903B")
    return program


def campaign_without_week_2(program: Program) -> Program:
    """The 3-week test campaign (4–25 Nov 2019): two subscribers, week 2 not broadcast, 201906B computed."""
    for producer in ("P1", "P2"):
        program.beneficiary(producer)
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P2", "delivered", final_at="2019-11-04 09:00", operator="malitel")
    program.message(3, "P1", "undelivered", final_at="2019-11-18 09:00")
    program.compute("201906B")
    return program


def make_program(tmp_path: Path, engine: Engine | None = None) -> Program:
    """A program on `engine`'s warehouse (empty, schema in place), else on a new tmp SQLite file; either way
    with the repo's catalogue and a three-week test campaign."""
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    for name in ("indicators.yaml", "program.yaml"):
        shutil.copy(REPO_CONFIG / name, config_dir / name)
    (config_dir / "campaigns.yaml").write_text(TEST_CAMPAIGNS, encoding="utf-8")
    if engine is None:
        engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
        metadata.create_all(engine)
    return Program(engine, config_dir)


def emptied(engine: Engine) -> Engine:
    """The same PostgreSQL warehouse with every row gone and every id counter back at 1.

    DELETE, child tables first, rather than TRUNCATE: on a few rows it takes 0.05 s, TRUNCATE 0.35 s."""
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
        for sequence in conn.scalars(text("SELECT sequence_name FROM information_schema.sequences")):
            conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    return engine
