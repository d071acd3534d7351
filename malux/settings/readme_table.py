"""README.md's Configuration table, rendered from the settings tree so the two cannot drift apart."""

from __future__ import annotations

from malux.settings import PROJECT_ROOT
from malux.settings.describe import documented_default, sections

README = PROJECT_ROOT / "README.md"
HEADER = "| variable | default | what |\n|---|---|---|\n"
# Read by Prefect, not by MALUX, but a MALUX user sets it and should find it in the same table.
OTHER_VARIABLES = [
    (
        "PREFECT_API_URL",
        "unset",
        "a Prefect server to report to; unset, MALUX starts a temporary one and keeps its state in "
        "`data/prefect`",
    ),
]


def config_table() -> str:
    """One row per variable: its name, its default and the field's description."""
    rows = []
    for section in sections().values():
        for name, field in section.model_fields.items():
            what = (field.description or "").replace("|", "\\|")
            rows.append(f"| `{section.variables(name)[0]}` | {documented_default(field)} | {what} |")
    rows += [f"| `{name}` | {default} | {what} |" for name, default, what in OTHER_VARIABLES]
    return HEADER + "\n".join(rows) + "\n"


def current_table(readme: str) -> str:
    """The table as README.md has it: from its header line to the first line that is not a table row."""
    start = readme.index(HEADER)
    end = start + len(HEADER)
    while end < len(readme) and readme.startswith("|", end):
        end = readme.index("\n", end) + 1
    return readme[start:end]


def with_table(readme: str, table: str) -> str:
    """README.md's text with its Configuration table replaced, nothing else touched."""
    return readme.replace(current_table(readme), table, 1)
