"""Flow: the whole MALUX chain on generated program data, from partner files to the monitoring note."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow

from flows.compute_indicators import compute_indicators
from flows.ingest_file import ingest_file
from flows.monitoring_note import program_notes
from flows.weekly_broadcast import weekly_broadcast
from tasks.alerts.webhook import notify_failure
from tasks.demo.steps import export_delivery_reports, generate_demo_data
from tasks.indicators.steps import program_periods
from tasks.ingest.models import BatchSummary
from tasks.sms.calendar import all_campaign_weeks
from tasks.sms.steps import BroadcastSummary
from tasks.warehouse_schema import ensure_schema


@dataclass
class DemoSummary:
    """What one demo run did: batches, broadcasts, the periods computed and the notes issued."""

    batches: list[BatchSummary] = field(default_factory=list)
    broadcasts: list[BroadcastSummary] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    notes: dict[str, Path] = field(default_factory=dict)  # period -> its note, the calendar's, in time order
    latest_period: str | None = None  # the calendar's last period, whose note the summary shows
    note: Path | None = None


@flow(name="demo", log_prints=True, on_failure=[notify_failure], on_crashed=[notify_failure])
def demo(scale: int = 1, seed: int = 2019, lang: str = "fr") -> DemoSummary:
    """Generate partner files, ingest them, broadcast both campaigns, take delivery reports, then issue the
    note of every period of the program's calendar."""
    ensure_schema()
    summary = DemoSummary()
    for f in generate_demo_data(scale, seed):
        summary.batches.append(ingest_file(f.path, f.dataset, f.partner))
    for w in all_campaign_weeks():
        summary.broadcasts.append(weekly_broadcast(w.campaign, w.week))
    summary.batches.append(ingest_file(export_delivery_reports(seed), "sms_delivery_reports", "gateway"))
    summary.periods = program_periods()
    for period in summary.periods:
        compute_indicators(period)
    summary.notes = program_notes(lang)
    if summary.notes:
        summary.latest_period, summary.note = list(summary.notes.items())[-1]
    return summary
