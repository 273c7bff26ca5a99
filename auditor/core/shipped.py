"""The data files shipped with auditor: ``data/`` of a source tree, ``auditor/_data`` once installed.

Found beside the package rather than through `importlib.resources`, whose import every run
paid (a replayed one too) for the same directory: the files are read by path anyway.
"""

from __future__ import annotations

from pathlib import Path


def shipped_directories() -> tuple[Path, Path]:
    """Where shipped data files are looked for, in order: installed, then a source tree's."""
    package = Path(__file__).resolve().parents[1]
    return package / "_data", package.parent / "data"


def shipped_file(name: str) -> Path | None:
    """The shipped data file ``name``, or None when this installation lacks it."""
    for directory in shipped_directories():
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None
