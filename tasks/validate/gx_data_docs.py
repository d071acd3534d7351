"""Great Expectations' own Data Docs for each validated batch, in one site under the data folder.

MALUX validates a suite in groups of expectations (tasks/validate/expectations_run.py); the page shows them
as one validation of the suite, as GX would have run it. The site's index is left alone: the context is
ephemeral and holds only this process's results, so an index built from it would list a few batches only.
MALUX's own report (`validation.html`, tasks/validate/data_docs.py) links each batch's page.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from tasks.validate.expectations_run import GX_LOCK, Outcome, gx_context

SITE_FOLDER = "data-docs"


@lru_cache(maxsize=8)
def _site_builder(site_dir: Path) -> Any:
    """GX's builder of the Data Docs site in site_dir, kept for the process: its page views compile their
    Jinja templates once (~0.5 s), where `context.build_data_docs` makes new views for every build."""
    from great_expectations.render.renderer.site_builder import SiteBuilder

    return SiteBuilder(
        data_context=gx_context(),
        store_backend={"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
        site_name="malux-" + hashlib.sha1(str(site_dir).encode()).hexdigest()[:10],
        site_index_builder={"class_name": "DefaultSiteIndexBuilder"},
    )


# the row of every failure: MALUX's own report and the quarantine show them; the page shows the counts.
# GX deep-copies and serialises whatever it is given: a million-row batch's lists cost ~0.45 s here.
_ROW_LISTS = ("unexpected_index_list", "unexpected_list", "unexpected_index_query", "partial_unexpected_list")


def _summary(result: Any) -> Any:
    """An expectation's result without its lists of failing rows."""
    from great_expectations.core import ExpectationValidationResult

    return ExpectationValidationResult(
        success=result.success,
        expectation_config=result.expectation_config,
        result={k: v for k, v in result.result.items() if k not in _ROW_LISTS},
        meta=result.meta,
        exception_info=result.exception_info,
    )


def build_data_docs(
    site_dir: Path, suite: dict[str, Any], batch_id: int, file: str, outcomes: list[Outcome]
) -> Path:
    """Render the batch's validation, and the suite it links, as GX Data Docs pages; returns the first."""
    import great_expectations as gx
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    run = RunIdentifier(run_name=f"batch-{batch_id}", run_time=datetime.now(UTC))
    results = [_summary(o.result) for o in outcomes if o.result is not None]
    passed = sum(1 for r in results if r.success)
    validation = ExpectationSuiteValidationResult(
        success=passed == len(results),
        results=results,
        suite_name=suite["name"],
        statistics={
            "evaluated_expectations": len(results),
            "successful_expectations": passed,
            "unsuccessful_expectations": len(results) - passed,
            "success_percent": 100 * passed / len(results) if results else None,
        },
        meta={"run_id": run, "batch_id": batch_id, "batch_spec": {"data_asset_name": file}},
    )
    suite_key = ExpectationSuiteIdentifier(name=suite["name"])
    key = ValidationResultIdentifier(suite_key, run, f"batch-{batch_id}")
    with GX_LOCK:
        context = gx_context()
        context.suites.add_or_update(gx.ExpectationSuite(**suite))
        context.validation_results_store.set(key, validation)
        try:
            _site_builder(site_dir.resolve()).build(resource_identifiers=[key, suite_key], build_index=False)
        finally:
            context.validation_results_store.remove_key(key)  # a long-lived worker keeps no results
    *folders, page = key.to_tuple()  # (suite, run name, run time, batch): where the site builder wrote it
    return site_dir.joinpath("validations", *folders, f"{page}.html")
