"""`python -m malux.generate OUT_DIR [--scale N] [--seed S]`: write the demo partner files."""

from __future__ import annotations

import argparse
from pathlib import Path

from malux.generate import generate


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and write the files, one line per file."""
    parser = argparse.ArgumentParser(prog="python -m malux.generate", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args(argv)
    for file in generate(args.out_dir, args.scale, args.seed):
        print(f"{file.partner}\t{file.dataset}\t{file.path}")


if __name__ == "__main__":
    main()
