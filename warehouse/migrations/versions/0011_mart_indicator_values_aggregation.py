"""mart_indicator_values shows indicator_value.aggregation (period, to_date or at_end) beside each value

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 12:20:00
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The view before and after this revision, frozen as the SQL it ran (warehouse/views.py moves on).
BEFORE = """
SELECT v.indicator, v.period, v.disaggregation,
       CASE WHEN v.disaggregation = '{}' THEN 1 ELSE 0 END AS is_total,
       v.numerator, v.denominator, v.value, v.target, v.note, v.batches, v.computed_at
FROM indicator_value v
"""
AFTER = """
SELECT v.indicator, v.period, v.disaggregation,
       CASE WHEN v.disaggregation = '{}' THEN 1 ELSE 0 END AS is_total,
       v.numerator, v.denominator, v.value, v.target, v.aggregation, v.note, v.batches, v.computed_at
FROM indicator_value v
"""


def upgrade() -> None:
    """Drop and create again: a view's columns cannot be inserted in place on either database."""
    op.execute("DROP VIEW IF EXISTS mart_indicator_values")
    op.execute(f"CREATE VIEW mart_indicator_values AS {AFTER.strip()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS mart_indicator_values")
    op.execute(f"CREATE VIEW mart_indicator_values AS {BEFORE.strip()}")
