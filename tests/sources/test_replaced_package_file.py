"""A package file replaced after createrepo_c ran, under the same name, version and release,
is not the package the repository's metadata describes.

The case a reviewer found (rt11): a source package whose Source is Citrix's, rebuilt with a
clean Source and put in place of the file. dnf would refuse the new file on its checksum, so
its header must not stand for the package: read as the package's evidence, it made the
package clean, complete and exit 0. The auditor hashes no file, but the metadata's
``<size package>`` is compared with the file's size (locally its ``stat``, remotely the
server's Content-Range): a rebuild is almost never of the same size; one made the same size
is told by its build time or where its headers end (rt21). Real RPMs by rpmbuild,
repositories by createrepo_c, the remote one served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import replay
from auditor.cli.main import main
from auditor.formats.rpmheader import read_headers
from auditor.net.budget import DEFAULT_PER_PACKAGE
from tests.conftest import RPMS, rewrite_primary
from tests.httpserver import LocalServer
from tests.rpmbuild import build_noarch

SPEC = """Name: swapped
Version: 1
Release: 1
Summary: a package rebuilt under the same NEVRA
License: MIT
Source0: {source}
BuildArch: noarch
%description
d
%install
mkdir -p %{{buildroot}}/usr/share/swapped
echo {source} > %{{buildroot}}/usr/share/swapped/from
head -c {padding} /dev/urandom > %{{buildroot}}/usr/share/swapped/padding
%files
/usr/share/swapped
"""
CITRIX = "https://code.citrite.net/rest/archive/swapped-1.tar.gz"
CLEAN = "https://example.org/swapped-1.tar.gz"


def build(top: Path, source: str, padding: int) -> tuple[Path, Path]:
    """The source and binary RPMs rpmbuild makes of the spec with ``source`` as Source0, the
    binary holding ``padding`` random bytes (which no compression makes smaller)."""
    top.mkdir()
    spec = top / "swapped.spec"
    spec.write_text(SPEC.format(source=source, padding=padding))
    return build_noarch(spec, top, ["swapped-1.tar.gz"])


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    top = tmp_path_factory.mktemp("swapped")
    made = {"citrix": build(top / "citrix", CITRIX, 0), "clean": build(top / "clean", CLEAN, 4096)}
    # The check is of sizes: the two builds must differ in size for these tests to mean anything.
    assert made["citrix"][0].stat().st_size != made["clean"][0].stat().st_size
    assert made["citrix"][1].stat().st_size != made["clean"][1].stat().st_size
    assert made["citrix"][0].name == made["clean"][0].name
    return made


def repository(path: Path, srpm: Path, rpm: Path) -> Path:
    path.mkdir(parents=True)
    shutil.copy(srpm, path)
    shutil.copy(rpm, path)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(path)], check=True, capture_output=True)
    return path


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *args, "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, json.loads(captured.out), captured.err


def by_nevra(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {package["nevra"]: package for package in document["packages"]}


SAID = "not the file the metadata describes"


def test_a_local_source_package_replaced_by_a_clean_rebuild_is_an_error_and_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], builds: dict[str, tuple[Path, Path]]
) -> None:
    srpm, rpm = builds["citrix"]
    repo = repository(tmp_path / "repo", srpm, rpm)
    code, document, _ = scan([str(repo), "--no-cache"], capsys)
    packages = by_nevra(document)
    assert code == 1 and packages["swapped-1-1.src"]["status"] == "origin"  # as createrepo_c saw it
    shutil.copy(builds["clean"][0], repo / srpm.name)  # the same name, another file
    code, document, err = scan([str(repo), "--no-cache"], capsys)
    packages = by_nevra(document)
    assert code == 3 and SAID in err
    [error] = [line for line in err.splitlines() if SAID in line]
    assert str(repo / srpm.name) in error and f"says {srpm.stat().st_size}" in error
    # Not judged by the rebuild's header: its Sources are unseen, which it and its binary say.
    source, binary = packages["swapped-1-1.src"], packages["swapped-1-1.noarch"]
    assert [gap["kind"] for gap in source["gaps"]] == ["metadata-only"]
    assert SAID in source["gaps"][0]["detail"]
    assert [gap["kind"] for gap in binary["gaps"]] == ["metadata-only"]
    assert not any(CLEAN in json.dumps(finding) for finding in source["findings"])
    assert document["summary"]["headline"] == "failed"


def test_a_local_binary_replaced_is_caught_where_binary_headers_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], builds: dict[str, tuple[Path, Path]]
) -> None:
    """The default policy judges hosts in a header's BugURL, so binaries' headers are read too."""
    srpm, rpm = builds["citrix"]
    repo = repository(tmp_path / "repo", srpm, rpm)
    clean_rpm = builds["clean"][1]
    shutil.copy(clean_rpm, repo / rpm.name)
    code, document, err = scan([str(repo), "--no-cache"], capsys)
    assert code == 3 and f"{repo / rpm.name}: the file is {clean_rpm.stat().st_size} bytes" in err
    binary = by_nevra(document)["swapped-1-1.noarch"]
    assert "metadata-only" in [gap["kind"] for gap in binary["gaps"]]


def test_a_remote_source_package_replaced_is_an_error_and_its_header_is_not_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], builds: dict[str, tuple[Path, Path]]
) -> None:
    """Over HTTP the server's Content-Range gives the size. The header read is not cached: once
    the server holds the right file again, the next run with the same cache reads it."""
    srpm, rpm = builds["citrix"]
    repo = repository(tmp_path / "www" / "repo", srpm, rpm)
    shutil.copy(builds["clean"][0], repo / srpm.name)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    with LocalServer(tmp_path / "www") as server:
        url = server.url("/repo/")
        code, document, err = scan([url, *cache], capsys)
        source = by_nevra(document)["swapped-1-1.src"]
        assert code == 3 and SAID in err and server.url(f"/repo/{srpm.name}") in err
        assert [gap["kind"] for gap in source["gaps"]] == ["metadata-only"]
        shutil.copy(srpm, repo / srpm.name)  # the server fixed
        code, document, err = scan([url, *cache], capsys)
        assert code == 1 and SAID not in err
        assert by_nevra(document)["swapped-1-1.src"]["status"] == "origin"


def test_a_local_file_holding_another_package_leaves_the_entry_with_a_gap_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], builds: dict[str, tuple[Path, Path]]
) -> None:
    """The header of another package (here its source package's) in the binary's file: the
    error names both, and the entry, judged by its metadata alone, says so itself (before, the
    run's error was the only trace, as rt11 found for a file that could not be read)."""
    srpm, rpm = builds["clean"]
    repo = repository(tmp_path / "repo", srpm, rpm)
    shutil.copy(srpm, repo / rpm.name)
    code, document, err = scan([str(repo), "--no-cache"], capsys)
    assert code == 3
    assert "the file's header is swapped-1-1.src, the repository metadata says swapped-1-1.noarch" in err
    binary = by_nevra(document)["swapped-1-1.noarch"]
    assert [gap["kind"] for gap in binary["gaps"]] == ["metadata-only"]


def test_a_local_source_package_replaced_during_the_run_is_caught_too(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    builds: dict[str, tuple[Path, Path]],
) -> None:
    """Replaced after the run's first look (the replay key's) and before its header is read:
    the header read is the rebuild's, so the size compared must be the file read's, not the
    first look's (which is the metadata's)."""
    srpm, rpm = builds["citrix"]
    repo = repository(tmp_path / "repo", srpm, rpm)
    first_look = replay.Replay.hit

    def replaced_after_the_first_look(self: replay.Replay) -> bool:
        found = first_look(self)
        shutil.copy(builds["clean"][0], repo / srpm.name)
        return found

    monkeypatch.setattr(replay.Replay, "hit", replaced_after_the_first_look)
    code, document, err = scan([str(repo), "--cache-dir", str(tmp_path / "cache")], capsys)
    assert code == 3 and SAID in err
    assert [gap["kind"] for gap in by_nevra(document)["swapped-1-1.src"]["gaps"]] == ["metadata-only"]


def test_a_server_that_does_not_say_the_file_size_is_checked_by_the_header_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], builds: dict[str, tuple[Path, Path]]
) -> None:
    """rt16: answered ``Content-Range: bytes S-E/*`` (no size), the replaced file passed clean.
    Where its headers end is then compared with the metadata's ``rpm:header-range``."""
    srpm, rpm = builds["citrix"]
    clean = builds["clean"][0]
    repository(tmp_path / "www" / "repo", srpm, rpm)
    data = clean.read_bytes()

    def no_size(handler: Any, method: str) -> None:
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", handler.headers.get("Range") or "")
        assert match is not None
        start = int(match.group(1))
        end = min(int(match.group(2) or len(data) - 1), len(data) - 1)
        handler.answer(206, data[start : end + 1], {"Content-Range": f"bytes {start}-{end}/*"}, method)

    with LocalServer(tmp_path / "www") as server:
        server.routes[f"/repo/{srpm.name}"] = no_size
        code, document, err = scan([server.url("/repo/"), "--cache-dir", str(tmp_path / "cache")], capsys)
    source = by_nevra(document)["swapped-1-1.src"]
    assert code == 3 and "(rpm:header-range), and the server does not say the file's size" in err
    assert [gap["kind"] for gap in source["gaps"]] == ["metadata-only"]


