"""The officer's commentary: Markdown written for the note, rendered with any raw HTML shown as text."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark with raw HTML off: `<script>` in the file is printed, escaped, never run; links with a
# javascript: or data: target are refused by markdown-it's own link check.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def render_comments(text: str | None) -> Markup | None:
    """The commentary as safe HTML for the note, or None when there is none."""
    if not text or not text.strip():
        return None
    return Markup(_MARKDOWN.render(text))  # safe: markdown-it escaped every raw tag above
