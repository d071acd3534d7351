"""The dataset tables' part of docs/data-dictionary.md, written from their declarations (config/datasets/).

The rest of the dictionary (analyst views, bookkeeping tables) is written by hand around two markers;
`malux docs data-dictionary` rewrites what lies between them, and `--check` says when it is stale.
"""

from __future__ import annotations

from warehouse.datasets import LINEAGE, Dataset, Datasets

BEGIN = "<!-- BEGIN dataset tables: `malux docs data-dictionary` writes them from config/datasets/ -->"
END = "<!-- END dataset tables -->"


class StaleMarkers(ValueError):
    """The dictionary lacks the markers that delimit its generated part, or has them out of order."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _either(words: tuple[str, ...]) -> str:
    return " or ".join(filter(None, [", ".join(words[:-1]), words[-1]]))


def _reference_line(dataset: Dataset) -> str:
    refs = []
    for ref in dataset.references:
        of = f" (category {_either(ref.categories)})" if ref.categories else ""
        refs.append(f"`{ref.column}` is a `{ref.key}` of `{ref.table}`{of}")
    return f"References: {'; '.join(refs)}." if refs else ""


def dataset_section(dataset: Dataset) -> str:
    """One dataset's section: what a row is, its key and references, then every column."""
    key = ", ".join(f"`{name}`" for name in dataset.key)
    lines = [
        f"### {dataset.name}",
        dataset.description,
        "",
        f"Key: {key}. {_reference_line(dataset)}".rstrip(),
    ]
    lines += ["", "| column | meaning | unit | source |", "|---|---|---|---|"]
    rows = [(name, c.description, c.unit, c.source) for name, c in dataset.columns.items()]
    rows += [(name, *described) for name, described in LINEAGE.items()]
    lines += [
        f"| `{name}` | {_cell(meaning)} | {_cell(unit)} | {_cell(source)} |"
        for name, meaning, unit, source in rows
    ]
    return "\n".join(lines)


def dataset_sections(datasets: Datasets) -> str:
    """Every dataset's section, in loading order, between the markers."""
    body = "\n\n".join(dataset_section(d) for d in datasets.values())
    return f"{BEGIN}\n\n{body}\n\n{END}"


def with_dataset_sections(document: str, datasets: Datasets) -> str:
    """The dictionary with its generated part rewritten and everything around it kept as written."""
    start, stop = document.find(BEGIN), document.find(END)
    if start < 0 or stop < start:
        raise StaleMarkers(f"the data dictionary needs the lines {BEGIN!r} and then {END!r}")
    return document[:start] + dataset_sections(datasets) + document[stop + len(END) :]