def test_the_files_createrepo_c_read_pass_the_header_range_check_fetched_and_cached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], builds: dict[str, tuple[Path, Path]]
) -> None:
    """rt17, the other side of the check above: the very files createrepo_c read, served with
    ``Content-Range: bytes S-E/*``, are read (source package, and binary under --remote-headers,
    in one request by their header range) with no error, and again with the cache."""
    srpm, rpm = builds["citrix"]
    www = repository(tmp_path / "www" / "repo", srpm, rpm)
    ranges: list[str] = []

    def no_size(handler: Any, method: str) -> None:
        data = (www / handler.path.rsplit("/", 1)[1]).read_bytes()
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", handler.headers.get("Range") or "")
        assert match is not None
        ranges.append(f"{handler.path} {match.group(0)}")
        start = int(match.group(1))
        end = min(int(match.group(2) or len(data) - 1), len(data) - 1)
        handler.answer(206, data[start : end + 1], {"Content-Range": f"bytes {start}-{end}/*"}, method)

    with LocalServer(tmp_path / "www") as server:
        server.routes[f"/repo/{srpm.name}"] = no_size
        server.routes[f"/repo/{rpm.name}"] = no_size
        args = [server.url("/repo/"), "--remote-headers", "--cache-dir", str(tmp_path / "cache")]
        for _run in range(2):
            code, document, err = scan(args, capsys)
            assert code == 1 and "rpm:header-range" not in err and "not the file" not in err
            assert by_nevra(document)["swapped-1-1.src"]["gaps"] == []
            assert by_nevra(document)["swapped-1-1.noarch"]["gaps"] == []
    # Each header in one request from byte 0 (its header range agreed), and the source RPM's
    # payload, for the spec a rebuild reads, from where its header ends; the second run none.
    with srpm.open("rb") as stream:
        end = read_headers(stream, str(srpm)).header_end
    assert sorted(item.split(" bytes=0-")[0] for item in ranges) == [
        f"/repo/{rpm.name}",
        f"/repo/{srpm.name}",
        f"/repo/{srpm.name} bytes={end}-{end + DEFAULT_PER_PACKAGE - 1}",  # the budget: no size said
    ]


