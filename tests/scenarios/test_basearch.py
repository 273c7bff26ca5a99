"""``$basearch`` follows the host architecture the run audits for, as dnf on that host expands it.

``baseurl=.../$basearch/`` read for x86_64 while ``--arch aarch64`` says the host is an aarch64
one audited what that host never installs and missed what it does: here an aarch64 Citrix
package, which dnf on such a host (the authority: ``dnf --forcearch aarch64 repoquery``) lists.
The packages are built by rpmbuild (``--target aarch64``), the repositories by createrepo_c.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.core.errors import ExitCode
from tests.scenarios.test_repo_excludes import CITRIX, CLEAN, build


def build_for(directory: Path, name: str, tags: str, top: Path, target: str) -> None:
    """A package of architecture ``target`` (no files: rpmbuild builds it on any host)."""
    spec = top / f"{name}.spec"
    spec.write_text(
        f"Name: {name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n{tags}%description\nd\n%files\n"
    )
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(top), "LC_ALL": "C"}
    command = ["rpmbuild", "-bb", "--quiet", "--target", target, "--define", f"_topdir {top}"]
    command += [
        "--define",
        f"_rpmdir {directory}",
        "--define",
        "_build_name_fmt %{NAME}-%{ARCH}.rpm",
        str(spec),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def configuration(tmp_path: Path) -> Path:
    top = tmp_path / "top"
    top.mkdir()
    for arch in ("x86_64", "aarch64"):
        build(tmp_path / arch, "base", CLEAN, top)
    build_for(tmp_path / "aarch64", "agent", CITRIX, top, "aarch64")
    for arch in ("x86_64", "aarch64"):
        subprocess.run(["createrepo_c", "-q", str(tmp_path / arch)], check=True)
    config = tmp_path / "repos" / "os.repo"
    config.parent.mkdir()
    config.write_text(f"[os]\nname=os\nbaseurl=file://{tmp_path}/$basearch/\ngpgcheck=0\n")
    return config


def dnf_names(config: Path, where: Path, arch: str) -> set[str]:
    assert shutil.which("dnf"), "dnf is the authority here: install dnf and dnf-plugins-core"
    (where / "main.conf").write_text("[main]\n")
    command = ["dnf", "-q", f"--forcearch={arch}", f"--config={where / 'main.conf'}", "--releasever=8"]
    command += [f"--setopt=reposdir={config.parent}", f"--installroot={where / 'root'}"]
    command += [
        f"--setopt=cachedir={where / 'cache'}",
        "repoquery",
        "--arch",
        f"{arch},noarch",
        "--qf",
        "%{name}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def audited(config: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, set[str]]:
    capsys.readouterr()
    code = main(["scan", str(config), *args, "--format", "json", "-q", "--no-cache"])
    document = json.loads(capsys.readouterr().out)
    return code, {row["name"] for row in document["packages"]}


def test_the_base_architecture_is_the_hosts(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert dnf_names(configuration, tmp_path, "aarch64") == {"base", "agent"}
    code, names = audited(configuration, ["--arch", "aarch64"], capsys)
    assert names == {"base", "agent"} and code == ExitCode.FINDINGS
    # --basearch still says which directory is read; without --arch, x86_64.
    assert audited(configuration, ["--arch", "aarch64", "--basearch", "x86_64"], capsys) == (
        ExitCode.PASSED,
        {"base"},
    )
    assert audited(configuration, [], capsys) == (ExitCode.PASSED, {"base"})


def test_host_architectures_of_two_base_architectures_need_basearch(
    configuration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Neither directory is all such hosts install: the section is an input error, not a guess."""
    assert main(["scan", str(configuration), "--arch", "x86_64", "--arch", "aarch64", "-q"]) == ExitCode.INPUT
    assert "$basearch left unexpanded in baseurl (give --basearch)" in capsys.readouterr().err


def test_a_64_bit_host_with_its_32_bit_multilib_reads_its_own_directory(
    configuration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review 16: ``--arch x86_64 --arch i686`` (a multilib x86_64 host) asked for --basearch; dnf on
    such a host reads .../x86_64/, as the auditor did before $basearch followed --arch."""
    assert audited(configuration, ["--arch", "x86_64", "--arch", "i686"], capsys) == (
        ExitCode.PASSED,
        {"base"},
    )
