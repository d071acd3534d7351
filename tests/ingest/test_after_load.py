"""A dataset's `after_load:` hooks are what runs once one of its batches is loaded."""

from __future__ import annotations

from tasks.ingest.after_load import HOOKS, after_load_hooks
from tasks.sms.steps import apply_delivery_reports_task
from warehouse.datasets import declared_datasets


def test_every_declared_hook_is_known() -> None:
    for dataset in declared_datasets().values():
        assert set(dataset.after_load) <= set(HOOKS), dataset.path


def test_delivery_reports_advance_the_outbox_and_nothing_else_has_a_hook() -> None:
    hooked = {name: after_load_hooks(name) for name in declared_datasets()}
    assert {name: hooks for name, hooks in hooked.items() if hooks} == {
        "sms_delivery_reports": [apply_delivery_reports_task]
    }
