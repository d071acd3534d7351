"""What runs once a batch is loaded: the hooks a dataset declares (`after_load:` in config/datasets/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tasks.sms.steps import apply_delivery_reports_task
from warehouse.datasets import DatasetError, declared_datasets

# A hook takes nothing: what it needs is in the warehouse the batch was just loaded into.
HOOKS: dict[str, Callable[[], object]] = {
    "advance_outbox": apply_delivery_reports_task,  # delivery reports move the outbox statuses forward
}


def after_load_hooks(dataset: str, config_dir: Path | None = None) -> list[Callable[[], object]]:
    """The hooks a dataset declares, in their order; an unknown name is a DatasetError saying which."""
    declared = declared_datasets(config_dir)[dataset]
    unknown = [name for name in declared.after_load if name not in HOOKS]
    if unknown:
        raise DatasetError(f"{declared.path}: after_load: unknown hook(s) {unknown}; known: {sorted(HOOKS)}")
    return [HOOKS[name] for name in declared.after_load]


def run_after_load(dataset: str) -> None:
    """Run the dataset's hooks on the batch just published (none for most datasets)."""
    for hook in after_load_hooks(dataset):
        hook()
