"""The README's [[policy.allow]] example accepts the URL it was reviewed for, not every URL
of its rule the package will ever carry (red team 6, #15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.origin.scanned import scan, write_spec
from tests.paths import ROOT

TARBALL = "https://repo.citrite.net/xs-local-contrib/lvm2/LVM2.2.02.130.tgz"
CLOSED = "https://code.citrite.net/rest/archive/latest/projects/XSC/repos/closed-helper/archive?at=v1#/closed.tar.gz"


def readme_allow_example() -> str:
    """The README's ``[[policy.allow]]`` table, as written there."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n[[policy.allow]]")
    return text[start : text.index("\n\n", start)] + "\n"


def test_the_readme_allow_example_accepts_only_the_reviewed_tarball(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "auditor.toml").write_text(readme_allow_example())
    reviewed = write_spec(tmp_path, "lvm2", f"Source0: {TARBALL}")
    monkeypatch.chdir(tmp_path)
    code, findings, _ = scan(capsys, reviewed)
    assert [(f["field"], f["disposition"]) for f in findings["lvm2"]] == [("source0", "allowed")]
    assert code == 0
    # A Source added later from Citrix's proprietary project is judged, not allowed with it.
    (tmp_path / "later").mkdir()
    later = write_spec(tmp_path / "later", "lvm2", f"Source0: {TARBALL}", f"Source1: {CLOSED}")
    code, findings, _ = scan(capsys, later)
    dispositions = {f["field"]: f["disposition"] for f in findings["lvm2"]}
    assert (code, dispositions) == (1, {"source0": "allowed", "source1": "blocks"})
