"""`malux docs …`: the documents written from declarations, rewritten in place or checked (`--check`).

`data-dictionary`: the dataset tables of docs/data-dictionary.md, from config/datasets/.
`config-table`: README.md's Configuration table, from the settings tree.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console

from malux.cli.errors import user_errors

out = Console()
DICTIONARY = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


@user_errors
def data_dictionary(
    check: bool = typer.Option(False, "--check", help="Change nothing; exit 1 if the file is out of date."),
    path: Path = typer.Option(DICTIONARY, help="The data dictionary to rewrite or check."),
) -> None:
    """Rewrite the dataset tables of docs/data-dictionary.md from config/datasets/, or check they are so."""
    from warehouse.datasets import declared_datasets
    from warehouse.dictionary import with_dataset_sections

    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    _rewrite_or_check(
        path, lambda text: with_dataset_sections(text, declared_datasets()), check,
        source="config/datasets/", command="malux docs data-dictionary",
    )  # fmt: skip


@user_errors
def config_table(
    check: bool = typer.Option(False, "--check", help="Change nothing; exit 1 if the table is out of date."),
) -> None:
    """Rewrite README.md's Configuration table from the settings tree, or check it is so."""
    from malux.settings.readme_table import README, config_table, with_table

    _rewrite_or_check(
        README, lambda text: with_table(text, config_table()), check,
        source="the settings tree", command="malux docs config-table",
    )  # fmt: skip


def _rewrite_or_check(
    path: Path, rewrite: Callable[[str], str], check: bool, *, source: str, command: str
) -> None:
    """One file's generated part: left alone when current, else rewritten, or (--check) exit 1 saying how."""
    written = path.read_text(encoding="utf-8")
    current = rewrite(written)
    if current == written:
        out.print(f"{path}: up to date with {source}", highlight=False, soft_wrap=True)
    elif check:
        fix = f"run `{command}` and commit the result"
        out.print(f"{path}: out of date with {source}; {fix}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    else:
        path.write_text(current, encoding="utf-8")
        out.print(f"{path}: rewritten from {source}", highlight=False, soft_wrap=True)
