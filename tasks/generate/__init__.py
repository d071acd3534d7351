"""Demo partner files for the whole program, in the partners' own layouts, the same bytes for a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.generate import amassa, aopp, nkalo
from tasks.generate.files import PartnerFile, write
from tasks.generate.program import Program, build_program

__all__ = ["GeneratedFile", "generate", "partner_files"]


@dataclass(frozen=True)
class GeneratedFile:
    """A demo file written in the landing convention, and what it holds."""

    path: Path
    dataset: str
    partner: str


_LAYOUTS = [
    aopp.beneficiaries,
    aopp.training_sessions,
    aopp.training_attendance,
    amassa.beneficiaries,
    amassa.loans,
    amassa.loan_schedule,
    amassa.repayments,
    nkalo.market_prices,
]


def partner_files(scale: int = 1, seed: int = 2019) -> list[PartnerFile]:
    """Every demo file in memory, with its rows and the number of values standardising should flag."""
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    program: Program = build_program(scale, seed)
    # Each layout draws from its own stream, so a change to one partner's file leaves the others' bytes alone.
    # The stream's name keeps the generator's first home, malux.generate, so the demo stays the same bytes
    # (and the same figures as the docs and issues quote) wherever the package lives.
    return [
        layout(program, random.Random(f"{seed}-malux.generate.{_module(layout)}-{layout.__name__}"))
        for layout in _LAYOUTS
    ]


def _module(layout: Any) -> str:
    """The layout's module name without its package, e.g. `amassa`."""
    return layout.__module__.rsplit(".", 1)[-1]


def generate(out_dir: Path, scale: int = 1, seed: int = 2019) -> list[GeneratedFile]:
    """Write the demo program's partner files under out_dir/landing/<partner>/<dataset>/."""
    return [GeneratedFile(write(f, Path(out_dir)), f.dataset, f.partner) for f in partner_files(scale, seed)]
