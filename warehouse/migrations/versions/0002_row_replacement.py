"""row_replacement: which batch's row a corrected re-submission replaced, by dataset key

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "row_replacement",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("row_key", sa.Text(), nullable=False),
        sa.Column("old_batch_id", sa.Integer(), nullable=False),
        sa.Column("new_batch_id", sa.Integer(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["old_batch_id"],
            ["ingest_batch.batch_id"],
            name=op.f("fk_row_replacement_old_batch_id_ingest_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["new_batch_id"],
            ["ingest_batch.batch_id"],
            name=op.f("fk_row_replacement_new_batch_id_ingest_batch"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_row_replacement")),
    )
    with op.batch_alter_table("row_replacement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_row_replacement_old_batch_id"), ["old_batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_row_replacement_new_batch_id"), ["new_batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("row_replacement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_row_replacement_new_batch_id"))
        batch_op.drop_index(batch_op.f("ix_row_replacement_old_batch_id"))
    op.drop_table("row_replacement")
