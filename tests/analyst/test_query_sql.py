"""`malux query` reads SQL with a real parser: string literals stay as written, and anything but one read is
refused, by the parser and, should one slip past it, by the database (issue #13)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from malux.cli.main import app
from warehouse.analyst_query import reader_connection
from warehouse.read_only_sql import read_only_statement
from warehouse.reader_role import query_url
from warehouse.schema import beneficiaries, loans

runner = CliRunner()


def _json(sql: str) -> list[dict]:
    result = runner.invoke(app, ["query", sql, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_comment_markers_inside_string_literals_come_back_intact(warehouse):
    rows = _json("select '/*' as a, 42 as b, '*/' as c, '--' as d, 'a:b' as e, '100%' as f")
    assert rows == [{"a": "/*", "b": 42, "c": "*/", "d": "--", "e": "a:b", "f": "100%"}]


def test_a_real_comment_is_still_a_comment(warehouse):
    assert _json("select 1 as one /* , 2 as two */ -- , 3 as three") == [{"one": 1}]


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("DELETE FROM loans", "sqlite"),
        ("select 1; delete from loans", "postgresql"),
        ("select 1 /* ; */ ; delete from loans", "sqlite"),
        ("  -- hi\n UPDATE loans SET crop = 'x'", "sqlite"),
        ("WITH gone AS (SELECT 1) DELETE FROM loans", "postgresql"),
        ("WITH gone AS (DELETE FROM loans RETURNING *) SELECT * FROM gone", "postgresql"),
        ("SELECT * INTO loans_copy FROM loans", "postgresql"),
        ("SELECT * FROM loans FOR UPDATE", "postgresql"),
        ("PRAGMA writable_schema = 1", "sqlite"),
        ("ATTACH DATABASE '/tmp/x.sqlite' AS x", "sqlite"),
        ("CREATE TABLE t AS SELECT 1", "sqlite"),
        ("COPY loans TO '/tmp/loans.csv'", "postgresql"),
        ("", "sqlite"),
        ("-- only a comment", "postgresql"),
    ],
)
def test_anything_but_one_read_is_refused_before_it_reaches_the_database(sql, dialect):
    with pytest.raises(ValueError):
        read_only_statement(sql, dialect)


def test_query_says_why_a_statement_is_refused(warehouse):
    result = runner.invoke(app, ["query", "DROP TABLE loans"])
    assert result.exit_code == 1 and "DROP statement is refused" in result.output


def _loans(program) -> int:
    with program.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(loans)).scalar_one()


@pytest.mark.parametrize(
    "write", ["DELETE FROM loans", "UPDATE loans SET crop = 'x'", "DROP VIEW mart_sms_weekly"]
)
def test_a_write_that_slips_past_the_parser_is_refused_by_the_database(warehouse, warehouse_url, write):
    runner.invoke(app, ["db", "upgrade"])  # the reader role, on PostgreSQL
    warehouse.loan("L1", principal=1_000_000, maturity="2019-05-30")
    before = _loans(warehouse)
    with (
        reader_connection(query_url(warehouse_url, "malux_reader"), 30.0) as conn,
        pytest.raises(Exception) as refused,
    ):
        conn.cursor().execute(write)
    refusals = ("not authorized", "prohibited", "permission denied", "read-only transaction")
    assert any(word in str(refused.value) for word in refusals), refused.value
    assert _loans(warehouse) == before == 1


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT phone FROM beneficiaries",
        "SELECT count(*) FROM (SELECT phone FROM beneficiaries) AS b",
        "WITH mart_beneficiaries AS (SELECT phone FROM beneficiaries) SELECT * FROM mart_beneficiaries",
    ],
)
def test_a_table_is_refused_however_the_query_reaches_it_while_the_views_answer(warehouse, sql):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0  # the reader role, on PostgreSQL
    warehouse.beneficiary("P1")
    with warehouse.engine.connect() as conn:
        phone = conn.execute(select(beneficiaries.c.phone)).scalar_one()
    refused = runner.invoke(app, ["query", sql])
    assert refused.exit_code == 1 and "refused the query" in refused.output
    assert phone not in refused.output
    assert _json("SELECT phone_masked FROM mart_beneficiaries") == [
        {"phone_masked": phone[:6] + "****" + phone[-2:]}
    ]
