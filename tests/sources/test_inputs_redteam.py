"""What the auditor reads from the paths it is given: no RPM file in them is skipped, and no
file is read as more or less than it is, without the run saying so (red team of the inputs).

Each case puts a Citrix source package (a fixture rpmbuild made) where a tool that is the
authority reads it (rpm -qp reads any name, createrepo_c lists RPM files in ``repodata/``,
rpm -K refuses bytes after the payload), beside a clean one that passes ``--strict`` alone:
the run must show the Citrix package or fail, never pass clean. What a walk cannot look at (a
symbolic link to nothing, an unreadable file) is an input error, and a ``.repo`` file whose
repositories it does not fetch a warning; and a file longer than its package is said from its size, never hashed to the
end of a sparse terabyte.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.conftest import RPMS
from tests.httpserver import LocalServer
from tests.paths import ROOT
from tests.unprivileged import auditor_without_override

CITRIX = "bcond-citrix-1.0-1.src.rpm"
CITRIX_NEVRA = "bcond-citrix-1.0-1.src"
CLEAN = "payload-xz-1.0-1.src.rpm"
"""Clean, and its rebuild too (a source RPM alone is audited with what its spec builds): the
binary of epochs' spec requires what no tree here provides."""


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str, list[str]]:
    """The exit code of ``scan --strict ARGS``, the NEVRAs its JSON report lists, standard
    error, and the text of each gap the report holds."""
    code = main(["scan", *args, "--strict", "--no-cache", "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    document = json.loads(captured.out)
    nevras = sorted(package["nevra"] for package in document["packages"])
    gaps = [gap["text"] for gap in document["completeness"]["gaps"]]
    return code, nevras, captured.err, gaps


@pytest.fixture
def clean_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A directory holding the clean source package, which alone passes --strict."""
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(RPMS / CLEAN, tree / CLEAN)
    code, nevras, err, _ = scan([str(tree)], capsys)
    assert code == 0, err
    assert nevras == ["payload-xz-1.0-1.noarch", "payload-xz-1.0-1.src"]
    return tree


def rpm_query(path: Path) -> str:
    """What rpm -qp reads of ``path``, whatever its name."""
    done = subprocess.run(
        ["rpm", "-qp", "--nosignature", "--qf", "%{NEVRA}", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def createrepo_listing(repository: Path) -> list[str]:
    """The package locations createrepo_c lists for ``repository`` (indexed again, in a copy)."""
    copy = repository.parent / f"{repository.name}-indexed"
    shutil.copytree(repository, copy, symlinks=True)
    subprocess.run(["createrepo_c", "--quiet", str(copy)], check=True, capture_output=True)
    primary = next((copy / "repodata").glob("*-primary.xml.gz"))
    done = subprocess.run(["zcat", str(primary)], check=True, capture_output=True, text=True)
    return sorted(part.split('"', 1)[0] for part in done.stdout.split('location href="')[1:])


def test_read_rpms_reads_an_rpm_file_kept_in_a_repodata_directory(
    clean_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (clean_tree / "repodata").mkdir()
    shutil.copy(RPMS / CITRIX, clean_tree / "repodata" / CITRIX)
    (clean_tree / "sub" / "repodata").mkdir(parents=True)
    shutil.copy(RPMS / CITRIX, clean_tree / "sub" / "repodata" / "again.rpm")
    code, nevras, err, _ = scan(["--read-rpms", str(clean_tree)], capsys)
    assert CITRIX_NEVRA in nevras, err
    assert code != 0


def test_an_rpm_file_in_repodata_the_metadata_does_not_list_is_a_gap(
    clean_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run(["createrepo_c", "--quiet", str(clean_tree)], check=True, capture_output=True)
    shutil.copy(RPMS / CITRIX, clean_tree / "repodata" / CITRIX)
    # createrepo_c, run again, publishes it: it is a package file of the repository.
    assert createrepo_listing(clean_tree) == [CLEAN, f"repodata/{CITRIX}"]
    code, _, err, gaps = scan([str(clean_tree)], capsys)
    assert code == 3, err
    assert (
        f"not seen: file-outside-metadata: {clean_tree}: 1 RPM file not listed in its metadata: repodata/{CITRIX}"
        in gaps
    )


@pytest.mark.parametrize(
    "name",
    [
        f"{CITRIX}.1",
        "bcond-citrix",
        "bcond-citrix.rpm~",
        "bcond.RPM.part",
        "bcond-citrix.repo",
        "bcond-citrix.spec",
    ],
)
def test_an_rpm_file_not_named_rpm_in_a_walked_directory_is_read(
    name: str, clean_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``wget`` saves a second download of ``x.rpm`` as ``x.rpm.1``; rpm -qp reads any name."""
    shutil.copy(RPMS / CITRIX, clean_tree / name)
    assert rpm_query(clean_tree / name) == "bcond-citrix-1.0-1.noarch"
    code, nevras, err, _ = scan([str(clean_tree)], capsys)
    assert CITRIX_NEVRA in nevras, err
    assert code != 0


def test_files_that_are_no_rpm_beside_an_rpm_in_a_walk_stay_silent(
    clean_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The look at files not named *.rpm reads only what starts as an RPM does."""
    (clean_tree / "README").write_text("a packaging tree\n")
    (clean_tree / "short").write_bytes(b"\xed\xab")
    (clean_tree / "empty").write_bytes(b"")
    os.mkfifo(clean_tree / "pipe")
    code, nevras, err, _ = scan([str(clean_tree)], capsys)
    assert (code, nevras) == (0, ["payload-xz-1.0-1.noarch", "payload-xz-1.0-1.src"]), err


@pytest.mark.parametrize("name", ["latest", "x.rpm"])
def test_a_dangling_symbolic_link_in_a_walked_directory_is_an_input_error(
    name: str, clean_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mirror's ``latest -> 8.3`` before 8.3 is synced: what it names may be a directory of
    packages. A ``*.rpm``, read without a look at its first bytes, said "no such file" of a file
    the walk had just listed."""
    (clean_tree / name).symlink_to("8.3")
    code, _, err, _ = scan([str(clean_tree)], capsys)
    assert code == 3
    assert f"auditor: error: {clean_tree / name}: a symbolic link to nothing (8.3 is not there)" in err


@pytest.mark.parametrize("after", ["citrix", "garbage"])
def test_bytes_after_the_package_are_an_input_error(
    after: str, clean_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two packages in one file (or anything after one): rpm -qp reads the first, rpm -K finds the
    payload digests BAD and rpm -i refuses it; the auditor must not pass it clean."""
    joined = clean_tree / CLEAN
    tail = (RPMS / CITRIX).read_bytes() if after == "citrix" else b"\0garbage" * 100
    joined.write_bytes((RPMS / CLEAN).read_bytes() + tail)
    assert rpm_query(joined) == "payload-xz-1.0-1.noarch"
    checked = subprocess.run(["rpm", "-K", "--nosignature", str(joined)], capture_output=True, text=True)
    assert checked.returncode != 0 and "NOT OK" in checked.stdout
    code, nevras, err, _ = scan([str(clean_tree)], capsys)
    assert nevras == ["payload-xz-1.0-1.noarch", "payload-xz-1.0-1.src"]
    assert code == 3
    package = len((RPMS / CLEAN).read_bytes())
    assert f"auditor: error: {joined}: {len(tail)} bytes follow the {package} bytes of the package" in err


def test_a_file_a_walk_cannot_open_is_an_input_error(clean_tree: Path) -> None:
    """Run without the power to override file modes: whether an unreadable file is an RPM
    file cannot be told, and the run says so rather than pass it over."""
    secret = clean_tree / "bcond-citrix"
    shutil.copy(RPMS / CITRIX, secret)
    secret.chmod(0)
    done = auditor_without_override("scan", "--strict", "--no-cache", "-q", str(clean_tree))
    assert done.returncode == 3, done.stderr
    assert (
        f"auditor: error: {secret}: permission denied; whether it is an RPM file could not be told"
        in done.stderr.splitlines()
    )


def test_a_sparse_terabyte_after_a_package_is_not_read_to_its_end(tmp_path: Path) -> None:
    """A package followed by a terabyte of sparse zeros (``truncate -s 1T``): the file is an
    error as any with bytes after its package, found in the size, and it is not read to its
    end to hash it (about 40 minutes at 400 MB/s). The timeout is a hang guard."""
    package = tmp_path / CLEAN
    shutil.copy(RPMS / CLEAN, package)
    size = package.stat().st_size
    os.truncate(package, 1 << 40)
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", "--strict", "--no-cache", "-q", str(package)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert f"auditor: error: {package}: {(1 << 40) - size} bytes follow the {size} bytes" in done.stderr


@pytest.mark.parametrize("name", ["build.repo", "etc/yum.repos.d/citrix.repo", "etc/yum.conf"])
def test_a_repository_configuration_in_a_walked_directory_is_said_and_no_gap(
    name: str, clean_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A build environment's ``.repo`` (what mock installs the build's requirements from), an
    image's ``/etc/yum.repos.d``, a published repository's own ``.repo`` at its top: the
    repositories they name are not read from a walk (that would use the network unasked), and
    the run says so, in the report too. It is no gap: what the directory holds was read whole,
    and a repository a file in it names is no part of it (a mirror that publishes its own
    ``.repo`` beside its packages would otherwise never pass --strict)."""
    config = clean_tree / name
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[xs]\nname=XenServer\nbaseurl=https://repo.citrite.net/xs/\nenabled=1\n")
    code = main(["scan", str(clean_tree), "--strict", "--no-cache", "--format", "json"])
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    said = (
        f"{config}: a repository configuration in a directory walked, not read: name it as an input "
        "to read the repositories it configures"
    )
    assert code == 0, captured.err
    assert said in captured.err
    assert said in document["warnings"]
    assert document["completeness"]["gaps"] == []


def test_a_directory_of_repository_configurations_alone_read_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``scan /etc/yum.repos.d`` meant ``scan /etc/yum.repos.d/*.repo``: the directory holds
    nothing the auditor reads, which is never a clean run."""
    (tmp_path / "citrix.repo").write_text("[xs]\nname=XenServer\nbaseurl=https://repo.citrite.net/xs/\n")
    assert main(["scan", str(tmp_path), "--no-cache", "--format", "json"]) == 3
    assert "nothing was read from it" in capsys.readouterr().err


def test_bytes_after_a_remote_package_are_an_input_error(
    www: Path, server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """As for a local file: the server's file is longer than the package its signature records
    (a package appended, and the metadata made again over it, as createrepo_c does), which the
    header's read by range learns from the size the server gives (Content-Range)."""
    joined = www / "repo" / "Packages" / "epochs-1.2-4.noarch.rpm"
    size = joined.stat().st_size
    tail = (RPMS / CITRIX).read_bytes()
    joined.write_bytes(joined.read_bytes() + tail)
    subprocess.run(["createrepo_c", "--quiet", str(www / "repo")], check=True, capture_output=True)
    code = main(["scan", server.url("/repo/"), "--no-cache", "--format", "json"])
    captured = capsys.readouterr()
    errors = json.loads(captured.out)["errors"]
    assert code == 3, captured.err
    url = server.url("/repo/Packages/epochs-1.2-4.noarch.rpm")
    assert [error["message"] for error in errors if error["input"] == url] == [
        f"{len(tail)} bytes follow the {size} bytes of the package its signature records: not an RPM "
        "file as rpm installs it"
    ]
