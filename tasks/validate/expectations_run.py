"""Run a dataset's suite in an ephemeral GX context and turn every failure into row-level reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd

from tasks.standardise.result import RowIssue

ROW = "source_row"


@dataclass(frozen=True)
class Outcome:
    """One expectation's verdict on a batch, as the validation report shows it."""

    expectation: str
    columns: list[str]
    success: bool
    unexpected_count: int
    reason: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _context() -> Any:
    # GX costs seconds to import: only the validating process pays, once.
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every frame under HASH_THRESHOLD bytes with an md5 of all its cells, a batch marker
    # MALUX never reads: ~0.8 s per million rows, twice per validation. Above the threshold it skips it.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _value_of(entry: dict[str, Any], columns: list[str]) -> str | None:
    values = [entry.get(c) for c in columns]
    shown = ["" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in values]
    return " | ".join(shown) if any(shown) else None


def run_suite(frame: pd.DataFrame, suite: dict[str, Any]) -> list[RowIssue]:
    """Every (row, column, value, expectation, reason) the suite rejects; an empty list when all pass."""
    return run_suite_with_outcomes(frame, suite)[0]


def run_suite_with_outcomes(
    frame: pd.DataFrame, suite: dict[str, Any]
) -> tuple[list[RowIssue], list[Outcome]]:
    """The row issues and each expectation's verdict; `today` is the bound that rejects future dates."""
    import great_expectations as gx

    context = _context()
    name = f"{suite['name']}-{id(frame)}"
    batch_definition = (
        context.data_sources.add_or_update_pandas(name)
        .add_dataframe_asset("rows")
        .add_batch_definition_whole_dataframe("all")
    )
    expectation_suite = gx.ExpectationSuite(name=name, expectations=suite["expectations"])
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        expectation_suite,
        expectation_parameters={"today": pd.Timestamp(date.today())},
        # COMPLETE for the row of every failure; the samples and the query text nobody reads cost ~10 %
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": [ROW],
            "partial_unexpected_count": 0,
            "return_unexpected_index_query": False,
        },
    )
    context.data_sources.delete(name)
    issues: list[RowIssue] = []
    outcomes: list[Outcome] = []
    for outcome in result.results:
        config = outcome.expectation_config
        kwargs = config.kwargs
        columns = kwargs.get("column_list") or [
            c for c in (kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B")) if c
        ]
        reason = (config.meta or {}).get("reason", config.type)
        shown = {k: v for k, v in kwargs.items() if k not in ("batch_id", "column", "column_list")}
        count = int(outcome.result.get("unexpected_count") or 0)
        outcomes.append(Outcome(config.type, list(columns), bool(outcome.success), count, reason, shown))
        if outcome.success:
            continue
        entries = outcome.result.get("unexpected_index_list")
        if entries is None:
            raise RuntimeError(
                f"expectation {config.type} on {columns} failed without row detail: {outcome.result}"
            )
        for entry in entries:
            issues.append(
                RowIssue(int(entry[ROW]), ", ".join(columns), _value_of(entry, columns), config.type, reason)
            )
    return issues, outcomes
