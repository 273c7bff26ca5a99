"""What every part of the HTML report writes package data with: escaped text and status badges."""

from __future__ import annotations

import html

from auditor.reports.inert import markup_inert
from auditor.reports.rows import Gate, PackageView
from auditor.reports.text import clean_text

CHAR_WIDTH = 7.3
"""Pixels per character of 12px monospace, to cut SVG text to its box (SVG text does not wrap)."""


def esc(text: str) -> str:
    """``text`` as HTML text or attribute value: nothing in it is read as markup."""
    return markup_inert(html.escape(clean_text(text), quote=True))


def fit(text: str, width: float) -> str:
    """``text`` escaped, cut with an ellipsis to what fits ``width`` pixels of 12px monospace."""
    room = max(int(width / CHAR_WIDTH), 4)
    text = " ".join(clean_text(text).split())
    if len(text) > room:
        text = text[: room - 1] + "\u2026"
    return esc(text)


def badges(row: PackageView) -> str:
    """The status badge of a package, and its gate state when it has one."""
    text = f'<span class="badge status-{row.status.value}">{row.status.value}</span>'
    if row.gate is not Gate.NONE:
        text += f' <span class="gate gate-{row.gate.value}">{row.gate.value}</span>'
    return text
