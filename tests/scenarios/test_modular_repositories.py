"""A repository with modular metadata is one whose packages dnf filters: the audit says so.

dnf hides the packages of a module stream that is not enabled. In the context repository
below, the clean ``foo-clean`` belongs to the stream ``foomod:clean``, which nothing enables,
so dnf (the authority: ``dnf repoquery --whatprovides foo``) sees only the Citrix
``foo-citrix``, and ``app`` depends on it. The auditor does not work out which streams a host
enables; counting ``foo-clean`` as a clean alternative makes ``app`` ``may-depend``, which
does not block. It must not pass silently: the run is incomplete (``modules-not-filtered``)
in every format, and ``--strict`` fails it. The packages are built by rpmbuild, the
repositories by createrepo_c, the modular metadata added by modifyrepo_c.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from auditor.cli.main import main
from auditor.core.errors import ExitCode
from tests.paths import ROOT
from tests.scenarios.test_repo_excludes import app_and_providers, dnf_providers

MODULES = """---
document: modulemd
version: 2
data:
  name: foomod
  stream: clean
  version: 1
  context: abcd1234
  arch: noarch
  summary: s
  description: d
  license:
    module: [MIT]
  artifacts:
    rpms:
    - foo-clean-0:1-1.noarch
...
"""


def repositories(base: Path, *, modular: bool) -> tuple[Path, Path]:
    audited, context = app_and_providers(base)
    if modular:
        assert shutil.which("modifyrepo_c"), "modifyrepo_c (createrepo_c) adds the modular metadata"
        (base / "modules.yaml").write_text(MODULES)
        command = ["modifyrepo_c", "--mdtype=modules", str(base / "modules.yaml"), str(context / "repodata")]
        subprocess.run(command, check=True, capture_output=True)
    (base / "context.repo").write_text(f"[ctx]\nname=ctx\nbaseurl=file://{context}\ngpgcheck=0\n")
    return audited, context


@pytest.mark.parametrize("modular", [True, False], ids=["modular", "not modular"])
def test_a_modular_repository_makes_the_audit_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], modular: bool
) -> None:
    audited, context = repositories(tmp_path, modular=modular)
    hidden = dnf_providers(tmp_path / "context.repo", tmp_path) == {"foo-citrix"}
    assert hidden is modular  # dnf hides the stream's package only when the metadata says so
    capsys.readouterr()
    code = main(["scan", str(audited), "--with", str(context), "--format", "json", "-q", "--no-cache"])
    document = json.loads(capsys.readouterr().out)
    kinds = {reason["reason"] for reason in document["completeness"]["reasons"]}
    assert ("modules-not-filtered" in kinds) is modular
    assert code == ExitCode.PASSED  # app is may-depend, which does not block: hence the gap
    if modular:
        assert (
            main(["scan", str(audited), "--with", str(context), "--strict", "-q", "--no-cache"])
            == ExitCode.INPUT
        )


def test_a_repository_listing_only_zchunked_modular_metadata_is_modular_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Red team 18: libdnf reads ``modules_zck`` first where zchunk is on; a repository whose
    repomd.xml lists only that type had no gap."""
    audited, context = repositories(tmp_path, modular=True)
    repomd = context / "repodata" / "repomd.xml"
    repomd.write_text(repomd.read_text().replace('<data type="modules">', '<data type="modules_zck">'))
    capsys.readouterr()
    main(["scan", str(audited), "--with", str(context), "--format", "json", "-q", "--no-cache"])
    document = json.loads(capsys.readouterr().out)
    assert "modules-not-filtered" in {reason["reason"] for reason in document["completeness"]["reasons"]}


