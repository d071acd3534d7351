"""sms_inbox (incoming messages, stored once each), its analyst view mart_sms_inbox (sender masked), and
sms_subscription (a product and market a subscriber asked for besides their cercle's)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The view as this revision wrote it, frozen (warehouse/views.py moves on).
_MASK = "CASE WHEN {col} IS NULL THEN NULL ELSE substr({col}, 1, 6) || '****' || substr({col}, 11, 2) END"
MART_SMS_INBOX = f"""
SELECT i.inbox_id, i.gateway, {_MASK.format(col="i.sender")} AS sender_masked,
       i.receiver, i.received_at, i.keyword, i.beneficiary_id, i.language, i.reply_status,
       m.status AS reply_outbox_status
FROM sms_inbox i LEFT JOIN sms_outbox m ON m.campaign = 'mo' AND m.week = i.inbox_id
"""


def upgrade() -> None:
    op.create_table(
        "sms_inbox",
        sa.Column("inbox_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gateway", sa.String(32), nullable=False),
        sa.Column("gateway_message_id", sa.String(128), nullable=True),
        sa.Column("sender", sa.String(32), nullable=False),
        sa.Column("receiver", sa.String(32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("keyword", sa.String(16), nullable=False),
        sa.Column("beneficiary_id", sa.String(64), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("reply_status", sa.String(16), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("inbox_id", name="pk_sms_inbox"),
        sa.UniqueConstraint("gateway", "gateway_message_id", name="uq_sms_inbox_gateway_message"),
        sa.UniqueConstraint("sender", "received_at", "text", name="uq_sms_inbox_sender_time_text"),
    )
    op.create_table(
        "sms_subscription",
        sa.Column("beneficiary_id", sa.String(64), nullable=False),
        sa.Column("product", sa.String(32), nullable=False),
        sa.Column("market", sa.String(128), nullable=False),
        sa.Column("subscribed_at", sa.DateTime(timezone=False), nullable=False),
        sa.PrimaryKeyConstraint("beneficiary_id", "product", "market", name="pk_sms_subscription"),
    )
    op.execute(f"CREATE VIEW mart_sms_inbox AS {MART_SMS_INBOX.strip()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS mart_sms_inbox")
    op.drop_table("sms_subscription")
    op.drop_table("sms_inbox")
