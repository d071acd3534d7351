"""`malux docs …`: the documents written from declarations, rewritten in place or checked (`--check`).

`data-dictionary`: the dataset tables of docs/data-dictionary.md, from config/datasets/.
`config-table`: README.md's Configuration table, from the settings tree.
"""

from __future__ import annotations

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
    written = path.read_text(encoding="utf-8")
    current = with_dataset_sections(written, declared_datasets())
    if current == written:
        out.print(f"{path}: up to date with config/datasets/", highlight=False, soft_wrap=True)
    elif check:
        fix = "run `malux docs data-dictionary` and commit the result"
        out.print(f"{path}: out of date with config/datasets/; {fix}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    else:
        path.write_text(current, encoding="utf-8")
        out.print(f"{path}: dataset tables rewritten from config/datasets/", highlight=False, soft_wrap=True)


@user_errors
def config_table(
    check: bool = typer.Option(False, "--check", help="Change nothing; exit 1 if the table is out of date."),
) -> None:
    """Rewrite README.md's Configuration table from the settings tree, or check it is so."""
    from malux.settings.readme_table import README, config_table, current_table, write_table

    if current_table(README.read_text(encoding="utf-8")) == config_table():
        out.print(f"{README}: configuration table up to date", highlight=False, soft_wrap=True)
    elif check:
        fix = "run `malux docs config-table` and commit the result"
        out.print(f"{README}: configuration table out of date; {fix}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    else:
        write_table(README)
        out.print(f"{README}: configuration table rewritten", highlight=False, soft_wrap=True)