def dnf_available(config: Path, where: Path) -> set[str]:
    """The names of the packages dnf sees in ``config``'s repository with its modular filtering
    off (``module_hotfixes``), its exclude applied: what the auditor reads as available."""
    assert shutil.which("dnf"), "dnf is the authority here: install dnf and dnf-plugins-core"
    (where / "empty.conf").write_text("[main]\n")
    command = ["dnf", "-q", f"--config={where / 'empty.conf'}", f"--setopt=reposdir={config.parent}"]
    command += ["--releasever=8", f"--installroot={where / 'root'}", f"--setopt=cachedir={where / 'cache'}"]
    command += ["--setopt=ctx.module_hotfixes=1", "repoquery", "--qf", "%{name}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


@pytest.mark.parametrize("context", [True, False], ids=["context", "audited"])
@pytest.mark.parametrize("exclude", ["", "foo-clean", "foo-c*"])
def test_the_modules_gap_counts_what_exclude_leaves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], exclude: str, context: bool
) -> None:
    """The gap stands for the packages read as available that a module stream may hide: those
    the section's exclude hides were counted, though dnf sees none of them whatever the
    streams (and the auditor, since they are hidden, reads none as available). When exclude
    hides every one, the repository's streams still hide other repositories' packages (review
    24): the gap stays, and counts one, the repository (it said ``0 modules-not-filtered``)."""
    audited, _context = repositories(tmp_path, modular=True)
    config = tmp_path / "conf" / "context.repo"
    config.parent.mkdir()
    config.write_text((tmp_path / "context.repo").read_text() + f"exclude={exclude}\n")
    available = dnf_available(config, tmp_path)
    capsys.readouterr()
    arguments = [str(audited), "--with", str(config)] if context else [str(config)]
    main(["scan", *arguments, "--format", "json", "-q", "--no-cache"])
    document = json.loads(capsys.readouterr().out)
    counts = {reason["reason"]: reason["count"] for reason in document["completeness"]["reasons"]}
    assert counts["modules-not-filtered"] == max(1, len(available)), (counts, available)


DEFAULT_STREAM = """---
document: modulemd-defaults
version: 1
data:
  module: foomod
  stream: clean
...
"""


def test_a_modular_repository_listing_no_package_hides_another_repositorys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review 24: a modular repository listing no package was no gap (318a241, "a stream can
    hide nothing there"). Its default stream ``foomod:clean`` lists ``foo-clean-2-1`` as an
    artifact, and dnf (the authority) hides the non-modular ``foo-clean`` of the context
    repository: only the Citrix ``foo`` is left, and ``app`` depends on it. The auditor counts
    ``foo-clean`` as a clean alternative (``may-depend``, exit 0): the gap must say so."""
    audited, context = app_and_providers(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    subprocess.run(["createrepo_c", "-q", str(empty)], check=True)
    stream = MODULES.replace("foo-clean-0:1-1.noarch", "foo-clean-0:2-1.noarch")  # not ctx's own
    (tmp_path / "modules.yaml").write_text(stream + DEFAULT_STREAM)
    command = ["modifyrepo_c", "--mdtype=modules", str(tmp_path / "modules.yaml"), str(empty / "repodata")]
    subprocess.run(command, check=True, capture_output=True)
    config = tmp_path / "conf" / "context.repo"
    config.parent.mkdir()
    config.write_text(
        f"[ctx]\nname=ctx\nbaseurl=file://{context}\ngpgcheck=0\n"
        f"[mod]\nname=mod\nbaseurl=file://{empty}\ngpgcheck=0\n"
    )
    assert dnf_providers(config, tmp_path) == {"foo-citrix"}
    capsys.readouterr()
    code = main(["scan", str(audited), "--with", str(config), "--format", "json", "-q", "--no-cache"])
    document = json.loads(capsys.readouterr().out)
    [app] = [row for row in document["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("may-depend", ExitCode.PASSED)  # hence the gap
    assert "modules-not-filtered" in {reason["reason"] for reason in document["completeness"]["reasons"]}


def test_a_modular_repository_listing_no_package_counts_its_gap_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """createrepo_c's own test data (tests/testdata/repo_03: modules.yaml, no package), scanned:
    the gap counted the packages listed, none, and the report said ``incomplete: 1
    nothing-audited, 0 modules-not-filtered``, a reason of count 0 its own schema refuses
    (``minimum: 1``). The gap stands for the repository's streams, which hide other
    repositories' packages (review 24): it counts one."""
    empty = tmp_path / "empty"
    empty.mkdir()
    subprocess.run(["createrepo_c", "-q", str(empty)], check=True)
    (tmp_path / "modules.yaml").write_text(MODULES + DEFAULT_STREAM)
    command = ["modifyrepo_c", "--mdtype=modules", str(tmp_path / "modules.yaml"), str(empty / "repodata")]
    subprocess.run(command, check=True, capture_output=True)
    capsys.readouterr()
    code = main(["scan", str(empty), "--format", "json", "--no-cache"])
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    jsonschema.validate(document, json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text()))
    counts = {reason["reason"]: reason["count"] for reason in document["completeness"]["reasons"]}
    assert counts == {"nothing-audited": 1, "modules-not-filtered": 1}
    assert " 0 " not in captured.err and code == ExitCode.INPUT
