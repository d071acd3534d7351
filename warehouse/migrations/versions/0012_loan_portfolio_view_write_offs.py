"""mart_loan_portfolio shows written_off_on and restructured_on; a written-off loan's unpaid principal moves
from outstanding_xof to written_off_xof (SEEP: a write-off leaves the gross loan portfolio)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 12:50:00
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The view before and after this revision, frozen as the SQL it ran (warehouse/views.py moves on).
BEFORE = """
SELECT l.loan_id, l.borrower_id, l.mfi_id, l.crop, l.principal_xof, l.monthly_rate, l.disbursed_on,
       l.maturity_on, l.volume_kg,
       COALESCE(r.principal_repaid_xof, 0) AS principal_repaid_xof,
       COALESCE(r.interest_paid_xof, 0) AS interest_paid_xof,
       r.last_paid_on,
       CASE WHEN l.principal_xof - COALESCE(r.principal_repaid_xof, 0) > 0
            THEN l.principal_xof - COALESCE(r.principal_repaid_xof, 0) ELSE 0 END AS outstanding_xof,
       l.batch_id, l.source_row
FROM loans l
LEFT JOIN (
    SELECT loan_id, SUM(principal_xof) AS principal_repaid_xof, SUM(interest_xof) AS interest_paid_xof,
           MAX(paid_on) AS last_paid_on
    FROM repayments GROUP BY loan_id
) r ON r.loan_id = l.loan_id
"""
AFTER = """
SELECT l.loan_id, l.borrower_id, l.mfi_id, l.crop, l.principal_xof, l.monthly_rate, l.disbursed_on,
       l.maturity_on, l.volume_kg, l.written_off_on, l.restructured_on,
       COALESCE(r.principal_repaid_xof, 0) AS principal_repaid_xof,
       COALESCE(r.interest_paid_xof, 0) AS interest_paid_xof,
       r.last_paid_on,
       CASE WHEN l.written_off_on IS NULL AND l.principal_xof - COALESCE(r.principal_repaid_xof, 0) > 0
            THEN l.principal_xof - COALESCE(r.principal_repaid_xof, 0) ELSE 0 END AS outstanding_xof,
       CASE WHEN l.written_off_on IS NOT NULL AND l.principal_xof - COALESCE(r.principal_repaid_xof, 0) > 0
            THEN l.principal_xof - COALESCE(r.principal_repaid_xof, 0) ELSE 0 END AS written_off_xof,
       l.batch_id, l.source_row
FROM loans l
LEFT JOIN (
    SELECT loan_id, SUM(principal_xof) AS principal_repaid_xof, SUM(interest_xof) AS interest_paid_xof,
           MAX(paid_on) AS last_paid_on
    FROM repayments GROUP BY loan_id
) r ON r.loan_id = l.loan_id
"""


def upgrade() -> None:
    """Drop and create again: a view's columns cannot be inserted in place on either database."""
    op.execute("DROP VIEW IF EXISTS mart_loan_portfolio")
    op.execute(f"CREATE VIEW mart_loan_portfolio AS {AFTER.strip()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS mart_loan_portfolio")
    op.execute(f"CREATE VIEW mart_loan_portfolio AS {BEFORE.strip()}")
