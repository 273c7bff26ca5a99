"""A dead end that an early choice leads to, found past many later choices: backjumping.

``app`` Requires ``libg`` (``g-a`` or ``g-b``) and ``libc1`` ... ``libc18`` (each ``cN-a`` or
``cN-b``, which hold nothing). ``g-a`` and ``g-b`` Require ``libs`` (``s1`` or ``s2``), which
Require ``presets``: Citrix's ``cx-presets`` or ``clean-presets``, which ``app`` Conflicts with.
libsolv cannot install ``app`` without Citrix. The clean-way search (`auditor.deps.cleanway`)
makes its choices in order (``libg``, the eighteen ``libc``, ``libs``) and meets ``presets``
with no clean provider left; going back one choice at a time, it tried every option of the
eighteen choices between (2^20 walks) and ran out of steps, leaving ``app`` unasked: an
incomplete audit that could not say ``depends``. XCP-ng's spec files of three branches at once
made one such package (three versions of most names) 16,385 walks, 30 s.

Each package a walk holds now carries the choices that put it there (`auditor.deps.backjump`):
the dead end depends on the ``libs`` choice alone, that choice (every option failed) on the
``libg`` choice, and that one on nothing: a handful of walks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.deps import cleanway
from auditor.rpm.gaps import GapKind
from tests.deps.built import CITRIX, audit, build_repository, libsolv_needs, verdicts

CHOICES = 18

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-presets", "provides": ["presets"], **CITRIX},
    {"name": "clean-presets", "provides": ["presets"]},
    {"name": "s1", "provides": ["libs"], "requires": ["presets"]},
    {"name": "s2", "provides": ["libs"], "requires": ["presets"]},
    {"name": "g-a", "provides": ["libg"], "requires": ["libs"]},
    {"name": "g-b", "provides": ["libg"], "requires": ["libs"]},
    *({"name": f"c{n}-{side}", "provides": [f"libc{n}"]} for n in range(1, CHOICES + 1) for side in "ab"),
    {
        "name": "app",
        "requires": ["libg", *(f"libc{n}" for n in range(1, CHOICES + 1))],
        "conflicts": ["clean-presets"],
    },
    # The twin with a way out: ``g-free`` holds nothing, so ``app-ok`` is installed without Citrix.
    {"name": "g-free", "provides": ["libgg"]},
    {"name": "g-stuck", "provides": ["libgg"], "requires": ["libs"]},
    {
        "name": "app-ok",
        "requires": ["libgg", *(f"libc{n}" for n in range(1, CHOICES + 1))],
        "conflicts": ["clean-presets"],
    },
]


def test_a_dead_end_far_below_its_choice_is_answered_as_libsolv_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = build_repository(PACKAGES, tmp_path)
    assert libsolv_needs(repository, "app-1.0-1.noarch", ["cx-presets"])
    assert not libsolv_needs(repository, "app-ok-1.0-1.noarch", ["cx-presets"])
    walks: list[int] = []
    walk = cleanway._Search._walk

    def counted(self: cleanway._Search, *args: Any) -> Any:
        walks.append(1)
        return walk(self, *args)

    monkeypatch.setattr(cleanway._Search, "_walk", counted)
    result = audit(repository)
    found = verdicts(result)
    assert found["app-1.0-1.noarch"] == "depends"
    assert found["app-ok-1.0-1.noarch"] == "may-depend"
    assert GapKind.CLEAN_WAY_UNCHECKED not in {gap.kind for gap in result.gaps}
    # Chronological backtracking took 2^20 walks here (past `cleanway.STEPS`); the bound is
    # loose on purpose: what counts is that no later choice's options are each tried.
    assert len(walks) < 200
