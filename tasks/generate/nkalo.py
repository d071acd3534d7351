"""N'kalô's weekly price export: UTF-8 CSV with a BOM, commas between fields and in decimals."""

from __future__ import annotations

import random

from tasks.generate.defects import duplicate, set_cells
from tasks.generate.files import PartnerFile, decimal_fr
from tasks.generate.program import Program

COMMODITY = {"sesame": "Sésame", "rice": "Riz", "fonio": "Fonio"}
PRICE_TYPE = {"farmgate": "Bord champ", "wholesale": "Gros", "retail": "Détail"}


def market_prices(program: Program, rng: random.Random) -> PartnerFile:
    """Weekly farm-gate sesame prices per market over both campaigns, and a few cereal prices."""
    headers = ["Date", "Marché", "Cercle", "Produit", "Type de prix", "Prix (FCFA/kg)"]
    rows = [
        [
            p["observed_on"].isoformat(),
            p["market"],
            p["cercle"],
            COMMODITY[p["commodity"]],
            PRICE_TYPE[p["price_type"]],
            decimal_fr(p["price_xof_per_kg"]),
        ]
        for p in program.prices
    ]
    set_cells(rows, 2, ["Segu"], salt=3)
    set_cells(rows, 5, ["n.d."], salt=7)
    duplicate(rows, source=len(rows) // 3, at=len(rows) // 3 + 2)
    return PartnerFile(
        "nkalo",
        "market_prices",
        "nkalo_prix_hebdomadaires.csv",
        headers,
        rows,
        expected_issues=2,
        encoding="utf-8-sig",
        delimiter=",",
    )
