"""note_issue (versioned monitoring notes), the analyst views and the indicators' indexes

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-27 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_sms_outbox_scheduled_at", "sms_outbox", ["scheduled_at"]),
    ("ix_training_attendance_beneficiary_id", "training_attendance", ["beneficiary_id"]),
    ("ix_loans_disbursed_on", "loans", ["disbursed_on"]),
)

# The views as they were when this revision was written, frozen: a later change to a view is a new migration.
# Each runs unchanged on SQLite and PostgreSQL; a trailing backslash only folds a long line, it adds no text.
VIEWS: dict[str, str] = {
    "mart_beneficiaries": """
SELECT b.beneficiary_id, b.category, b.org_id, b.cercle, b.cercle_pcode, b.commune, b.village,
       b.gender, b.language, b.registered_on, b.phone_valid, CASE WHEN b.phone IS NULL THEN NULL \
ELSE substr(b.phone, 1, 6) || '****' || substr(b.phone, 11, 2) END AS phone_masked,
       b.operator, b.sms_consent,
       CASE WHEN o.beneficiary_id IS NULL THEN 0 ELSE 1 END AS opted_out,
       b.batch_id, b.source_row
FROM beneficiaries b LEFT JOIN sms_optout o ON o.beneficiary_id = b.beneficiary_id
""",
    "mart_training_coverage": """
SELECT b.beneficiary_id, b.category, b.cercle, b.gender, b.registered_on,
       COUNT(s.session_id) AS sessions_attended,
       COUNT(DISTINCT s.module) AS modules_attended,
       MIN(s.held_on) AS first_trained_on,
       MAX(s.held_on) AS last_trained_on,
       CASE WHEN COUNT(s.session_id) > 0 THEN 1 ELSE 0 END AS trained
FROM beneficiaries b
LEFT JOIN training_attendance a ON a.beneficiary_id = b.beneficiary_id
LEFT JOIN training_sessions s ON s.session_id = a.session_id AND s.audience = b.category
WHERE b.category IN ('producer', 'trainer')
GROUP BY b.beneficiary_id, b.category, b.cercle, b.gender, b.registered_on
""",
    "mart_sms_messages": """
SELECT m.message_id, m.campaign, m.week, m.beneficiary_id, CASE WHEN m.phone IS NULL THEN NULL ELSE \
substr(m.phone, 1, 6) || '****' || substr(m.phone, 11, 2) END AS phone_masked,
       m.operator, m.language, m.encoding, m.segments, m.scheduled_at, m.status, m.attempts,
       m.wired_at, m.final_at
FROM sms_outbox m
""",
    "mart_sms_weekly": """
SELECT m.campaign, m.week, m.operator,
       MIN(m.scheduled_at) AS scheduled_at,
       COUNT(*) AS messages,
       SUM(CASE WHEN m.status IN ('wired', 'sent', 'delivered', 'undelivered') THEN 1 ELSE 0 END) AS accepted,
       SUM(CASE WHEN m.status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
       SUM(CASE WHEN m.status = 'failed' THEN 1 ELSE 0 END) AS failed,
       SUM(m.segments) AS segments
FROM sms_outbox m
GROUP BY m.campaign, m.week, m.operator
""",
    "mart_loan_portfolio": """
SELECT l.loan_id, l.borrower_id, l.mfi_id, l.crop, l.principal_xof, l.monthly_rate, l.disbursed_on,
       l.maturity_on, l.volume_kg,
       COALESCE(r.principal_repaid_xof, 0) AS principal_repaid_xof,
       COALESCE(r.interest_paid_xof, 0) AS interest_paid_xof,
       r.last_paid_on,
       CASE WHEN l.principal_xof - COALESCE(r.principal_repaid_xof, 0) > 0
            THEN l.principal_xof - COALESCE(r.principal_repaid_xof, 0) ELSE 0 END AS outstanding_xof,
       l.batch_id, l.source_row
FROM loans l
LEFT JOIN (
    SELECT loan_id, SUM(principal_xof) AS principal_repaid_xof, SUM(interest_xof) AS interest_paid_xof,
           MAX(paid_on) AS last_paid_on
    FROM repayments GROUP BY loan_id
) r ON r.loan_id = l.loan_id
""",
    "mart_indicator_values": """
SELECT v.indicator, v.period, v.disaggregation,
       CASE WHEN v.disaggregation = '{}' THEN 1 ELSE 0 END AS is_total,
       v.numerator, v.denominator, v.value, v.target, v.note, v.batches, v.computed_at
FROM indicator_value v
""",
}


def upgrade() -> None:
    op.create_table(
        "note_issue",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("html_path", sa.String(length=1024), nullable=False),
        sa.Column("pdf_path", sa.String(length=1024), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_issue")),
        sa.UniqueConstraint("period", "version", "lang", name="uq_note_issue_period_version_lang"),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for name, sql in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {sql.strip()}")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_table("note_issue")
