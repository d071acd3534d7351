"""note_issue (versioned monitoring notes), the analyst views and the indicators' indexes

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-27 12:00:00
"""

import sqlalchemy as sa
from alembic import op

from warehouse.views import create_statements, drop_statements

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_sms_outbox_scheduled_at", "sms_outbox", ["scheduled_at"]),
    ("ix_training_attendance_beneficiary_id", "training_attendance", ["beneficiary_id"]),
    ("ix_loans_disbursed_on", "loans", ["disbursed_on"]),
)


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
    for statement in create_statements():
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_statements():
        op.execute(statement)
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_table("note_issue")
