"""`auditor why NAME` of a package the run read but did not audit (a ``--with`` context package,
which audited packages' chains end at) is still a usage error, exit 2, but it says so and what
makes the package origin, where it read as a name that is no package at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.origin.scanned import write_spec


def test_why_of_a_context_package_says_it_was_read_as_context_and_its_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = tmp_path / "context"
    context.mkdir()
    write_spec(context, "vend", "Vendor: Citrix Systems, Inc.")
    app = write_spec(tmp_path, "app", "Requires: vend")
    code = main(["why", "vend", str(app), "--with", str(context), "--no-cache"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[-1] == (
        "auditor: error: no audited package named 'vend': vend-1.0-1.noarch was read as context (--with, "
        "or left out by --arch or --roots), not audited; its evidence: [citrix-vendor] vendor: Citrix Systems, Inc."
    )
    assert main(["why", "nosuch", str(app), "--with", str(context), "--no-cache"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "auditor: error: no audited package named 'nosuch'"
