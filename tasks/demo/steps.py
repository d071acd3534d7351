"""Prefect tasks that make the demo data set: what partners and the SMS gateway would send us."""

from __future__ import annotations

from pathlib import Path

from prefect import task

from malux.settings import get_settings
from tasks.generate import GeneratedFile, generate
from tasks.sms.delivery_export import simulate_delivery_export
from warehouse.datasets import load_order


def demo_dir() -> Path:
    return get_settings().root / "demo"


@task(name="generate-demo-data")
def generate_demo_data(scale: int = 1, seed: int = 2019) -> list[GeneratedFile]:
    """Partner files in their own layouts; the same seed writes the same bytes, so re-runs add nothing."""
    files = generate(demo_dir(), scale=scale, seed=seed)
    order = load_order()  # referenced datasets first (config/datasets/)
    return sorted(files, key=lambda f: (order.index(f.dataset), f.partner, f.path.name))


@task(name="export-delivery-reports")
def export_delivery_reports(seed: int = 2019) -> Path:
    """The delivery-report export an SMS aggregator would send back for what the file gateway wrote."""
    out = demo_dir() / "landing" / "gateway" / "sms_delivery_reports" / "delivery-reports.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    simulate_delivery_export(get_settings().outbox_dir, out, seed=seed)
    return out
