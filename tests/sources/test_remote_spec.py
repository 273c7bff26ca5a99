"""Remote source packages: headers in one request, the spec streamed from the payload, budgets.

Over real HTTP on 127.0.0.1, from a server that counts the bytes of each file it sends.
The streamed source RPMs have no SPEC tag (as rpm 4.11 built them); ``streamed-first`` has its
spec before a 64 MiB incompressible source in its payload, ``streamed-last`` after a 4 MiB one
(both built with rpmbuild by tests/data/build_streamed.py). ``xs-sources`` has one, and its
payload's spec, which a rebuild parses again, is streamed too.
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
from auditor.formats.rpmheader import read_headers
from tests.conftest import DATA, RPMS, errors_of, rewrite_primary
from tests.data.build_streamed import PACKAGES, build
from tests.httpserver import LocalServer
from tests.paths import ROOT
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

FIRST = "streamed-first-1.0-1.src.rpm"
LAST = "streamed-last-1.0-1.src.rpm"


@pytest.fixture(scope="module")
def streamed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build(tmp_path_factory.mktemp("streamed"))


@pytest.fixture
def www(tmp_path: Path, streamed: dict[str, Path]) -> Path:
    """``/src/``: the two streamed source RPMs and the fixtures' SPEC-less and SPEC-tagged ones."""
    packages = tmp_path / "www" / "src" / "Packages"
    packages.mkdir(parents=True)
    for path in [*streamed.values(), RPMS / "nospec-1.0-1.src.rpm", RPMS / "xs-sources-1.0-1.src.rpm"]:
        (packages / path.name).hardlink_to(path)
    subprocess.run(["createrepo_c", "--quiet", str(packages.parent)], check=True)
    return tmp_path / "www"


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *args, "--format", "json", "-q"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def package(document: dict[str, Any], name: str) -> dict[str, Any]:
    """The source package ``name`` (a source RPM scanned alone is audited with its rebuild's binaries)."""
    return next(p for p in document["packages"] if p["name"] == name and p["arch"] == "src")


def reasons(document: dict[str, Any]) -> dict[str, int]:
    return {item["reason"]: item["count"] for item in document["completeness"]["reasons"]}


def ranges(server: LocalServer, name: str) -> list[tuple[int, int]]:
    found = []
    for _verb, path, headers in server.requests:
        if path.endswith("/" + name):
            start, end = headers["range"].removeprefix("bytes=").split("-")
            found.append((int(start), int(end)))
    return found


def header_end(path: Path) -> int:
    with path.open("rb") as stream:
        return read_headers(stream, str(path)).header_end


