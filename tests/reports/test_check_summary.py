"""``check``'s last line counts the change's own packages that got worse with them: "2 new
package(s), 0 worse" beside ``app-2`` gone clean -> unresolved read as if nothing had (red team
gatehunt55); "worse" counted only the repository's other packages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.rpmbuild import binary_of

APP = """Name: app
Version: {version}
Release: 1
Summary: s
License: MIT
BuildArch: noarch
{requires}
%description
d
%files
"""


def test_a_new_package_that_gets_worse_is_counted_in_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old").mkdir()
    base = tmp_path / "base"
    base.mkdir()
    binary_of(APP.format(version="1", requires=""), tmp_path / "old").rename(base / "app-1-1.noarch.rpm")
    subprocess.run(["createrepo_c", "--quiet", str(base)], check=True)
    spec = tmp_path / "app.spec"
    spec.write_text(APP.format(version="2", requires="Requires: nothing-provides-this"))
    code = main(["check", str(spec), "--against", str(base), "--no-cache"])
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert code == 1
    assert last == (
        "2 new package(s) (1 with a new fact), 0 other package(s) worse, 0 better; "
        "blocking facts (per package) 0 -> 1; exit code 1"
    )
