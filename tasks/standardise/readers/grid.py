"""A file's rows as cells with the row numbers a person sees: what every format's reader returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import pyarrow as pa


class TextColumns(Sequence[tuple[int, list[Any]]]):
    """A CSV's rows: the first few as the csv module read them, the body as Arrow text columns."""

    def __init__(
        self, head: list[tuple[int, list[Any]]], columns: list[pa.ChunkedArray], numbers: np.ndarray
    ) -> None:
        self.head = head
        self.columns = columns
        self.body_numbers = numbers

    def __len__(self) -> int:
        return len(self.head) + len(self.body_numbers)

    @overload
    def __getitem__(self, index: int) -> tuple[int, list[Any]]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, list[Any]]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index < len(self.head):
            return self.head[index]
        at = index - len(self.head)
        return int(self.body_numbers[at]), [column[at].as_py() for column in self.columns]

    def numbers(self, start: int, stop: int) -> np.ndarray:
        """Line numbers of rows[start:stop]."""
        n = len(self.head)
        head = np.array([number for number, _ in self.head[start:stop]], dtype=np.int64)
        return np.concatenate([head, self.body_numbers[max(start - n, 0) : max(stop - n, 0)]])

    def column(self, index: int | None, start: int, stop: int) -> pa.ChunkedArray | list[Any]:
        """Cells of one column in rows[start:stop]; the body's stay Arrow, so no Python object per cell."""
        n = len(self.head)
        head = [c[index] if index is not None and index < len(c) else None for _, c in self.head[start:stop]]
        body_start, body_stop = max(start - n, 0), max(stop - n, 0)
        if index is None or index >= len(self.columns):
            return head + [None] * (body_stop - body_start)
        body = self.columns[index].slice(body_start, body_stop - body_start)
        return pa.chunked_array([pa.array(head, pa.string()), *body.chunks], pa.string()) if head else body


@dataclass
class Grid:
    """The non-empty rows of a file, each with its spreadsheet row, CSV line or JSON record number."""

    rows: Sequence[tuple[int, list[Any]]]
    sheet: str | None = None

    def numbers(self, start: int, stop: int) -> np.ndarray:
        """The row numbers of rows[start:stop], as a person sees them (int64)."""
        if isinstance(self.rows, TextColumns):
            return self.rows.numbers(start, stop)
        return np.array([number for number, _ in self.rows[start:stop]], dtype=np.int64)

    def column(self, index: int | None, start: int, stop: int) -> Sequence[Any] | pa.ChunkedArray:
        """One column of rows[start:stop], None where a row is short; Arrow text stays Arrow, for speed."""
        if isinstance(self.rows, TextColumns):
            return self.rows.column(index, start, stop)
        return [
            cells[index] if index is not None and index < len(cells) else None
            for _, cells in self.rows[start:stop]
        ]
