"""indicator_value.aggregation: what kind of number each stored value is (period, to_date or at_end)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 10:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The catalogue's kinds when this migration was written (config/indicators.yaml), frozen as literals.
# sms_weeks_broadcast was stored per period until this revision (weeks ending inside the bi-month), so its
# existing rows are `period`; the next computation of a period stores it `to_date`, per campaign.
KINDS = {
    "trained_producers": "to_date",
    "trained_trainers": "to_date",
    "training_sessions_held": "period",
    "contact_coverage": "at_end",
    "sms_sent": "period",
    "sms_delivered": "period",
    "sms_delivery_rate": "period",
    "sms_weekly_reach": "period",
    "sms_weeks_broadcast": "period",
    "loans_disbursed_count": "period",
    "loans_disbursed_xof": "period",
    "gross_loan_portfolio_xof": "at_end",
    "par30": "at_end",
    "repayment_rate": "to_date",
    "borrowers_financed": "to_date",
}


def upgrade() -> None:
    """Add the column, then fill it on the rows already stored; an indicator not listed stays null."""
    op.add_column("indicator_value", sa.Column("aggregation", sa.String(length=16), nullable=True))
    for kind in ("period", "to_date", "at_end"):
        names = sorted(name for name, k in KINDS.items() if k == kind)
        op.execute(
            sa.text("UPDATE indicator_value SET aggregation = :kind WHERE indicator IN :names").bindparams(
                sa.bindparam("kind", kind), sa.bindparam("names", names, expanding=True)
            )
        )


def downgrade() -> None:
    """Drop the column (SQLite 3.35+ and PostgreSQL both drop a column in place)."""
    op.drop_column("indicator_value", "aggregation")
