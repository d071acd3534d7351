"""Loan rows and ingest batches for the warehouse tests, made the same way in every file."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from warehouse import batches


def batch_of(engine: Engine, n: int) -> int:
    """A ledger row for batch n, as the ingest would open it."""
    return batches.open_batch(
        engine, partner="p", dataset="loans", file_name=f"f{n}.csv", raw_path=f"/raw/{n}", sha256=f"{n:064d}"
    )


def loans_frame(ids: list[str], principal: float = 1_250_000.0) -> pd.DataFrame:
    """Staged loan rows with these ids (every other volume missing)."""
    n = len(ids)
    return pd.DataFrame(
        {
            "loan_id": ids,
            "borrower_id": ["OP001"] * n,
            "mfi_id": ["MFI01"] * n,
            "crop": ["sesame"] * n,
            "principal_xof": [principal] * n,
            "monthly_rate": [0.0125] * n,
            "disbursed_on": pd.to_datetime(["2019-03-01"] * n),
            "maturity_on": pd.to_datetime(["2019-09-30"] * n),
            "volume_kg": [np.nan if i % 2 else 4170.0 for i in range(n)],
            "source_row": list(range(2, n + 2)),
        }
    )
