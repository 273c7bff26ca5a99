"""The same packages give the same report whatever the order they come in: the arguments, the
names of the files in a directory, the entries of a repository's primary.xml (red team 18, found
by a random search over package sets).

Where a requirement has two tainted providers equally near an origin package, the chain a report
shows goes through one of them: it must be the same one however the inputs were ordered. The
packages are built by rpmbuild, the repositories indexed by createrepo_c.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import build_preambles

PREAMBLES = {
    "app": "Requires: (libe or libc)\n",
    "libc": "Requires: cx-dist\n",
    "libe": "Requires: cx-dist\n",
    "cx-dist": "Distribution: XenServer 8\n",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    repo = build_preambles(PREAMBLES, tmp_path_factory.mktemp("order"))
    return {path.name.split("-1.0-")[0]: path for path in repo.glob("*.rpm")}


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(["scan", *args, "--format", "json", "--no-cache", "-q"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def app_of(report: dict[str, Any]) -> tuple[str, list[Any]]:
    (app,) = (package for package in report["packages"] if package["name"] == "app")
    return app["why"], app["chain"]


def test_the_order_of_the_arguments_does_not_change_the_chain_shown(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["app", "libe", "libc", "cx-dist"]
    shown = {app_of(scan([str(built[name]) for name in order], capsys))[0] for order in (names, names[::-1])}
    assert len(shown) == 1, shown
    assert re.match(
        r"needs libc-1\.0-1\.noarch \(for \(libe or libc\), all 2 providers tainted\)", shown.pop()
    )


@pytest.mark.parametrize("repository", [False, True], ids=["directory", "repository"])
def test_the_names_of_the_files_do_not_change_the_chain_shown(
    built: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], repository: bool
) -> None:
    reports = []
    for prefix in ("a", "z"):  # libc's file first, then last, in the walk and in primary.xml
        directory = tmp_path / prefix
        directory.mkdir()
        for name, path in built.items():
            shutil.copy(path, directory / (f"{prefix}-{name}.rpm" if name == "libc" else path.name))
        if repository:
            subprocess.run(["createrepo_c", "--quiet", str(directory)], check=True)
        reports.append(app_of(scan([str(directory)], capsys)))
    assert reports[0] == reports[1]
