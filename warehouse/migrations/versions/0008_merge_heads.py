"""merge the five branches that grew from 0001 into one head; every later migration chains from here

Revision ID: 0008
Revises: 0002, 0004, 0005, 0006, 0007
Create Date: 2026-11-29 09:00:00
"""

revision = "0008"
down_revision = ("0002", "0004", "0005", "0006", "0007")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the merge only joins the branches, so `alembic heads` names one revision."""


def downgrade() -> None:
    """Nothing to undo: going below 0008 reopens the five branches as they were."""
