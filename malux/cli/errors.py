"""Turn the errors a user can cause into one clear line and a non-zero exit."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from malux.cli.shown import shown

F = TypeVar("F", bound=Callable[..., Any])
err = Console(stderr=True)


def user_errors(func: F) -> F:
    """Report a bad input, an unreachable warehouse or a rejected batch as `error: …`, exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from tasks.ingest.models import BatchRejected
        from tasks.standardise.errors import InputError
        from warehouse.db import WarehouseError

        try:
            return func(*args, **kwargs)
        except (
            FileNotFoundError,
            PermissionError,
            ValueError,
            InputError,
            WarehouseError,
            BatchRejected,
        ) as exc:
            err.print(f"[bold red]error:[/] {shown(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