def test_two_entries_claiming_one_checksum_are_each_held_to_their_own_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rt17: primary.xml edited so that bb's entry carries aa's checksum and a size of 9999.
    Kept by checksum alone, the last size stood for both: aa, whose entry and file agree, was
    said to be the wrong size. Each entry is compared with its own size (by checksum and location)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("epochs-1.2-4.src.rpm", "single-deps-1.0-1.src.rpm"):
        shutil.copy(RPMS / name, repo / name)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(repo)], check=True, capture_output=True)

    def claim_one_checksum(text: str) -> str:
        entries = text.split("<package ")
        first = next(entry for entry in entries if "<name>epochs</name>" in entry)
        second = next(entry for entry in entries if "<name>single-deps</name>" in entry)
        checksum = re.search(r'pkgid="YES">([0-9a-f]+)<', first)
        assert checksum is not None
        edited = re.sub(r'pkgid="YES">[0-9a-f]+<', f'pkgid="YES">{checksum.group(1)}<', second)
        edited = re.sub(r'<size package="\d+"', '<size package="9999"', edited)
        return text.replace(second, edited)

    rewrite_primary(repo, claim_one_checksum)
    code, _, err = scan([str(repo), "--no-cache"], capsys)
    said = [line for line in err.splitlines() if "(<size package>)" in line]
    assert code == 3 and len(said) == 1
    assert "single-deps-1.0-1.src.rpm: the file is" in said[0] and "says 9999" in said[0]


SAME_SIZE_SPEC = """Name: swapped
Version: 1
Release: 1
Summary: a package rebuilt%{{?pad}}
License: MIT
Source0: {source}
BuildArch: noarch
%description
d
%install
mkdir -p %{{buildroot}}/usr/share/swapped
echo {source} > %{{buildroot}}/usr/share/swapped/from
%files
/usr/share/swapped
"""
SAME_LENGTH_CLEAN = "https://example.org/clean/archives/v1/swapped-1.tar.gz"
"""A clean Source URL as long as `CITRIX`: the spec, in the header and the payload, keeps its size."""


