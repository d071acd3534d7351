"""AMASSA's loans layout at any size, for the ingest benchmarks: cp1252, semicolons, French amounts, defects.

`write_loans` writes the file and `write_beneficiaries` the borrowers and MFIs it references, so the loans'
references pass (bench/ingest_1m.py, bench/two_workers.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tasks.generate.amassa import LOAN_HEADERS

HEADERS = LOAN_HEADERS
MFIS = {"MFI01": "Soro Yiriwaso", "MFI02": "Kafo Jiginew", "MFI03": "Nyesigiso"}
BORROWERS = [f"OP{i:03d}" for i in range(1, 51)] + [f"MSE{i:03d}" for i in range(1, 21)]


def write_beneficiaries(path: Path) -> None:
    """The borrowers and MFIs, canonical headers, so the loans' references are known."""
    lines = ["beneficiary_id,category,name"]
    lines += [f"{b},{'producer_org' if b.startswith('OP') else 'mse'},{b} union" for b in BORROWERS]
    lines += [f"{code},mfi,{name}" for code, name in MFIS.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _french(values: np.ndarray, nbsp: np.ndarray) -> list[str]:
    """Integers as "1 250 000", a fifth of them with no-break spaces, as AMASSA's spreadsheet exports."""
    out = [f"{v:,}".replace(",", " ") for v in values.tolist()]
    return [t.replace(" ", "\u00a0") if n else t for t, n in zip(out, nbsp.tolist(), strict=True)]


def write_loans(path: Path, rows: int, seed: int = 3) -> int:
    """AMASSA's loans CSV with `rows` data rows and ~0.1 % defective cells; returns the defect count."""
    rng = np.random.default_rng(seed)
    days = np.datetime64("2018-01-01") + rng.integers(0, 3 * 365, rows).astype("timedelta64[D]")
    maturity = days + rng.integers(90, 300, rows).astype("timedelta64[D]")
    principal = rng.integers(10, 301, rows) * 50_000
    volume = principal // rng.integers(250, 450, rows) // 10 * 10
    columns = {
        "loan": [f"AMS-L{i:07d}" for i in range(1, rows + 1)],
        "borrower": np.array(BORROWERS)[rng.integers(0, len(BORROWERS), rows)].tolist(),
        "mfi": np.array(list(MFIS.values()))[rng.integers(0, 3, rows)].tolist(),
        "crop": np.array(["Sésame", "Riz", "Fonio"])[rng.integers(0, 3, rows)].tolist(),
        "principal": _french(principal, rng.random(rows) < 0.2),
        "rate": ["0,0125"] * rows,
        "disbursed": np.datetime_as_string(days).tolist(),
        "maturity": np.datetime_as_string(maturity).tolist(),
        "volume": _french(volume, rng.random(rows) < 0.2),
    }
    for key in ("disbursed", "maturity"):
        columns[key] = [f"{s[8:10]}/{s[5:7]}/{s[0:4]}" for s in columns[key]]
    blank = np.flatnonzero(rng.random(rows) < 0.05)
    for i in blank.tolist():
        columns["volume"][i] = ""
    bad = rng.choice(rows, size=max(3, rows // 1000), replace=False).tolist()
    for n, i in enumerate(bad):
        kind = n % 3
        if kind == 0:
            columns["crop"][i] = "Maïs"
        elif kind == 1:
            columns["principal"][i] = "1 25O 000"
        else:
            columns["disbursed"][i] = "31/02/2019"
    with path.open("w", encoding="cp1252", newline="") as handle:
        handle.write("Rapport des prêts IMF – AMASSA\n")
        handle.write(";".join(HEADERS) + "\n")
        for row in zip(*columns.values(), strict=True):
            handle.write(";".join(row) + "\n")
    return len(bad)
