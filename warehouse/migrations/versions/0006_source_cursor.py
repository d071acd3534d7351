"""source_cursor: the last submission pulled from an API source, per asset

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-27 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_cursor",
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("asset_uid", sa.String(length=64), nullable=False),
        sa.Column("last_submission_time", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "asset_uid", name=op.f("pk_source_cursor")),
    )


def downgrade() -> None:
    op.drop_table("source_cursor")