def build_same_size(top: Path, source: str, build_time: int, pad: str = "", source_bytes: int = 108) -> Path:
    """The source RPM of `SAME_SIZE_SPEC` with ``source`` as Source0, built at ``build_time``
    (SOURCE_DATE_EPOCH, used as the build time), its Summary padded with ``pad`` and its Source
    file of ``source_bytes`` bytes. Stored, not compressed: the payload's size is its content's,
    so a rebuild can be padded to the very size of the file it replaces."""
    top.mkdir()
    spec = top / "swapped.spec"
    spec.write_text(SAME_SIZE_SPEC.format(source=source))
    defines = {
        "use_source_date_epoch_as_buildtime": "1",
        "clamp_mtime_to_source_date_epoch": "1",
        "_source_payload": "w0.gzdio",
        "_binary_payload": "w0.gzdio",
        "pad": pad or "%{nil}",
    }
    srpm, _ = build_noarch(
        spec,
        top,
        ["swapped-1.tar.gz"],
        defines=defines,
        environment={"SOURCE_DATE_EPOCH": str(build_time)},
        source_text="x" * source_bytes,
    )
    return srpm


@pytest.fixture(scope="module")
def same_size(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Citrix source package and clean rebuilds of exactly its size: one built a second
    later, one built at the same time whose Summary is 4 bytes longer and Source file 8 bytes
    shorter (its headers end 8 bytes further: rpm aligns them), one the same in all but the URL."""
    top = tmp_path_factory.mktemp("same-size")
    # Each built in a tree of a name as long: the build's path shows in its headers.
    built = {
        "citrix": build_same_size(top / "0", CITRIX, 1_000_000_000),
        "later": build_same_size(top / "1", SAME_LENGTH_CLEAN, 1_000_000_001),
        "padded": build_same_size(top / "2", SAME_LENGTH_CLEAN, 1_000_000_000, "XXXX", 100),
        "reproduced": build_same_size(top / "3", SAME_LENGTH_CLEAN, 1_000_000_000),
    }
    assert len({path.stat().st_size for path in built.values()}) == 1  # what the tests are about
    assert len({path.read_bytes() for path in built.values()}) == 4
    return built


def replaced_by(tmp_path: Path, same_size: dict[str, Path], rebuild: str, under: str = "repo") -> Path:
    """A repository made by createrepo_c of the Citrix source package, whose file is then
    replaced by the ``rebuild`` of the same size."""
    repo = tmp_path / under
    repo.mkdir(parents=True)
    shutil.copy(same_size["citrix"], repo)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(repo)], check=True, capture_output=True)
    shutil.copy(same_size[rebuild], repo / same_size["citrix"].name)
    return repo


@pytest.mark.parametrize(
    ("rebuild", "said"),
    [
        ("later", "its build time is 1000000001, the repository metadata says 1000000000 (<time build>)"),
        ("padded", "(rpm:header-range)"),
    ],
)
def test_a_local_same_size_rebuild_is_caught_by_what_the_metadata_copied_from_the_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], same_size: dict[str, Path], rebuild: str, said: str
) -> None:
    """rt21: a clean rebuild of exactly the file's size passed the size check, and its header's
    clean Source stood for the Citrix package the metadata describes (exit 0)."""
    repo = replaced_by(tmp_path, same_size, rebuild)
    code, document, err = scan([str(repo), "--no-cache"], capsys)
    source = by_nevra(document)["swapped-1-1.src"]
    assert code == 3 and f"{repo / same_size['citrix'].name}: " in err and said in err and SAID in err
    assert [gap["kind"] for gap in source["gaps"]] == ["metadata-only"]
    assert not any(SAME_LENGTH_CLEAN in json.dumps(finding) for finding in source["findings"])


@pytest.mark.parametrize("rebuild", ["later", "padded"])
def test_a_remote_same_size_rebuild_is_caught_by_what_the_metadata_copied_from_the_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], same_size: dict[str, Path], rebuild: str
) -> None:
    """Over HTTP too, and the header read is not cached as the package's."""
    replaced_by(tmp_path, same_size, rebuild, "www/repo")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    with LocalServer(tmp_path / "www") as server:
        for _run in range(2):
            code, document, err = scan([server.url("/repo/"), *cache], capsys)
            source = by_nevra(document)["swapped-1-1.src"]
            assert code == 3 and SAID in err
            assert [gap["kind"] for gap in source["gaps"]] == ["metadata-only"]


def test_a_reproduced_rebuild_is_caught_by_its_checksum_under_verify_checksums(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], same_size: dict[str, Path]
) -> None:
    """A rebuild reproducible to its build time and header size, the Source URL alone swapped
    for one of the same length: only the file's checksum tells it (dnf's own check). Headers
    alone cannot: the default scan takes it for the package, as it says; --verify-checksums
    hashes every file, and then it is the file's input error."""
    repo = replaced_by(tmp_path, same_size, "reproduced")
    code, document, err = scan([str(repo), "--no-cache"], capsys)
    assert code == 0 and SAID not in err  # the limit of what headers tell, on record
    code, document, err = scan([str(repo), "--no-cache", "--verify-checksums"], capsys)
    source = by_nevra(document)["swapped-1-1.src"]
    [error] = [line for line in err.splitlines() if SAID in line]
    assert code == 3 and f"{repo / same_size['citrix'].name}: its sha256 checksum is " in error
    assert "(<checksum>)" in error
    assert [gap["kind"] for gap in source["gaps"]] == ["metadata-only"]
    assert not any(SAME_LENGTH_CLEAN in json.dumps(finding) for finding in source["findings"])


