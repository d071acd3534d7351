"""The warehouse tables, one per canonical dataset plus the pipeline's own bookkeeping.

Alembic migrations in `warehouse/migrations/` create exactly these; keep both in step.
Every dataset row carries the `batch_id` of the ingest batch it came from and its `source_row`,
so an analyst can trace any number back to the partner file and row.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _lineage() -> list[Column]:
    # No index on batch_id: no query reads a dataset table by batch, and a million-row load paid for one
    # (migration 0007; bench/ingest_1m.py). The ledger and the quarantine are looked up by batch: indexed.
    return [
        Column("batch_id", Integer, ForeignKey("ingest_batch.batch_id"), nullable=False),
        Column("source_row", Integer, nullable=False),
    ]


ingest_batch = Table(
    "ingest_batch",
    metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=True),
    Column("partner", String(64), nullable=False),
    Column("dataset", String(64), nullable=False),
    Column("file_name", String(512), nullable=False),
    Column("raw_path", String(1024), nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("rows_in", Integer),
    Column("rows_loaded", Integer),
    Column("rows_quarantined", Integer),
    Column("status", String(16), nullable=False),  # received | loaded | rejected
    Column("error", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("ingest_batch.batch_id"), nullable=False, index=True),
    Column("source_row", Integer, nullable=False),
    Column("column_name", String(128)),
    Column("value", Text),
    Column("check_name", String(128), nullable=False),
    Column("reason", Text, nullable=False),
    Column("record", Text),  # the row as read, JSON, so the partner can be told exactly what was sent
)

beneficiaries = Table(
    "beneficiaries",
    metadata,
    Column("beneficiary_id", String(64), primary_key=True),
    Column("category", String(32), nullable=False),
    Column("name", String(256)),
    Column("org_id", String(64)),
    Column("cercle", String(64)),
    Column("cercle_pcode", String(16)),
    Column("commune", String(128)),
    Column("village", String(128)),
    Column("phone_raw", String(64)),
    Column("phone", String(16)),  # E.164 when valid, else null
    Column("phone_valid", Boolean, nullable=False),
    Column("operator", String(32)),
    Column("language", String(2)),
    Column("gender", String(1)),
    Column("sms_consent", Boolean, nullable=False),
    Column("registered_on", Date),
    *_lineage(),
)

training_sessions = Table(
    "training_sessions",
    metadata,
    Column("session_id", String(64), primary_key=True),
    Column("module", String(32), nullable=False),
    Column("audience", String(16), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("cercle", String(64)),
    Column("cercle_pcode", String(16)),
    Column("location", String(128)),
    Column("trainer_id", String(64)),
    Column("organiser", String(64)),
    *_lineage(),
)

training_attendance = Table(
    "training_attendance",
    metadata,
    Column("session_id", String(64), primary_key=True),
    Column("beneficiary_id", String(64), primary_key=True),
    Column("pre_score", Float),
    Column("post_score", Float),
    *_lineage(),
)

loans = Table(
    "loans",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("borrower_id", String(64), nullable=False),
    Column("mfi_id", String(64), nullable=False),
    Column("crop", String(16), nullable=False),
    Column("principal_xof", Float, nullable=False),
    Column("monthly_rate", Float),
    Column("disbursed_on", Date, nullable=False),
    Column("maturity_on", Date, nullable=False),
    Column("volume_kg", Float),
    *_lineage(),
)

repayments = Table(
    "repayments",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("paid_on", Date, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("principal_xof", Float, nullable=False),
    Column("interest_xof", Float),
    *_lineage(),
)

market_prices = Table(
    "market_prices",
    metadata,
    Column("observed_on", Date, primary_key=True),
    Column("market", String(128), primary_key=True),
    Column("commodity", String(64), primary_key=True),
    Column("price_type", String(16), primary_key=True),  # farmgate | wholesale | retail
    Column("cercle", String(64)),
    Column("cercle_pcode", String(16)),
    Column("price_xof_per_kg", Float, nullable=False),
    Column("source", String(64)),
    *_lineage(),
)

sms_delivery_reports = Table(
    "sms_delivery_reports",
    metadata,
    Column("message_id", String(64), primary_key=True),
    # accepted | buffered | delivered | undelivered | rejected
    Column("status", String(16), primary_key=True),
    Column("status_at", DateTime(timezone=False), primary_key=True),
    Column("gateway_message_id", String(128)),
    Column("phone", String(16)),
    Column("error_code", String(32)),
    *_lineage(),
)

sms_outbox = Table(
    "sms_outbox",
    metadata,
    Column("message_id", String(64), primary_key=True),  # "<campaign>-w<week>-<beneficiary_id>"
    Column("campaign", String(16), nullable=False),
    Column("week", Integer, nullable=False),
    Column("beneficiary_id", String(64), nullable=False),
    Column("phone", String(16), nullable=False),
    Column("operator", String(32)),
    Column("language", String(2), nullable=False),
    Column("body", Text, nullable=False),
    Column("encoding", String(8), nullable=False),  # GSM-7 | UCS-2
    Column("segments", Integer, nullable=False),
    Column("scheduled_at", DateTime(timezone=False), nullable=False),  # the campaign week's send time
    # queued -> wired (accepted by gateway) -> sent -> delivered | undelivered; errored -> failed.
    # While a sender holds a row: claimed (reserved, nothing sent) -> sending (its request may have left).
    Column("status", String(16), nullable=False),
    Column("gateway", String(32)),
    Column("gateway_message_id", String(128)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("wired_at", DateTime(timezone=True)),
    Column("final_at", DateTime(timezone=False)),
    UniqueConstraint("campaign", "week", "beneficiary_id", name="uq_sms_outbox_campaign_week_beneficiary"),
)

sms_optout = Table(
    "sms_optout",
    metadata,
    Column("beneficiary_id", String(64), primary_key=True),
    Column("opted_out_at", DateTime(timezone=False), nullable=False),
    Column("source", String(32), nullable=False),  # stop_reply | gateway
)

indicator_value = Table(
    "indicator_value",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator", String(64), nullable=False),
    Column("period", String(8), nullable=False),
    Column("disaggregation", String(256), nullable=False),  # canonical JSON object, "{}" for the total
    Column("numerator", Float),
    Column("denominator", Float),
    Column("value", Float),
    Column("target", Float),
    Column("note", Text),  # why a value is null (empty denominator, no data)
    Column("batches", Text, nullable=False),  # JSON list of ingest batch ids the value was computed from
    Column("computed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("indicator", "period", "disaggregation", name="uq_indicator_value_key"),
)

source_cursor = Table(
    "source_cursor",
    metadata,
    Column("source", String(32), primary_key=True),  # kobo
    Column("asset_uid", String(64), primary_key=True),
    Column("last_submission_time", String(32), nullable=False),  # as the source wrote it: 2019-03-01T10:12:33
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

note_issue = Table(
    "note_issue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(8), nullable=False),
    Column("version", Integer, nullable=False),  # 1, 2, … per period: a new one only when values changed
    Column("lang", String(2), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("snapshot", Text, nullable=False),  # JSON: every value and data-quality row the note shows
    Column("changes", Text, nullable=False),  # JSON list of values that differ from the previous version
    Column("html_path", String(1024), nullable=False),
    Column("pdf_path", String(1024)),  # null when no Chromium was there to print it
    UniqueConstraint("period", "version", "lang", name="uq_note_issue_period_version_lang"),
)

# Indexes the bimonthly indicators use (migration 0005; bench/indicators_scale.py measures what they pay).
Index("ix_sms_outbox_scheduled_at", sms_outbox.c.scheduled_at)
Index("ix_training_attendance_beneficiary_id", training_attendance.c.beneficiary_id)
Index("ix_loans_disbursed_on", loans.c.disbursed_on)
# The dlr-server finds an Africa's Talking report's message by the id AT gave it (migration 0004).
Index("ix_sms_outbox_gateway_message_id", sms_outbox.c.gateway_message_id)

row_replacement = Table(
    "row_replacement",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(64), nullable=False),
    Column("row_key", Text, nullable=False),  # the dataset key as a JSON object, e.g. {"loan_id": "L1"}
    Column("old_batch_id", Integer, ForeignKey("ingest_batch.batch_id"), nullable=False, index=True),
    Column("new_batch_id", Integer, ForeignKey("ingest_batch.batch_id"), nullable=False, index=True),
    Column("replaced_at", DateTime(timezone=True), nullable=False),
)

DATASET_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        beneficiaries,
        training_sessions,
        training_attendance,
        loans,
        repayments,
        market_prices,
        sms_delivery_reports,
    )
}
