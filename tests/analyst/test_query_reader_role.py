"""On PostgreSQL `malux query` logs in as a role that can only read the analyst views: no server file, no
other backend, no table, and no way back to the superuser (issue #13, least privilege for analysts)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from program_builder import Program
from sqlalchemy import make_url, text
from typer.testing import CliRunner

from malux.cli.main import app
from warehouse.db import engine_for, make_engine
from warehouse.reader_role import query_url
from warehouse.views import VIEWS

runner = CliRunner()
READER = "malux_reader"  # the documented default of MALUX_QUERY_ROLE


@pytest.fixture
def pg_warehouse(pg_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A PostgreSQL warehouse brought up as a data engineer does it: `malux db upgrade`."""
    monkeypatch.setenv("MALUX_WAREHOUSE_URL", pg_url)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return pg_url


def _query(sql: str, *options: str):
    return runner.invoke(app, ["query", sql, *options])


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT * FROM pg_ls_dir('.')",
        "SELECT lo_import('/etc/passwd')",
    ],
)
def test_the_reader_cannot_reach_the_servers_files(pg_warehouse, sql):
    result = _query(sql)
    assert result.exit_code == 1
    assert "permission denied for function" in result.output


def test_the_reader_cannot_end_the_warehouse_owners_backend(pg_warehouse):
    owner = engine_for(pg_warehouse)
    with owner.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        result = _query(f"SELECT pg_terminate_backend({pid})")
        assert result.exit_code == 1 and "superuser" in result.output
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid  # still alive