@pytest.mark.parametrize("checksum_type", ["sha256", "sha1", "sha512"])
def test_the_files_createrepo_c_hashed_pass_verify_checksums(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], same_size: dict[str, Path], checksum_type: str
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(same_size["citrix"], repo)
    command = ["createrepo_c", "--quiet", "--no-database", "--checksum", checksum_type, str(repo)]
    subprocess.run(command, check=True, capture_output=True)
    code, document, err = scan([str(repo), "--no-cache", "--verify-checksums"], capsys)
    assert code == 1 and document["errors"] == [] and "checksum" not in err
    assert by_nevra(document)["swapped-1-1.src"]["status"] == "origin"


def test_verify_checksums_is_a_usage_error_with_metadata_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(tmp_path), "--verify-checksums", "--metadata-only"]) == 2
    assert "--verify-checksums reads the package files" in capsys.readouterr().err


def test_verify_checksums_says_it_leaves_a_remote_repository_unverified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], same_size: dict[str, Path]
) -> None:
    replaced_by(tmp_path, same_size, "reproduced", "www/repo")
    with LocalServer(tmp_path / "www") as server:
        _, _, err = scan([server.url("/repo/"), "--no-cache", "--verify-checksums"], capsys)
    assert f"{server.url('/repo/')}: --verify-checksums verifies the files of local repositories" in err


def test_a_build_time_or_header_range_the_metadata_leaves_unfilled_says_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], same_size: dict[str, Path]
) -> None:
    """A metadata writer that leaves ``<time build>`` at 0 or ``rpm:header-range`` empty (0-0)
    says nothing of the file: no error, the package judged by its header (its Citrix Source)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(same_size["citrix"], repo)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(repo)], check=True, capture_output=True)

    def unfilled(text: str) -> str:
        text = re.sub(r'build="\d+"', 'build="0"', text)
        return re.sub(
            r'<rpm:header-range start="\d+" end="\d+"/>', '<rpm:header-range start="0" end="0"/>', text
        )

    rewrite_primary(repo, unfilled)
    code, document, err = scan([str(repo), "--no-cache"], capsys)
    assert code == 1 and document["errors"] == [] and SAID not in err
    assert by_nevra(document)["swapped-1-1.src"]["status"] == "origin"


def test_verify_checksums_hashes_binaries_a_policy_without_header_rules_would_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A policy with no rule on what only a header carries has the binaries' headers left unread:
    under --verify-checksums they are read all the same, and each file hashed. Left unread, a
    binary whose payload was changed after createrepo_c (same size, same header) passed as
    verified, which is what the option promises it is not."""
    repo = tmp_path / "repo"
    repo.mkdir()
    binary = repo / "epochs-1.2-4.noarch.rpm"
    shutil.copy(RPMS / binary.name, binary)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(repo)], check=True, capture_output=True)
    data = bytearray(binary.read_bytes())
    data[-1] ^= 0xFF  # the payload's last byte: the same size and the same header
    binary.write_bytes(bytes(data))
    policy = tmp_path / "names.toml"
    policy.write_text(
        'schema = 1\n[[rule]]\nid = "named"\nkind = "field"\nseverity = "high"\nmessage = "m"\n'
        'fields = ["buildhost"]\ndomains = ["citrite.net"]\n'
    )
    args = [str(repo), "--no-cache", "--no-default-policy", "--policy", str(policy), "--fail-on", "none"]
    code, _document, err = scan(args, capsys)
    assert code == 0 and "checksum" not in err  # headers unread: nothing to compare, as before
    code, document, err = scan([*args, "--verify-checksums"], capsys)
    assert code == 3 and f"{binary}: its sha256 checksum is " in err
    [package] = [package for package in document["packages"] if package["name"] == "epochs"]
    assert "metadata-only" in [gap["kind"] for gap in package["gaps"]]  # judged by its metadata alone
