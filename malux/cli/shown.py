"""Text from outside (a path, a partner's cell, an error quoting one) as the terminal shows it.

Rich reads `[...]` as markup: a file named `[/foo].csv` would raise MarkupError after the data had loaded, and
`[link=…]` in a cell would become a live link. Escaped and capped, it prints as the bytes it was.
"""

from __future__ import annotations

from rich.markup import escape

from warehouse.capped import capped


def shown(value: object) -> str:
    """The value capped (warehouse/capped.py) and with Rich markup escaped."""
    return escape(capped(value))
