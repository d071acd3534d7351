"""The Alembic migrations build exactly the schema the code writes to, on SQLite and PostgreSQL."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from warehouse.db import engine_for
from warehouse.migrate import MIGRATIONS_DIR, alembic_config, current_revisions, upgrade
from warehouse.schema import metadata

# The five heads every warehouse was left at before 0008 merged them.
OLD_HEADS = ("0002", "0004", "0005", "0006", "0007")
HEAD = "0013"


def _unmigrated(engine: Engine) -> list:
    """What Alembic would still have to change for the schema to equal the SQLAlchemy models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)


def test_migrations_create_every_table_with_every_column(warehouse_url: str) -> None:
    inspector = inspect(engine_for(warehouse_url))
    for table in metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name


def test_schema_matches_the_models_with_nothing_left_to_migrate(warehouse_url: str) -> None:
    assert _unmigrated(engine_for(warehouse_url)) == []


def test_an_unreachable_warehouse_is_one_clear_error() -> None:
    from warehouse.db import WarehouseError

    with pytest.raises(WarehouseError, match="cannot reach the warehouse at postgresql"):
        upgrade("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_the_migrations_have_exactly_one_head() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD]


def test_no_migration_imports_project_code_so_history_never_moves() -> None:
    project = {"warehouse", "tasks", "flows", "malux"}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert not {m.split(".")[0] for m in modules} & project, f"{path.name} imports {modules}"


def test_the_views_the_migrations_create_are_the_ones_views_py_describes(tmp_path: Path) -> None:
    from warehouse.views import create_statements

    engine = engine_for(f"sqlite:///{tmp_path / 'w.sqlite'}")
    upgrade(engine)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'view' ORDER BY name"))
        assert list(stored.scalars()) == sorted(create_statements())  # a changed view needs a migration


def test_a_warehouse_at_the_five_old_heads_upgrades_to_the_merge_and_keeps_its_rows(
    empty_warehouse_url: str,
) -> None:
    from alembic import command

    engine = engine_for(empty_warehouse_url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        for head in OLD_HEADS:
            command.upgrade(cfg, head)
    assert current_revisions(engine) == OLD_HEADS
    _insert_rows_of_every_branch(engine)

    done = upgrade(empty_warehouse_url)

    assert (done.before, current_revisions(engine)) == (OLD_HEADS, (HEAD,))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT beneficiary_id FROM beneficiaries")).scalars().all() == ["P1"]
        assert conn.execute(text("SELECT old_batch_id FROM row_replacement")).scalars().all() == [1]
        assert conn.execute(text("SELECT version FROM note_issue")).scalars().all() == [1]
        assert conn.execute(text("SELECT asset_uid FROM source_cursor")).scalars().all() == ["aX"]
        masked = conn.execute(text("SELECT phone_masked FROM mart_beneficiaries")).scalar_one()
    assert masked == "+22376****56"
    assert _unmigrated(engine) == []


def _insert_rows_of_every_branch(engine: Engine) -> None:
    """A batch and a beneficiary (0001), a replacement (0002), a note (0005) and a Kobo cursor (0006)."""
    at = "2026-11-01 10:00:00"
    with engine.begin() as conn:
        for batch_id in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO ingest_batch (batch_id, partner, dataset, file_name, raw_path, sha256,"
                    " status, started_at) VALUES (:b, 'amassa', 'beneficiaries', 'f.csv', 'raw/f.csv',"
                    " :sha, 'loaded', :at)"
                ),
                {"b": batch_id, "sha": str(batch_id) * 64, "at": at},
            )
        conn.execute(
            text(
                "INSERT INTO beneficiaries (beneficiary_id, category, phone, phone_valid, sms_consent,"
                " batch_id, source_row) VALUES ('P1', 'producer', '+22376123456', TRUE, TRUE, 2, 2)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO row_replacement (dataset, row_key, old_batch_id, new_batch_id, replaced_at)"
                " VALUES ('beneficiaries', 'P1', 1, 2, :at)"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO note_issue (period, version, lang, issued_at, snapshot, changes, html_path)"
                " VALUES ('201903B', 1, 'fr', :at, '{}', '[]', 'note.html')"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO source_cursor (source, asset_uid, last_submission_time, updated_at)"
                " VALUES ('kobo', 'aX', '2019-03-05T10:15:00', :at)"
            ),
            {"at": at},
        )


def test_a_warehouse_at_0008_upgrades_and_its_indicator_values_say_what_kind_of_number_they_are(
    empty_warehouse_url: str,
) -> None:
    from alembic import command

    engine = engine_for(empty_warehouse_url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0008")
        for indicator in ("sms_sent", "trained_producers", "par30", "retired_indicator"):
            conn.execute(
                text(
                    "INSERT INTO indicator_value (indicator, period, disaggregation, value, batches,"
                    " computed_at)"
                    " VALUES (:i, '201903B', '{}', 1, '[]', '2026-11-01 10:00:00')"
                ),
                {"i": indicator},
            )

    upgrade(empty_warehouse_url)

    with engine.connect() as conn:
        kinds = dict(conn.execute(text("SELECT indicator, aggregation FROM indicator_value")).all())
    assert kinds == {
        "sms_sent": "period",
        "trained_producers": "to_date",
        "par30": "at_end",
        "retired_indicator": None,  # not in the catalogue 0009 froze: no kind to claim
    }
    assert _unmigrated(engine) == []


def test_a_warehouse_at_0009_upgrades_and_its_loans_are_neither_written_off_nor_rescheduled(
    empty_warehouse_url: str,
) -> None:
    from alembic import command

    engine = engine_for(empty_warehouse_url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009")
        conn.execute(
            text(
                "INSERT INTO ingest_batch (batch_id, partner, dataset, file_name, raw_path, sha256, status,"
                " started_at) VALUES (1, 'amassa', 'loans', 'p.csv', 'raw', 'abc', 'loaded',"
                " '2026-11-01 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO loans (loan_id, borrower_id, mfi_id, crop, principal_xof, disbursed_on,"
                " maturity_on, batch_id, source_row) VALUES ('L1', 'OP1', 'MFI01', 'rice', 1000,"
                " '2019-01-10', '2019-06-10', 1, 2)"
            )
        )

    upgrade(empty_warehouse_url)

    with engine.connect() as conn:
        loan = conn.execute(text("SELECT loan_id, written_off_on, restructured_on FROM loans")).one()
        schedule = conn.execute(text("SELECT count(*) FROM loan_schedule")).scalar_one()
    assert (tuple(loan), schedule) == (("L1", None, None), 0)
    assert _unmigrated(engine) == []


def test_0011_shows_each_value_s_kind_in_the_analyst_view_and_downgrades_without_it(
    empty_warehouse_url: str,
) -> None:
    from alembic import command

    engine = engine_for(empty_warehouse_url)
    upgrade(empty_warehouse_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO indicator_value (indicator, period, disaggregation, value, aggregation, batches,"
                " computed_at) VALUES ('par30', '201903B', '{}', 0.25, 'at_end', '[]', '2026-11-01 10:00:00')"
            )
        )
    with engine.connect() as conn:
        row = conn.execute(text("SELECT indicator, aggregation FROM mart_indicator_values")).one()
    assert tuple(row) == ("par30", "at_end")

    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    columns = [c["name"] for c in inspect(engine).get_columns("mart_indicator_values")]
    assert "aggregation" not in columns and "target" in columns


def test_0012_shows_write_offs_in_the_loan_view_and_downgrades_without_them(empty_warehouse_url: str) -> None:
    from alembic import command

    engine = engine_for(empty_warehouse_url)
    upgrade(empty_warehouse_url)
    columns = {c["name"] for c in inspect(engine).get_columns("mart_loan_portfolio")}
    assert {"written_off_on", "restructured_on", "written_off_xof"} <= columns

    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011")
    columns = {c["name"] for c in inspect(engine).get_columns("mart_loan_portfolio")}
    assert not {"written_off_on", "restructured_on", "written_off_xof"} & columns
    assert "outstanding_xof" in columns
