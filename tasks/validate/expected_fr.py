"""What each check expects, in French, for the rejection report a partner reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tasks.validate.suites import load_suite_dict

_PARSE = {
    "parse_date": "une date, par exemple 31/12/2019, 2019-12-31 ou une date Excel",
    "parse_datetime": "une date et une heure, par exemple 31/12/2019 08:00",
    "parse_amount": "un nombre, par exemple 1 250 000, 1250000 ou 12,5",
    "parse_bool": "oui ou non",
    "parse_cercle": "le nom d'un cercle du Mali, par exemple San, Tominian ou Ségou",
    "parse_text": "un texte lisible, sans caractère nul (octet 0x00)",
}


def _number(value: Any) -> str:
    return (
        f"{value:,.0f}".replace(",", " ")
        if isinstance(value, int | float) and value == int(value)
        else str(value)
    )


def _from_expectation(kind: str, kwargs: dict[str, Any], column: str) -> str | None:
    if kind == "expect_column_values_to_not_be_null":
        return f"une valeur : la colonne {column} est obligatoire"
    if kind in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
        return f"une seule ligne par {column} : cette valeur apparaît sur plusieurs lignes"
    if kind == "expect_column_values_to_be_in_set":
        return "l'une des valeurs : " + ", ".join(str(v) for v in kwargs.get("value_set", []))
    if kind == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if isinstance(high, dict):
            return "une date qui n'est pas dans le futur"
        if low is not None and high is not None:
            return f"un nombre entre {_number(low)} et {_number(high)}"
        if low is not None:
            return f"un nombre supérieur ou égal à {_number(low)}" if low else "un nombre positif ou nul"
        return f"un nombre au plus égal à {_number(high)}"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = kwargs.get("column_A"), kwargs.get("column_B")
        return f"{a} {'postérieur ou égal' if kwargs.get('or_equal') else 'strictement postérieur'} à {b}"
    return None


class ExpectedInFrench:
    """Turns (check, column, reason) into what the partner should have sent, read from the suite."""

    def __init__(self, expectations_dir: Path, dataset: str) -> None:
        self._by_check: dict[tuple[str, str], dict[str, Any]] = {}
        for entry in load_suite_dict(expectations_dir, dataset).get("expectations", []):
            kwargs = entry.get("kwargs", {})
            columns = kwargs.get("column_list") or [
                c for c in (kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B")) if c
            ]
            self._by_check.setdefault((entry["type"], ", ".join(columns)), kwargs)

    def __call__(self, check: str, column: str | None, reason: str) -> str:
        if check in _PARSE:
            return _PARSE[check]
        if check == "parse_value" and "expected one of:" in reason:
            return "l'une des valeurs : " + reason.split("expected one of:", 1)[1].strip()
        if check == "parse_unit":
            return "une unité connue : " + reason.split(":", 1)[-1].strip()
        if check == "known_reference":
            found = re.search(r"must name a known (.+?) \(", reason)
            what = found.group(1) if found else "enregistrement"
            return f"un identifiant déjà enregistré ({what}) : envoyer d'abord le fichier qui le déclare"
        kwargs = self._by_check.get((check, column or ""))
        text = _from_expectation(check, kwargs, column or "") if kwargs is not None else None
        return text or reason
