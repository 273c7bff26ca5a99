"""A later ``auditor check`` against a BASE whose audit is in the store still sees what the
change does to BASE's own packages.

What the store keeps of BASE (`auditor.cli.checkbase`) is decided by BASE alone; what a change
does to BASE's packages is not. Each test here stores BASE's record with a change that touches
nothing, then checks a change that does reach into BASE, and compares that check, byte for byte,
with one that cannot have used the store (``--no-cache``), and with what the change must be seen
to do: a speed-up that reused an answer of BASE alone (its resolution of a requirement, its
facts of a package the change did not name) would say "nothing gets worse" of a change that
makes BASE worse. The inputs are the shipped example (real RPMs, repodata by createrepo_c), with
BASE's one unresolved requirement in a spec of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import checkbase
from auditor.cli.main import main
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"

SPEC = """\
Name: {name}
Version: {version}
Release: 1.xcpng
Summary: a change of the example
License: MIT
URL: https://github.com/xcp-ng/{name}
Source0: https://github.com/xcp-ng/{name}/archive/v%{{version}}.tar.gz
BuildArch: noarch
{tags}
%description
x
%files
%{{_datadir}}/{name}
"""


def spec(directory: Path, name: str, version: str = "1.0", tags: str = "") -> str:
    path = directory / f"{name}-{version}.spec"
    path.write_text(SPEC.format(name=name, version=version, tags=tags))
    return str(path)


@pytest.fixture
def base(tmp_path: Path) -> list[str]:
    """The example, and a package of BASE that requires what nothing in BASE provides."""
    (tmp_path / "needs").mkdir()
    needy = spec(tmp_path / "needs", "needy", tags="Requires: v7licensing")
    return [str(EXAMPLE / "repo"), str(EXAMPLE / "srpms"), needy]


def later_check(
    change: str,
    base: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *more: str,
) -> dict[str, object]:
    """The check of ``change`` after one of a change that touches nothing stored BASE's record:
    the same, byte for byte, as the check that cannot use the store; its JSON report."""
    cache = tmp_path / "cache"
    args = ["--against", *base, "--cache-dir", str(cache), "--format", "json", *more]

    def check(*argv: str) -> tuple[int, str, str]:
        code = main(["check", *argv])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        return code, captured.out, captured.err

    untouched = check(spec(tmp_path, "unrelated"), *args)
    assert json.loads(untouched[1])["worse"] == []
    unstored = check(change, *args, "--no-cache")
    taken: list[object] = []
    get = checkbase.StoredBase.get

    def noted(self: checkbase.StoredBase) -> object:
        taken.append(get(self))
        return taken[-1]

    monkeypatch.setattr(checkbase.StoredBase, "get", noted)
    assert check(change, *args) == unstored
    assert taken and taken[0] is not None  # the later check had BASE's record from the store
    document: dict[str, object] = json.loads(unstored[1])
    return document


def nevras(rows: object) -> list[str]:
    assert isinstance(rows, list)
    return [row["nevra"] for row in rows]


def test_a_new_provider_of_what_base_left_unresolved(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """BASE alone resolved ``v7licensing`` to nothing: the change provides it."""
    report = later_check(
        spec(tmp_path, "v7", tags="Provides: v7licensing"), base, tmp_path, capsys, monkeypatch
    )
    assert nevras(report["better"]) == ["needy-1.0-1.xcpng.noarch"]


def test_a_new_provider_that_brings_citrix_to_what_base_left_unresolved(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tags = "Provides: v7licensing\nRequires: v6d-citrix"
    report = later_check(spec(tmp_path, "v7", tags=tags), base, tmp_path, capsys, monkeypatch)
    assert "needy-1.0-1.xcpng.noarch" in nevras(report["worse"])
    assert report["exit_code"] == 1


def test_a_replaced_package_that_base_packages_require(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """xcp-featured, the free provider of the ``v6licensing`` xapi-core requires, replaced by
    a version that no longer provides it: xapi-core now needs Citrix's v6d, and so does the
    package that requires xapi-core."""
    report = later_check(spec(tmp_path, "xcp-featured", "1.2.0"), base, tmp_path, capsys, monkeypatch)
    worse = ["xapi-core-1.249.0-1.xcpng.noarch", "xcp-ng-deps-1.0-1.xcpng.noarch"]
    assert nevras(report["worse"]) == worse
    assert report["exit_code"] == 1


def test_a_replaced_package_that_base_packages_require_from_roots(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = later_check(
        spec(tmp_path, "xcp-featured", "1.2.0"), base, tmp_path, capsys, monkeypatch, "--roots", "xcp-ng-deps"
    )
    assert "xcp-ng-deps-1.0-1.xcpng.noarch" in nevras(report["worse"])


def test_a_new_package_that_obsoletes_one_base_packages_require(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """xapi-core requires xcp-python-libs, which the change obsoletes: the report names it."""
    change = spec(tmp_path, "libs-next", tags="Obsoletes: xcp-python-libs")
    report = later_check(change, base, tmp_path, capsys, monkeypatch)
    assert report["obsoletes"] == [
        {
            "package": "libs-next-1.0-1.xcpng.noarch",
            "obsoletes": "xcp-python-libs-3.0.0-1.xcpng.noarch",
            "status": "origin",
        }
    ]
