"""The warehouse tables, one per canonical dataset plus the pipeline's own bookkeeping.

The dataset tables are built from their declarations (`config/datasets/<name>.yaml`), the bookkeeping
tables are written here. Alembic migrations in `warehouse/migrations/` create exactly these: keep both in
step.
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
from sqlalchemy.types import TypeEngine

from warehouse.datasets import Dataset, DatasetError, declared_datasets

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
    Column("status", String(16), nullable=False),  # received | loaded | rejected | failed
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


def _sql_type(declared: str) -> TypeEngine:
    if declared.startswith("string("):
        return String(int(declared[len("string(") : -1]))
    return {
        "text": Text(),
        "integer": Integer(),
        "float": Float(),
        "boolean": Boolean(),
        "date": Date(),
        "datetime": DateTime(timezone=False),
    }[declared]


def _column(dataset: Dataset, name: str) -> Column:
    sql_type = _sql_type(dataset.columns[name].type)
    if name in dataset.key:
        return Column(name, sql_type, primary_key=True)
    if dataset.columns[name].nullable:
        return Column(name, sql_type)
    return Column(name, sql_type, nullable=False)


def _dataset_table(dataset: Dataset) -> Table:
    """A dataset's table as its declaration says: its columns in order (the key among them), then lineage."""
    table = Table(dataset.name, metadata, *(_column(dataset, name) for name in dataset.columns), *_lineage())
    for name, declared in dataset.columns.items():
        if declared.index:  # the indicators' lookups (migration 0005; bench/indicators_scale.py)
            Index(f"ix_{dataset.name}_{name}", table.c[name])
    return table


# One table per declared dataset (config/datasets/), in loading order.
DATASET_TABLES: dict[str, Table] = {name: _dataset_table(d) for name, d in declared_datasets().items()}
beneficiaries = DATASET_TABLES["beneficiaries"]
training_sessions = DATASET_TABLES["training_sessions"]
training_attendance = DATASET_TABLES["training_attendance"]
loans = DATASET_TABLES["loans"]
repayments = DATASET_TABLES["repayments"]
market_prices = DATASET_TABLES["market_prices"]
sms_delivery_reports = DATASET_TABLES["sms_delivery_reports"]

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

# Incoming messages (MO): every request a subscriber sent, stored once however often the gateway delivers it.
sms_inbox = Table(
    "sms_inbox",
    metadata,
    Column("inbox_id", Integer, primary_key=True, autoincrement=True),
    Column("gateway", String(32), nullable=False),  # kannel | africastalking
    Column("gateway_message_id", String(128)),  # Kannel's %I, Africa's Talking's id
    Column("sender", String(32), nullable=False),  # E.164 when the number reads as one, else as it came
    Column("receiver", String(32)),  # the short code the subscriber wrote to
    Column("text", Text, nullable=False),
    Column("received_at", DateTime(timezone=False), nullable=False),  # the gateway's time, naive UTC
    Column("keyword", String(16), nullable=False),  # price | help | stop | start | unknown
    Column("beneficiary_id", String(64)),  # the registered subscriber at that number, if any
    Column("language", String(2), nullable=False),
    # queued (a reply is in the outbox, message_id "mo-<inbox_id>") | capped ("limite atteinte" queued) | none
    Column("reply_status", String(16), nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("gateway", "gateway_message_id", name="uq_sms_inbox_gateway_message"),
    UniqueConstraint("sender", "received_at", "text", name="uq_sms_inbox_sender_time_text"),
)

# What a subscriber asked for beyond their cercle's price (`ABONNE <produit> <marché>`): a line more a week.
sms_subscription = Table(
    "sms_subscription",
    metadata,
    Column("beneficiary_id", String(64), primary_key=True),
    Column("product", String(32), primary_key=True),  # as config/sms/keywords.yaml names it
    Column("market", String(128), primary_key=True),  # a market or a cercle, as market_prices spells it
    Column("subscribed_at", DateTime(timezone=False), nullable=False),
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
    # period | to_date | at_end (config/indicators.yaml); null only on rows of a dropped indicator
    Column("aggregation", String(16)),
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


def _check_references() -> None:
    """A declared reference to any table (a dataset or sms_outbox) must name a column it has."""
    for dataset in declared_datasets().values():
        for i, ref in enumerate(dataset.references):
            table = metadata.tables.get(ref.table)
            if table is None or ref.key not in table.c or (ref.categories and "category" not in table.c):
                also = " and a category" if ref.categories else ""
                raise DatasetError(
                    f"{dataset.path}: references[{i}]: no table {ref.table!r} with {ref.key!r}{also}"
                )


_check_references()
