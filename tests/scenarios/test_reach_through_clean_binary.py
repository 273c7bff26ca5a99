"""A build taint's reach follows the buildroot's Requires to a blocked binary's own build.

app2 BuildRequires the clean tool, which Requires heldlib, built only with Citrix cx-zz: app2 is
build-depends, and its baseline entry accepts cx-zz. In the next release tool also Requires
helper, built only with Citrix cx-yy: dnf builddep app2 installs helper too, so app2's build now
needs a second Citrix package. The reach followed the build requirements' own builds only, so
it recorded nothing through tool: the baseline scan passed (exit 0), check said nothing got
worse (red team). Real packages (rpmbuild) in real repositories (createrepo_c).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository

COMMON: list[dict[str, Any]] = [
    {"name": "cx-zz", **CITRIX},
    {"name": "cx-yy", **CITRIX},
    {"name": "heldlib", "buildrequires": ["cx-zz"]},
    {"name": "helper", "buildrequires": ["cx-yy"]},
    {"name": "app2", "buildrequires": ["tool"]},
]


def _sides(repo: Path) -> list[str]:
    return [str(repo), str(repo.parent / "SRPMS")]


def test_a_build_taint_through_a_clean_binary_reaching_one_more_citrix_package_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = build_repository([*COMMON, {"name": "tool", "requires": ["heldlib"]}], tmp_path / "old")
    new = build_repository([*COMMON, {"name": "tool", "requires": ["heldlib", "helper"]}], tmp_path / "new")
    baseline = str(tmp_path / "b.json")
    assert main(["baseline", *_sides(old), "--baseline", baseline, "--no-cache", "-q"]) == 0
    assert main(["scan", *_sides(new), "--baseline", baseline, "--no-cache", "-q"]) == 1
    assert "it now also reaches cx-yy" in capsys.readouterr().out
    tool = str(new / "noarch" / "tool-1.0-1.noarch.rpm")
    assert main(["check", tool, "--against", *_sides(old), "--no-cache", "-q"]) == 1
