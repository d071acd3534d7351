"""index sms_outbox.gateway_message_id, by which the dlr-server finds an Africa's Talking report's message

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-27 14:00:00
"""

from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sms_outbox_gateway_message_id", "sms_outbox", ["gateway_message_id"])


def downgrade() -> None:
    op.drop_index("ix_sms_outbox_gateway_message_id", table_name="sms_outbox")