def test_the_spec_is_streamed_from_the_payload_and_the_rest_is_never_sent(
    server: LocalServer, streamed: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, cache = server.url("/src/"), str(tmp_path / "cache")
    code, document, err = scan([url, "--cache-dir", cache], capsys)
    assert document["errors"] == [] and errors_of(err) == []
    first = package(document, "streamed-first")
    assert first["gaps"] == [] and "source1" in {f["field"] for f in first["findings"]}
    # The Sources are what reading the whole file gives.
    _, local, _ = scan([str(streamed["streamed-first"])], capsys)
    assert first["sources"] == package(local, "streamed-first")["sources"]
    _, nospec, _ = scan([str(RPMS / "nospec-1.0-1.src.rpm")], capsys)
    assert package(document, "nospec")["sources"] == package(nospec, "nospec")["sources"]
    # One request for the header, at the range the metadata gives; one for the payload, from
    # its first byte; and the server sent a sliver of the 64 MiB behind the spec.
    size = streamed["streamed-first"].stat().st_size
    end = header_end(streamed["streamed-first"])
    assert ranges(server, FIRST) == [(0, end - 1), (end, size - 1)]
    assert server.served["/src/Packages/" + FIRST] < size // 4
    # A spec after its bulk costs that bulk, and no more than the file.
    last = package(document, "streamed-last")
    assert last["gaps"] == [] and "source1" in {f["field"] for f in last["findings"]}
    assert server.served["/src/Packages/" + LAST] <= streamed["streamed-last"].stat().st_size
    # A header with a SPEC tag (its builder's parse) has its payload streamed too, for the spec a
    # rebuild parses again, as a local read reads it: no gap, and the same Sources as the file's.
    xs = RPMS / "xs-sources-1.0-1.src.rpm"
    assert ranges(server, xs.name) == [(0, header_end(xs) - 1), (header_end(xs), xs.stat().st_size - 1)]
    assert package(document, "xs-sources")["gaps"] == []
    _, local_xs, _ = scan([str(xs)], capsys)
    assert package(document, "xs-sources")["sources"] == package(local_xs, "xs-sources")["sources"]
    # A second run reads headers and specs from the cache: no request for a package.
    server.requests.clear()
    again_code, again, _ = scan([url, "--cache-dir", cache], capsys)
    assert (again_code, again["packages"]) == (code, document["packages"])
    assert not [path for path in server.paths() if path.endswith(".rpm")]
    # ... and so does --offline, with the server gone.
    server.stop()
    offline_code, offline, _ = scan([url, "--cache-dir", cache, "--offline"], capsys)
    assert (offline_code, offline["packages"], offline["errors"]) == (code, document["packages"], [])


def test_a_budget_that_stops_the_read_is_a_gap_and_strict_fails(
    server: LocalServer, streamed: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, cache = server.url("/src/"), str(tmp_path / "cache")
    args = [url, "--cache-dir", cache, "--spec-download-budget", "1M"]
    _, document, err = scan(args, capsys)
    last = package(document, "streamed-last")
    [gap] = last["gaps"]
    assert gap["kind"] == "budget-exhausted"
    assert gap["detail"] == (
        "no SPEC tag, and the spec was not in the first 1 MiB of the payload "
        "(--spec-download-budget 1 MiB): Source URLs unknown"
    )
    assert {s["value"] for s in last["sources"]} == {"aa-bulk-1.0.tar", "streamed-last-extra.tar.gz"}
    assert "source1" not in {f["field"] for f in last["findings"]}  # what it could not see
    assert reasons(document) == {"budget-exhausted": 1}
    assert "budget-exhausted" in err and document["errors"] == []
    end = header_end(streamed["streamed-last"])
    assert ranges(server, LAST)[-1] == (end, end + 1024 * 1024 - 1)  # never asked past the budget
    assert package(document, "streamed-first")["gaps"] == []  # its spec came first
    assert scan([*args, "--strict"], capsys)[0] == 3
    # What a budget stopped is not cached: a larger budget reads it.
    _, document, _ = scan([url, "--cache-dir", cache], capsys)
    assert package(document, "streamed-last")["gaps"] == [] and reasons(document) == {}


def test_a_spec_tagged_source_rpm_whose_payload_spec_is_not_read_says_so_and_strict_fails(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """xs-sources has a SPEC tag (its builder's parse, read from the header) and a spec in its
    payload, which a rebuild parses again: a budget or --offline that leaves the payload unread
    keeps the tag's Sources and says what is unseen, where nothing said it (exit 0 under --strict
    for a served repository whose local copy failed it)."""
    url, cache = server.url("/src/"), str(tmp_path / "cache")
    args = [url, "--cache-dir", cache, "--spec-download-budget", "1"]
    code, document, err = scan(args, capsys)
    _, local, _ = scan([str(RPMS / "xs-sources-1.0-1.src.rpm")], capsys)
    xs = package(document, "xs-sources")
    assert xs["sources"] == package(local, "xs-sources")["sources"]  # the SPEC tag's, judged
    [gap] = xs["gaps"]
    assert gap["kind"] == "budget-exhausted"
    assert gap["detail"].startswith(
        "payload:xs-sources.spec, the spec rpmbuild --rebuild and mock parse again, was not read (the "
        "spec was not in the first 1 byte of the payload (--spec-download-budget 1 byte)): its builder's "
        "parse (the SPEC tag) is judged"
    )
    assert code == 1 and "budget-exhausted" in err
    assert scan([*args, "--strict"], capsys)[0] == 3
    # Its header cached, its payload's spec not: --offline says so.
    code, document, _ = scan([url, "--cache-dir", cache, "--offline", "--strict"], capsys)
    [gap] = package(document, "xs-sources")["gaps"]
    assert gap["kind"] == "spec-unreadable" and f"--offline forbids fetching it from {url})" in gap["detail"]
    assert code == 3
    # Read once within the budget, it is cached: --offline then sees it all.
    scan([url, "--cache-dir", cache], capsys)
    _, document, _ = scan([url, "--cache-dir", cache, "--offline"], capsys)
    assert package(document, "xs-sources")["gaps"] == [] and reasons(document) == {}


def test_the_run_budget_is_shared_by_every_package(
    server: LocalServer, streamed: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [server.url("/src/"), "--cache-dir", str(tmp_path / "cache"), "--spec-download-total", "2M"]
    _, document, _ = scan(args, capsys)
    [gap] = package(document, "streamed-last")["gaps"]
    assert gap["kind"] == "budget-exhausted"
    assert "the run's payload download budget (--spec-download-total 2 MiB) was spent" in gap["detail"]
    # Every payload request stays within what the run had left, and the one stopped was sent no more.
    assert all(
        end - start < 2 * 1024 * 1024 for name in (FIRST, LAST) for start, end in ranges(server, name)[1:]
    )
    assert server.served["/src/Packages/" + LAST] <= 2 * 1024 * 1024 + header_end(streamed["streamed-last"])


def test_offline_without_the_cache_is_a_counted_gap_naming_the_repository(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, cache = server.url("/src/"), str(tmp_path / "cache")
    scan([url, "--cache-dir", cache, "--metadata-only"], capsys)  # the metadata, not the headers
    code, document, _ = scan([url, "--cache-dir", cache, "--offline"], capsys)
    assert document["errors"] == [] and code != 3
    [gap] = [g for g in document["completeness"]["gaps"] if g["rule"] == "gap:metadata-only"]
    assert f"{url}: the headers of 4 package(s) are not in the cache, and --offline" in gap["text"]
    assert reasons(document)["metadata-only"] == 4
    # With the headers in the cache but a spec the budget stopped, that spec is the gap.
    scan([url, "--cache-dir", cache, "--spec-download-budget", "1M"], capsys)
    _, document, _ = scan([url, "--cache-dir", cache, "--offline"], capsys)
    [gap] = package(document, "streamed-last")["gaps"]
    assert gap["kind"] == "spec-unreadable" and f"--offline forbids fetching it from {url}" in gap["detail"]
    assert reasons(document) == {"spec-unreadable": 1}


def test_a_header_range_that_lies_costs_a_request_never_a_wrong_header(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The headers are read whole whatever the metadata's range says; then, the file's headers
    ending elsewhere than the metadata says (createrepo_c took both from one file), each file
    is an input error and its package judged by its metadata alone (rt21: the same check
    catches a same-size rebuild put in place of the file)."""
    url = server.url("/src/")
    _, truth, _ = scan([url, "--cache-dir", str(tmp_path / "truth")], capsys)
    for shift in (-8, 16):  # rewritten in place: 8 bytes short, then 8 too many

        def moved(xml: str, shift: int = shift) -> str:
            return re.sub(
                r'<rpm:header-range start="(\d+)" end="(\d+)"/>',
                lambda m: f'<rpm:header-range start="{m[1]}" end="{int(m[2]) + shift}"/>',
                xml,
            )

        rewrite_primary(www / "src", moved)
        server.requests.clear()
        _, document, err = scan([url, "--cache-dir", str(tmp_path / f"cache{shift}")], capsys)
        said = [
            error for error in document["errors"] if "(rpm:header-range): not the file" in error["message"]
        ]
        assert len(said) == len(document["errors"]) == len(truth["packages"]) == 4
        assert all(gap["kind"] == "metadata-only" for item in document["packages"] for gap in item["gaps"])
        assert "rpm:header-range" in err and "disagree" in err
        # The declared range, then two steps, then its payload (the spec a rebuild reads).
        assert len(ranges(server, "xs-sources-1.0-1.src.rpm")) == 5


def test_a_header_range_is_kept_from_the_metadata() -> None:
    """Kept from a repository read as a remote one is (a local one's headers are never read
    by range, and its packages keep none)."""
    from auditor.formats.repomd import read_repomd
    from auditor.sources.repodata import read_metadata, read_repository

    root = DATA / "srpm-repo"
    assert all(p.header_range is None for p in read_repository(str(root)).packages)
    repomd = read_repomd(str(root / "repodata" / "repomd.xml"), "repomd.xml")
    read = read_metadata(repomd, str(root), lambda entry, href: (str(root / href), href))
    xs = next(p for p in read.packages if p.name == "xs-sources")
    with (DATA / "srpm-repo" / xs.location).open("rb") as stream:
        headers = read_headers(stream, xs.location)
    assert xs.header_range == (headers.header_start, headers.header_end)


def test_the_streamed_fixtures_are_what_the_tests_say(streamed: dict[str, Path]) -> None:
    """rpm itself: no SPEC tag, digests intact, the spec first or last in the payload."""
    for name, path in streamed.items():
        assert subprocess.run(["rpm", "-qp", "--qf", "%|SPEC?{has}:{none}|", str(path)],
                              capture_output=True, text=True, check=True).stdout == "none"  # fmt: skip
        assert "digests OK" in subprocess.run(["rpm", "-K", str(path)], capture_output=True, text=True).stdout
        archive = subprocess.run(["rpm2cpio", str(path)], capture_output=True, check=True).stdout
        members = cpio_names(archive)
        spec_first = members.index(f"{name}.spec") < members.index(PACKAGES[name][0])
        assert spec_first == (name == "streamed-first")


def cpio_names(archive: bytes) -> list[str]:
    """The member names of a newc cpio archive, in order."""
    names: list[str] = []
    offset = 0
    while True:
        header = archive[offset : offset + 110]
        name_size, file_size = int(header[94:102], 16), int(header[54:62], 16)
        name = archive[offset + 110 : offset + 110 + name_size - 1].decode()
        if name == "TRAILER!!!":
            return names
        names.append(name.removeprefix("./"))
        offset += 110 + name_size
        offset += -offset % 4 + file_size
        offset += -offset % 4


def test_the_budgets_are_documented_with_their_defaults() -> None:
    from auditor.net import budget

    readme = " ".join((ROOT / "README.md").read_text().split())
    assert (budget.DEFAULT_PER_PACKAGE, budget.DEFAULT_PER_RUN) == (256 << 20, 2 << 30)
    for name in ("budget.DEFAULT_PER_PACKAGE", "budget.DEFAULT_PER_RUN"):
        assert f"`{name}`" in readme
    for option, default in (("--spec-download-budget", "256M"), ("--spec-download-total", "2G")):
        assert f"`{option} SIZE` (default `{default}`)" in readme


@pytest.mark.parametrize("planted", ["xs-sources-1.0-1.src.rpm", "nospec-1.0-1.src.rpm"])
def test_a_repository_claiming_anothers_checksum_plants_nothing_in_the_cache(
    planted: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The header and the payload spec of a remote package are read by range and cannot be
    checked against the whole file's checksum. A mirror whose metadata claims the checksum of
    a Citrix-sourced package, for a harmless file of its own, must not make the real one look
    harmless to a later audit sharing the cache (header: SPEC tag; spec: payload)."""
    www = tmp_path / "www"
    shutil.copytree(DATA / "srpm-repo", www / "honest")
    shutil.copytree(DATA / "srpm-repo", www / "planted")
    # The planted file: same name and metadata (so the same checksum), a harmless package's bytes.
    harmless = RPMS / "epochs-1.2-4.src.rpm"
    shutil.copyfile(harmless, www / "planted" / "Packages" / planted)
    cache = str(tmp_path / "cache")
    name = planted.removesuffix("-1.0-1.src.rpm")
    with LocalServer(www) as server:
        _, fooled, _ = scan([server.url("/planted/"), "--cache-dir", cache], capsys)
        _, honest, _ = scan([server.url("/honest/"), "--cache-dir", cache], capsys)
    _, reference, _ = scan([str(RPMS / planted)], capsys)
    assert package(fooled, name)["sources"] != package(reference, name)["sources"]
    assert package(honest, name)["sources"] == package(reference, name)["sources"]
    assert package(honest, name)["status"] == package(reference, name)["status"] == "origin"


def test_a_remote_source_package_carries_what_its_spec_builds(
    server: LocalServer, streamed: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Read by range requests, from its SPEC tag (xs-sources) or from the spec streamed out of
    its payload (nospec, streamed-first), a source package names the binaries its spec builds,
    as the same file read whole does: ``check`` drops a binary a source RPM alone no longer
    builds (`auditor.rpm.model.Package.builds`)."""
    main(["scan", server.url("/src/"), "--no-cache", "--format", "model", "-q"])
    remote = {item["name"]: item.get("builds") for item in json.loads(capsys.readouterr().out)["packages"]}
    files = [
        str(RPMS / "nospec-1.0-1.src.rpm"),
        str(RPMS / "xs-sources-1.0-1.src.rpm"),
        str(streamed["streamed-first"]),
    ]
    main(["scan", *files, "--no-cache", "--format", "model", "-q"])
    local = {item["name"]: item.get("builds") for item in json.loads(capsys.readouterr().out)["packages"]}
    # Its SPEC tag has a %prep section, which hides the header after it (`built_by_parsed_spec`):
    # read whole, the payload's spec a rebuild reads answers; by range, that spec is not read,
    # and the names the tag's %package and %files headers give answer (here, the same).
    assert local["xs-sources"] == ["xs-sources", "xs-sources-devel"]
    assert remote["xs-sources"] == local["xs-sources"]
    assert remote["nospec"] == local["nospec"] == ["nospec"]
    assert remote["streamed-first"] == local["streamed-first"] is not None


def test_a_spec_tagged_source_rpm_whose_payload_is_corrupt_is_read_from_its_header_as_a_local_file_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its payload streamed for the spec a rebuild reads, a corrupt one (or one past a bound) was
    the package's error, and the package was left to its metadata alone: no Sources, its SPEC tag's
    Citrix ones unjudged, where the same file on disk is read from its header beside its error."""
    xs = RPMS / "xs-sources-1.0-1.src.rpm"
    packages = tmp_path / "www" / "src" / "Packages"
    packages.mkdir(parents=True)
    broken = packages / xs.name
    data = bytearray(xs.read_bytes())
    end = header_end(xs)
    data[end:] = b"\0" * (len(data) - end)  # the payload's bytes gone, the header whole
    broken.write_bytes(bytes(data))
    subprocess.run(["createrepo_c", "--quiet", str(packages.parent)], check=True)
    _, local, _ = scan([str(broken)], capsys)
    with LocalServer(tmp_path / "www") as server:
        url = server.url("/src/")
        code, served, err = scan([url, "--cache-dir", str(tmp_path / "cache")], capsys)
    assert code == 3 and "Traceback" not in err
    [error] = served["errors"]
    assert error["input"] == f"{url}Packages/{xs.name}"
    assert error["message"].endswith("; its package is read from the header alone")
    source = package(served, "xs-sources")
    assert source["sources"] == package(local, "xs-sources")["sources"]  # the SPEC tag's, judged
    assert source["status"] == package(local, "xs-sources")["status"] == "origin"
    assert "spec-unreadable" in {gap["kind"] for gap in source["gaps"]}
