"""Dataset tables lose their batch_id index: no query reads them by batch, and every load maintained it

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-26 20:15:00
"""

from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    "beneficiaries",
    "training_sessions",
    "training_attendance",
    "loans",
    "repayments",
    "market_prices",
    "sms_delivery_reports",
)


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_batch_id", table_name=table)


def downgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_batch_id", table, ["batch_id"])
