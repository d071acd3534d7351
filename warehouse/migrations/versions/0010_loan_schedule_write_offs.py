"""loans.written_off_on and loans.restructured_on; the loan_schedule table (instalments of each loan)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 12:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Two nullable dates on loans (existing loans are neither written off nor rescheduled), one new table."""
    op.add_column("loans", sa.Column("written_off_on", sa.Date(), nullable=True))
    op.add_column("loans", sa.Column("restructured_on", sa.Date(), nullable=True))
    op.create_table(
        "loan_schedule",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("principal_due_xof", sa.Float(), nullable=False),
        sa.Column("interest_due_xof", sa.Float(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batch.batch_id"], name=op.f("fk_loan_schedule_batch_id_ingest_batch")
        ),
        sa.PrimaryKeyConstraint("loan_id", "seq", name=op.f("pk_loan_schedule")),
    )


def downgrade() -> None:
    """Drop the table and the two columns (SQLite 3.35+ and PostgreSQL both drop a column in place)."""
    op.drop_table("loan_schedule")
    op.drop_column("loans", "restructured_on")
    op.drop_column("loans", "written_off_on")