def test_set_config_role_or_reset_role_gives_the_reader_nothing_back(pg_warehouse):
    reader = _libpq(query_url(pg_warehouse, READER))
    with psycopg.connect(reader, autocommit=True) as conn:
        for attempt in (
            "SELECT set_config('role', 'postgres', false)",
            "SET ROLE postgres",
            "SET SESSION AUTHORIZATION postgres",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(attempt)
        conn.execute("RESET ROLE")
        assert conn.execute("SELECT current_user, session_user").fetchone() == (READER, READER)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT pg_read_file('/etc/passwd')")
        # Read-only is only the role's default: undone, the privileges still refuse every write.
        conn.execute("SET default_transaction_read_only = off")
        for write in ("DELETE FROM loans", "DROP VIEW mart_sms_weekly", "CREATE TABLE mine (x int)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(write)


def test_the_reader_reads_the_views_with_phones_masked_but_no_table(pg_warehouse, tmp_path):
    program = Program(engine_for(pg_warehouse), tmp_path)
    program.beneficiary("P1")
    with program.engine.connect() as conn:
        phone = conn.execute(text("SELECT phone FROM beneficiaries")).scalar_one()
    shown = _query("SELECT beneficiary_id, phone_masked FROM mart_beneficiaries", "--format", "csv")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[1] == f"P1,'{phone[:6]}****{phone[-2:]}"  # `+` leads: kept as text
    table = _query("SELECT phone FROM beneficiaries")
    assert table.exit_code == 1 and "permission denied for table beneficiaries" in table.output


def test_query_says_which_role_it_logs_in_as_and_it_is_that_role(pg_warehouse):
    result = _query("SELECT current_user AS who", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert f"as role {READER}" in result.stderr
    assert result.stdout.splitlines() == ["who", READER]


def test_query_will_not_log_in_as_a_superuser(pg_warehouse, monkeypatch):
    monkeypatch.setenv("MALUX_QUERY_URL", pg_warehouse)  # the warehouse owner's own URL
    result = _query("SELECT 1")
    assert result.exit_code == 1 and "is a superuser" in result.output


def test_the_derived_query_url_swaps_the_user_and_never_reuses_the_owners_password():
    owner = "postgresql+psycopg://postgres:s3cret@db.example:5433/malux?sslmode=require"
    assert query_url(owner, READER) == f"postgresql+psycopg://{READER}@db.example:5433/malux?sslmode=require"
    assert (
        query_url(owner, READER, "postgresql+psycopg://ana:pw@h/malux")
        == "postgresql+psycopg://ana:pw@h/malux"
    )


@pytest.fixture
def own_role(pg_warehouse: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A reader role of this test's own, so widening it cannot touch another test's `malux_reader`."""
    role = f"malux_reader_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("MALUX_QUERY_ROLE", role)
    yield role
    with engine_for(pg_warehouse).begin() as conn:
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


def _role_state(url: str, role: str) -> tuple:
    with engine_for(url).connect() as conn:
        attributes = conn.execute(
            text(
                "SELECT rolcanlogin, rolsuper, rolinherit, rolcreaterole, rolcreatedb FROM pg_roles "
                "WHERE rolname = :r"
            ),
            {"r": role},
        ).one()
        settings = conn.execute(
            text(
                "SELECT unnest(setconfig) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
                "WHERE r.rolname = :r ORDER BY 1"
            ),
            {"r": role},
        ).scalars()
        readable = conn.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v') "
                "AND has_table_privilege(:r, c.oid, 'SELECT') ORDER BY 1"
            ),
            {"r": role},
        ).scalars()
        return tuple(attributes), list(settings), list(readable)


def test_grant_reader_creates_the_role_again_the_same_and_repairs_a_widened_one(
    own_role, pg_warehouse, monkeypatch
):
    monkeypatch.setenv("MALUX_QUERY_TIMEOUT_S", "5")
    first = runner.invoke(app, ["db", "grant-reader"])
    assert first.exit_code == 0, first.output
    expected = (
        (True, False, False, False, False),
        ["default_transaction_read_only=on", "statement_timeout=5000ms"],
        sorted(VIEWS),
    )
    assert _role_state(pg_warehouse, own_role) == expected
    assert runner.invoke(app, ["db", "grant-reader"]).output == first.output
    with engine_for(pg_warehouse).begin() as conn:
        conn.execute(text(f'ALTER ROLE "{own_role}" SUPERUSER INHERIT'))
        conn.execute(text(f'ALTER ROLE "{own_role}" SET statement_timeout = 0'))
        conn.execute(text(f'GRANT SELECT, INSERT ON beneficiaries TO "{own_role}"'))
        conn.execute(text(f'GRANT pg_read_server_files TO "{own_role}"'))
    assert runner.invoke(app, ["db", "grant-reader"]).exit_code == 0
    assert _role_state(pg_warehouse, own_role) == expected
    with engine_for(pg_warehouse).connect() as conn:
        member = text("SELECT pg_has_role(:r, 'pg_read_server_files', 'MEMBER')")
        assert conn.execute(member, {"r": own_role}).scalar_one() is False


def test_a_migration_that_recreates_the_views_keeps_the_readers_select(pg_warehouse):
    from alembic import command

    from warehouse.migrate import alembic_config, upgrade

    engine = make_engine(pg_warehouse)  # a fresh engine: this process has not seen it at the head
    try:
        with engine.begin() as conn:  # back to before the views, then forward again
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0004")
        upgrade(engine)
    finally:
        engine.dispose()
    result = _query("SELECT count(*) AS n FROM mart_loan_portfolio", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["n", "0"]


def test_an_owner_that_may_not_create_roles_still_upgrades_and_is_told_what_to_run(
    pg_url, data_dir, monkeypatch
):
    owner, reader = (f"malux_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("owner", "reader"))
    admin = engine_for(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN NOCREATEROLE'))
        conn.execute(text(f'GRANT ALL ON SCHEMA public TO "{owner}"'))
    url = make_url(pg_url).set(username=owner).render_as_string(hide_password=False)
    try:
        monkeypatch.setenv("MALUX_WAREHOUSE_URL", url)
        monkeypatch.setenv("MALUX_QUERY_ROLE", reader)
        upgraded = runner.invoke(app, ["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        assert "schema created" in upgraded.output
        assert f"warning: the reader role {reader} was not created" in upgraded.output
        granted = runner.invoke(app, ["db", "grant-reader"])
        assert granted.exit_code == 1 and "CREATEROLE" in granted.output
    finally:
        engine_for(url).dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{owner}"'))
            conn.execute(text(f'DROP ROLE "{owner}"'))
