"""Issue a monitoring note as a versioned snapshot: later data never changes a note once issued."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select

from tasks.indicators.periods import parse_period
from tasks.report.chromium import find_chromium, print_pdf
from tasks.report.labels import TEXT
from tasks.report.note import render_note
from tasks.report.snapshot import snapshot_changes, take_snapshot
from warehouse.schema import note_issue


@dataclass(frozen=True)
class IssuedNote:
    """One issued note: its version, its files, and the values that changed since the previous version."""

    period: str
    version: int
    lang: str
    html: Path
    pdf: Path | None
    changes: list[dict[str, Any]] = field(default_factory=list)
    new_version: bool = True
    reused: bool = False  # this language's files of that version already existed


def _issued(row: Any) -> IssuedNote:
    return IssuedNote(
        row.period,
        row.version,
        row.lang,
        Path(row.html_path),
        Path(row.pdf_path) if row.pdf_path else None,
        json.loads(row.changes),
        new_version=False,
        reused=True,
    )


def latest_issue(engine: Engine, period: str, lang: str | None = None) -> IssuedNote | None:
    """The most recent issue of a period (in one language if given), or None if never issued."""
    query = select(note_issue).where(note_issue.c.period == period)
    if lang:
        query = query.where(note_issue.c.lang == lang)
    with engine.connect() as conn:
        row = conn.execute(query.order_by(note_issue.c.version.desc(), note_issue.c.id.desc())).first()
    return _issued(row) if row else None


def issue_note(
    engine: Engine,
    period_id: str,
    out_dir: Path,
    lang: str = "fr",
    config_dir: Path | None = None,
    pdf: bool = True,
    comments: str | None = None,
) -> IssuedNote:
    """Issue the period's note: version N+1 when its values or commentary differ from version N, else
    version N again.

    An unchanged issue renders the stored snapshot of version N, not today's data, so a note once issued
    says the same thing whenever it is asked for again. `comments` is the officer's Markdown; None keeps
    the previous version's commentary (a new version after new data does not lose it).
    """
    if lang not in TEXT:
        raise ValueError(f"the note is written in {sorted(TEXT)}, not {lang!r}")
    period = parse_period(period_id)
    with engine.connect() as conn:
        latest = conn.execute(
            select(note_issue)
            .where(note_issue.c.period == period.id)
            .order_by(note_issue.c.version.desc(), note_issue.c.id.desc())
        ).first()
        previous = json.loads(latest.snapshot) if latest else None
        if comments is None and previous is not None:
            comments = previous.get("comments")
        current = take_snapshot(conn, period, comments)
    same_lang = None
    if previous is not None and not snapshot_changes(previous, current):
        version, snapshot, changes = latest.version, previous, json.loads(latest.changes)
        with engine.connect() as conn:
            same_lang = conn.execute(
                select(note_issue).where(
                    note_issue.c.period == period.id,
                    note_issue.c.version == version,
                    note_issue.c.lang == lang,
                )
            ).first()
        if same_lang is not None and Path(same_lang.html_path).exists():
            return _issued(same_lang)
        issued_at = latest.issued_at
    else:
        version = latest.version + 1 if latest else 1
        snapshot = current
        changes = snapshot_changes(previous, current) if previous else []
        issued_at = datetime.now(UTC)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"note-{period.id}-v{version}-{lang}.html"
    issue = {"version": version, "issued_at": issued_at.strftime("%Y-%m-%d %H:%M UTC"), "changes": changes}
    html_path.write_text(render_note(snapshot, lang, config_dir, issue), encoding="utf-8")
    pdf_path = print_pdf(html_path, html_path.with_suffix(".pdf")) if pdf and find_chromium() else None
    if same_lang is None:
        with engine.begin() as conn:
            conn.execute(
                insert(note_issue).values(
                    period=period.id,
                    version=version,
                    lang=lang,
                    issued_at=issued_at,
                    snapshot=json.dumps(snapshot, ensure_ascii=False, default=str),
                    changes=json.dumps(changes, ensure_ascii=False, default=str),
                    html_path=str(html_path),
                    pdf_path=None if pdf_path is None else str(pdf_path),
                )
            )
    new_version = version != (latest.version if latest else 0)
    return IssuedNote(period.id, version, lang, html_path, pdf_path, changes, new_version=new_version)
