"""A small HTML report per validated batch, our Data Docs: what each check found and the rows it held back."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment

from tasks.standardise.result import RowIssue
from tasks.validate.expectations_run import Outcome

REPORT_NAME = "validation.html"
_SHOWN_ROWS = 200

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Validation of batch {{ batch_id }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}
.ok{color:#176d2b}.fail{color:#b00020;font-weight:bold}.num{text-align:right}
</style></head><body>
<h1>Validation of batch {{ batch_id }}: {{ dataset }}</h1>
<p>File <b>{{ file }}</b>{% if sheet %}, sheet <b>{{ sheet }}</b>{% endif %}, partner <b>{{ partner }}</b>.
Validated {{ at }}.</p>
<p><b>{{ verdict }}</b>. Rows in: {{ rows_in }}; passing every check: {{ rows_passed }};
held back: {{ rows_held }}.</p>
{% if gx_page %}<p>The same validation in Great Expectations' own Data Docs:
<a href="{{ gx_page }}">{{ gx_page }}</a> (its styles load from the internet).</p>{% endif %}
<h2>Expectations (suite <code>expectations/{{ dataset }}.json</code>)</h2>
<table><tr><th>status</th><th>expectation</th><th>columns</th><th>parameters</th>
<th>failing rows</th><th>why it matters</th></tr>
{% for o in outcomes %}<tr>
<td class="{{ 'ok' if o.success else 'fail' }}">{{ 'passed' if o.success else 'failed' }}</td>
<td><code>{{ o.expectation }}</code></td><td>{{ o.columns | join(', ') }}</td><td>{{ params(o.kwargs) }}</td>
<td class="num">{{ o.unexpected_count }}</td><td>{{ o.reason }}</td></tr>
{% endfor %}</table>
<h2>Reading and reference checks</h2>
{% if other %}<table><tr><th>check</th><th>column</th><th>rows</th><th>reason</th></tr>
{% for (check, column, reason), n in other %}<tr><td><code>{{ check }}</code></td><td>{{ column }}</td>
<td class="num">{{ n }}</td><td>{{ reason }}</td></tr>{% endfor %}</table>
{% else %}<p class="ok">Every value could be read and every reference is known.</p>{% endif %}
<h2>Rows held back{% if issues | length > shown %}
(first {{ shown }} of {{ issues | length }} reasons){% endif %}</h2>
{% if issues %}<table><tr><th>row</th><th>column</th><th>value</th><th>check</th><th>reason</th></tr>
{% for i in issues[:shown] %}<tr><td class="num">{{ i.source_row }}</td><td>{{ i.column }}</td>
<td>{{ i.value if i.value is not none else '' }}</td><td><code>{{ i.check }}</code></td>
<td>{{ i.reason }}</td></tr>
{% endfor %}</table>{% else %}<p class="ok">None.</p>{% endif %}
</body></html>
"""


def _params(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items())


def write_validation_report(
    folder: Path,
    *,
    batch: dict[str, Any],
    outcomes: list[Outcome],
    issues: list[RowIssue],
    rows_in: int,
    verdict: str,
    gx_page: Path | None = None,
) -> Path:
    """Write `validation.html` in the batch's work folder; it is rebuilt each time the batch is validated.

    It stands alone (no styles from the internet) and links GX's own Data Docs page of the same validation.
    """
    suite_types = {o.expectation for o in outcomes}
    other = Counter((i.check, i.column, i.reason) for i in issues if i.check not in suite_types)
    held = len({i.source_row for i in issues})
    html = (
        Environment(autoescape=True)
        .from_string(_TEMPLATE)
        .render(
            **batch,
            at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            verdict=verdict,
            rows_in=rows_in,
            rows_passed=rows_in - held,
            rows_held=held,
            outcomes=outcomes,
            other=sorted(other.items(), key=lambda item: -item[1]),
            issues=sorted(issues, key=lambda i: (i.source_row, i.column)),
            shown=_SHOWN_ROWS,
            params=_params,
            gx_page=os.path.relpath(gx_page, folder) if gx_page else None,
        )
    )
    path = folder / REPORT_NAME
    path.write_text(html, encoding="utf-8")
    return path
