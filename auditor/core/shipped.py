"""The data files shipped with auditor: ``data/`` of a source tree, ``auditor/_data`` once installed.

Found beside the package rather than through `importlib.resources`, whose import every run
paid (a replayed one too) for the same directory: the files are read by path anyway.
"""

from __future__ import annotations

from pathlib import Path


def shipped_file(name: str) -> Path | None:
    """The shipped data file ``name``, or None when this installation lacks it."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "_data" / name, package.parent / "data" / name):
        if candidate.is_file():
            return candidate
    return None
