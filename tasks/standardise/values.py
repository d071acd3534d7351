"""Cell readers by kind: each turns one raw cell into a canonical value, or says what was expected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tasks.standardise.amounts import parse_amount
from tasks.standardise.dates import parse_date, parse_datetime
from tasks.standardise.mapping import ColumnSpec
from tasks.standardise.phones import normalise_phone
from tasks.standardise.text import as_text, fold, is_missing

_TRUE = {"oui", "o", "yes", "y", "true", "vrai", "1", "x"}
_FALSE = {"non", "n", "no", "false", "faux", "0"}
# What a reader returns: the canonical value, and the reason when the cell could not be read.
Reader = Callable[[Any], tuple[Any, str | None]]

EXPECTED = {
    "date": "expected a date such as 31/12/2019, 2019-12-31 or an Excel date",
    "datetime": "expected a date and time such as 2019-12-31 08:00:00 or 31/12/2019 08:00",
    "amount": "expected a number such as 1 250 000, 1250000 or 12,5",
    "bool": "expected yes or no (Oui/Non)",
}


def _text_reader(translate: dict[str, Any] | None) -> Reader:
    targets = {fold(str(v)): v for v in (translate or {}).values()}

    def read(raw: Any) -> tuple[Any, str | None]:
        text = as_text(raw)
        if text is None or translate is None:
            return text, None
        key = fold(text)
        if key in translate:
            return translate[key], None
        if key in targets:
            return targets[key], None
        return text, "expected one of: " + ", ".join(sorted({str(v) for v in translate.values()}))

    return read


def _bool_reader(translate: dict[str, Any] | None) -> Reader:
    def read(raw: Any) -> tuple[Any, str | None]:
        if is_missing(raw):
            return False, None
        if isinstance(raw, bool):
            return raw, None
        key = fold(as_text(raw) or "")
        if translate and key in translate:
            return bool(translate[key]), None
        if key in _TRUE or key in _FALSE:
            return key in _TRUE, None
        return False, EXPECTED["bool"]

    return read


def make_reader(spec: ColumnSpec, translate: dict[str, Any] | None) -> Reader:
    """The reader for one column: its kind from the schema or the mapping, its values map if any."""
    if spec.kind == "bool":
        return _bool_reader(translate)
    if spec.kind == "date":
        return lambda raw: _checked(parse_date(raw, spec.fmt), raw, "date")
    if spec.kind == "datetime":
        return lambda raw: _checked(parse_datetime(raw, spec.fmt), raw, "datetime")
    if spec.kind in ("amount", "number"):
        return lambda raw: _checked(parse_amount(raw, spec.decimal), raw, "amount")
    if spec.kind == "phone":
        return lambda raw: (normalise_phone(raw).e164 or as_text(raw), None)
    return _text_reader(translate)


def _checked(value: Any, raw: Any, kind: str) -> tuple[Any, str | None]:
    if value is None and not is_missing(raw):
        return None, EXPECTED[kind]
    return value, None


def check_name(spec: ColumnSpec) -> str:
    """The RowIssue check of a column: parse_<kind>, or parse_value for a values map."""
    return {"text": "parse_value", "number": "parse_amount"}.get(spec.kind, f"parse_{spec.kind}")
