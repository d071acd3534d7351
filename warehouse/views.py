"""The analyst views (`mart_*`): documented, read-only shapes of the warehouse with phone numbers masked.

Each view is plain SQL that runs unchanged on SQLite and PostgreSQL; migration 0005 creates them (0011 adds
`aggregation` to `mart_indicator_values`) and `docs/data-dictionary.md` describes every column. No view
exposes an E.164 number: `phone_masked` keeps the country code, the operator prefix and the last two digits
(`+22376****56`).
"""

from __future__ import annotations

from warehouse.sms_status import ACCEPTED_BY_GATEWAY, OutboxStatus, sql_list

# The E.164 form is "+223" and 8 digits: keep "+223" + 2 prefix digits, hide 4, keep the last 2.
_MASK = "CASE WHEN {col} IS NULL THEN NULL ELSE substr({col}, 1, 6) || '****' || substr({col}, 11, 2) END"

VIEWS: dict[str, str] = {
    "mart_beneficiaries": f"""
SELECT b.beneficiary_id, b.category, b.org_id, b.cercle, b.cercle_pcode, b.commune, b.village,
       b.gender, b.language, b.registered_on, b.phone_valid, {_MASK.format(col="b.phone")} AS phone_masked,
       b.operator, b.sms_consent,
       CASE WHEN o.beneficiary_id IS NULL THEN 0 ELSE 1 END AS opted_out,
       b.batch_id, b.source_row
FROM beneficiaries b LEFT JOIN sms_optout o ON o.beneficiary_id = b.beneficiary_id
""",
    "mart_training_coverage": """
SELECT b.beneficiary_id, b.category, b.cercle, b.gender, b.registered_on,
       COUNT(s.session_id) AS sessions_attended,
       COUNT(DISTINCT s.module) AS modules_attended,
       MIN(s.held_on) AS first_trained_on,
       MAX(s.held_on) AS last_trained_on,
       CASE WHEN COUNT(s.session_id) > 0 THEN 1 ELSE 0 END AS trained
FROM beneficiaries b
LEFT JOIN training_attendance a ON a.beneficiary_id = b.beneficiary_id
LEFT JOIN training_sessions s ON s.session_id = a.session_id AND s.audience = b.category
WHERE b.category IN ('producer', 'trainer')
GROUP BY b.beneficiary_id, b.category, b.cercle, b.gender, b.registered_on
""",
    "mart_sms_messages": f"""
SELECT m.message_id, m.campaign, m.week, m.beneficiary_id, {_MASK.format(col="m.phone")} AS phone_masked,
       m.operator, m.language, m.encoding, m.segments, m.scheduled_at, m.status, m.attempts,
       m.wired_at, m.final_at
FROM sms_outbox m
""",
    "mart_sms_weekly": f"""
SELECT m.campaign, m.week, m.operator,
       MIN(m.scheduled_at) AS scheduled_at,
       COUNT(*) AS messages,
       SUM(CASE WHEN m.status IN ({sql_list(ACCEPTED_BY_GATEWAY)}) THEN 1 ELSE 0 END) AS accepted,
       SUM(CASE WHEN m.status = '{OutboxStatus.DELIVERED.value}' THEN 1 ELSE 0 END) AS delivered,
       SUM(CASE WHEN m.status = '{OutboxStatus.FAILED.value}' THEN 1 ELSE 0 END) AS failed,
       SUM(m.segments) AS segments
FROM sms_outbox m
GROUP BY m.campaign, m.week, m.operator
""",
    "mart_sms_inbox": f"""
SELECT i.inbox_id, i.gateway, {_MASK.format(col="i.sender")} AS sender_masked,
       i.receiver, i.received_at, i.keyword, i.beneficiary_id, i.language, i.reply_status,
       m.status AS reply_outbox_status
FROM sms_inbox i LEFT JOIN sms_outbox m ON m.campaign = 'mo' AND m.week = i.inbox_id
""",
    "mart_loan_portfolio": """
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
""",
    "mart_indicator_values": """
SELECT v.indicator, v.period, v.disaggregation,
       CASE WHEN v.disaggregation = '{}' THEN 1 ELSE 0 END AS is_total,
       v.numerator, v.denominator, v.value, v.target, v.aggregation, v.note, v.batches, v.computed_at
FROM indicator_value v
""",
}


def create_statements() -> list[str]:
    """`CREATE VIEW` for every analyst view, in dependency-free order."""
    return [f"CREATE VIEW {name} AS {sql.strip()}" for name, sql in VIEWS.items()]


def drop_statements() -> list[str]:
    """`DROP VIEW` for every analyst view, so a migration can be reversed."""
    return [f"DROP VIEW IF EXISTS {name}" for name in reversed(VIEWS)]
