"""What `malux query` accepts: one statement that only reads, as a real SQL parser (sqlglot) reads it.

A regular expression cannot tell a comment from a string literal (`select '/*'` is not a comment), so the text
is parsed in the warehouse's own dialect. This check is for clear refusals; the guard is the database: a
read-only file on SQLite, a role that may only SELECT the analyst views on PostgreSQL.
"""

from __future__ import annotations

import logging

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

# sqlglot warns on stderr when it falls back to an opaque "Command"; such a statement is refused anyway.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres"}
# Nodes that write, lock, change the session or reach outside the database, wherever they sit in the tree
# (`WITH x AS (DELETE … RETURNING *) SELECT …` is a SELECT at its root).
_FORBIDDEN = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Command,
    exp.Pragma,
    exp.Attach,
    exp.Detach,
    exp.Copy,
    exp.Into,
    exp.Lock,
    exp.Set,
    exp.Use,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.LoadData,
    exp.Analyze,
)


def read_only_statement(sql: str, dialect: str = "sqlite") -> str:
    """The statement, without a trailing `;`, if it is one SELECT, WITH … SELECT or VALUES that only reads;
    otherwise a ValueError says why it is refused."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=_DIALECTS.get(dialect, dialect)) if s is not None]
    except SqlglotError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"the query cannot be read as SQL: {reason[:200]}") from None
    if not statements:
        raise ValueError("no SQL given")
    if len(statements) > 1:
        raise ValueError(f"one statement at a time: the query holds {len(statements)}")
    (statement,) = statements
    if not isinstance(statement, exp.Query | exp.Values):
        kind = statement.key.upper()
        raise ValueError(f"malux query only reads: a {kind} statement is refused (SELECT, WITH, VALUES)")
    found = statement.find(*_FORBIDDEN)
    if found is not None:
        raise ValueError(f"malux query only reads: {found.key.upper()} inside the query is refused")
    return sql.strip().rstrip(";").rstrip()


def with_names(sql: str, dialect: str = "sqlite") -> frozenset[str]:
    """The names a statement's WITH clauses define (the tables it may read besides the views)."""
    tree = sqlglot.parse_one(sql, read=_DIALECTS.get(dialect, dialect))
    return frozenset(cte.alias for cte in tree.find_all(exp.CTE))
