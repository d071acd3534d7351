"""Check that the ids a batch refers to (session, beneficiary, loan, message) exist in the warehouse.

Which columns refer to what is declared with each dataset (`references:` in `config/datasets/<name>.yaml`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from tasks.standardise.result import RowIssue
from warehouse.datasets import declared_datasets
from warehouse.schema import metadata


def check_references(engine: Engine, dataset: str, frame: pd.DataFrame, config_dir: Path) -> list[RowIssue]:
    """One issue per row whose reference is not in the warehouse; rows with no value are left to the suite."""
    issues: list[RowIssue] = []
    for ref in declared_datasets(config_dir)[dataset].references:
        column = ref.column
        if column not in frame.columns:
            continue
        table = metadata.tables[ref.table]
        query = select(table.c[ref.key]).distinct()
        what = ref.table
        if ref.categories:
            query = query.where(table.c.category.in_(ref.categories))
            what = f"{ref.table} of category {', '.join(ref.categories)}"
        with engine.connect() as conn:
            known = set(conn.execute(query).scalars())
        values = frame[column]
        unknown = values.notna() & ~values.isin(known)
        for row, value in zip(frame.loc[unknown, "source_row"], values[unknown], strict=True):
            issues.append(
                RowIssue(
                    int(row),
                    column,
                    str(value),
                    "known_reference",
                    f"{column} must name a known {what} ({value!r} is not in the warehouse)",
                )
            )
    return issues
