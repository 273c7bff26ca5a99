"""``--roots NAME`` audits what ``dnf install NAME`` installs when another package obsoletes NAME.

dnf (its ``obsoletes`` option, on by default) chooses among the packages named NAME and those
that obsolete them, and libsolv installs the obsoleting one: a Citrix package of the audited
repository that obsoletes the meta-package is installed in its place, with what it requires.
The same holds for a root dnf installs from a context repository (``--with``): a newer package
of its name, or one that obsoletes it. dnf is the authority (``dnf install --downloadonly`` into
an empty installroot, the packages it would install); the packages are built by rpmbuild, their
repodata by createrepo_c.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX as CITRIX_VENDOR
from tests.deps.built import build_preambles, build_repository

CITRIX = "Vendor: Citrix Systems, Inc.\n"
PACKAGES = {
    "meta": "Requires: cleanlib\n",
    "cleanlib": "",
    "xs-meta": CITRIX + "Obsoletes: meta < 2\nRequires: xs-only\n",
    "xs-only": "",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_preambles(PACKAGES, tmp_path_factory.mktemp("obsoleted"))


def dnf_installs(repos: list[Path], name: str, where: Path) -> set[str]:
    """The names of the packages ``dnf install name`` installs from ``repos`` on an empty host."""
    assert shutil.which("dnf"), "dnf is the authority here: install dnf"
    command = ["dnf", "-q", "--disableplugin=local", f"--installroot={where / 'root'}"]
    command += ["--setopt=reposdir=/nonexistent", f"--setopt=cachedir={where / 'cache'}", "--releasever=1"]
    command += ["--nogpgcheck", *(f"--repofrompath=r{number},{repo}" for number, repo in enumerate(repos))]
    command += ["install", "-y", "--downloadonly"]
    command += [f"--destdir={where / 'downloaded'}", name]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return {path.name.rsplit("-", 2)[0] for path in (where / "downloaded").glob("*.rpm")}


def test_the_package_dnf_installs_in_place_of_a_root_is_audited(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    installed = dnf_installs([repo], "meta", tmp_path)
    assert installed == {"xs-meta", "xs-only"}
    capsys.readouterr()
    code = main(["scan", str(repo), "--roots", "meta", "--format", "json", "-q", "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    statuses = {row["name"]: row["status"] for row in report["packages"]}
    assert installed <= set(statuses)  # every alternative counted: meta and cleanlib too
    assert statuses["xs-meta"] == "origin"
    assert code == 1


CONTEXTS = {
    # the one dnf installs is of the context: a newer package of the root's name ...
    "newer": [{"name": "meta", "evr": "2.0-1", "requires": ["xs-stuff"], **CITRIX_VENDOR}],
    # ... or one that obsoletes the root
    "obsoleting": [{"name": "xs-meta", "obsoletes": ["meta"], "requires": ["xs-stuff"], **CITRIX_VENDOR}],
}


@pytest.mark.parametrize("case", sorted(CONTEXTS))
def test_a_root_dnf_installs_from_a_context_repository_is_audited(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing audited requires such a root to carry its taint: it is audited itself."""
    target = build_repository(
        [{"name": "meta", "requires": ["cleanlib"]}, {"name": "cleanlib"}], tmp_path / "t"
    )
    context = build_repository([*CONTEXTS[case], {"name": "xs-stuff", **CITRIX_VENDOR}], tmp_path / "c")
    installed = dnf_installs([target, context], "meta", tmp_path)
    chosen = CONTEXTS[case][0]
    assert installed == {chosen["name"], "xs-stuff"}
    # A context package whose source package is not in the run is no gap, audited or not.
    shutil.rmtree(context.parent / "SRPMS")
    capsys.readouterr()
    command = ["scan", str(target), "--with", str(context), "--roots", "meta", "--format", "json", "-q"]
    code = main([*command, "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    rows = {row["nevra"]: row for row in report["packages"]}
    row = rows[f"{chosen['name']}-{chosen.get('evr', '1.0-1')}.noarch"]
    assert row["status"] == "origin"
    assert not [fact for fact in row["facts"] if fact["kind"] == "gap"]
    assert code == 1


def test_a_package_a_root_obsoletes_is_not_audited_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """xcp-ng-deps obsoletes XenServer's emu-manager and installs xenopsd-xc, which requires
    ``emu-manager``, met by XCP-ng's xcp-emu-manager: no host xcp-ng-deps makes holds the Citrix
    one, so an audit of what installing xcp-ng-deps pulls in does not audit it (it did, every
    alternative counted, and it blocked)."""
    packages = [
        {"name": "meta", "requires": ["mid"], "obsoletes": ["xs-manager"]},
        {"name": "mid", "requires": ["manager"]},
        {"name": "clean-manager", "provides": ["manager"]},
        {"name": "xs-manager", "provides": ["manager"], **CITRIX_VENDOR},
    ]
    repo = build_repository(packages, tmp_path / "t")
    installed = dnf_installs([repo], "meta", tmp_path)
    assert installed == {"meta", "mid", "clean-manager"}
    capsys.readouterr()
    code = main(["scan", str(repo), "--roots", "meta", "--format", "json", "-q", "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    binaries = {row["name"] for row in report["packages"] if row["kind"] == "binary"}
    assert binaries == installed
    assert code == 0
