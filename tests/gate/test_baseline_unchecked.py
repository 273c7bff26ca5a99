"""A baseline is refused when the clean-way check stopped at its bounds, and says so rightly.

No input and no waiver lifts that gap (`auditor.rpm.gaps.INPUT_GAP_KINDS`): the refusal said
"give the auditor the missing evidence", sending a release manager after evidence that does
not exist (red team 40). A ladder of packages, each with no clean installation only once the
one before is tainted, needs a round of the check each; with the rounds cut to 2 it stops.
Real packages (rpmbuild) in a real repository (createrepo_c).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.deps import cleanway
from tests.deps.built import CITRIX, build_repository
from tests.deps.screen import screen_only


def _ladder(n: int) -> list[dict[str, Any]]:
    """``app1`` cannot be installed without ``cx1`` (``mid1`` needs ``pal1``, which conflicts with
    ``clean1``); ``app<k>`` can, until ``app<k-1>`` is found tainted."""
    specs: list[dict[str, Any]] = [{"name": "cx1", "provides": ["lib1"], **CITRIX}]
    for k in range(1, n + 1):
        specs += [
            {"name": f"clean{k}", "provides": [f"lib{k}"]},
            {"name": f"mid{k}", "requires": [f"pal{k}"]},
            {"name": f"pal{k}", "conflicts": [f"clean{k}"]},
            {"name": f"app{k}", "requires": [f"lib{k}", f"mid{k}"]},
        ]
        if k > 1:
            specs.append({"name": f"via{k}", "provides": [f"lib{k}"], "requires": [f"app{k - 1}"]})
    return specs


def test_a_baseline_past_the_clean_way_checks_bounds_is_refused_naming_the_bounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = build_repository(_ladder(5), tmp_path)
    written = tmp_path / "baseline.json"
    monkeypatch.setattr(cleanway, "ROUNDS", 2)
    screen_only(monkeypatch, True)  # asking every package finds the whole ladder in one round
    assert main(["baseline", "-q", "--no-cache", "--baseline", str(written), str(repo)]) == 3
    err = capsys.readouterr().err
    assert "clean-way-unchecked" in err and "the clean-way check stopped at its bounds" in err, err
    assert "missing evidence" not in err
    assert not written.exists()
