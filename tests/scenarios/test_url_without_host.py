"""A URL no host can be read from is evidence the policy could not judge: a gap, never silence.

``Source0: https://:443/x.tar.gz`` names a fetchable scheme, yet no rule can say where it
leads. The package gets a ``url-without-host`` gap: the audit is incomplete in every format,
and ``--strict`` fails it (exit 3). A bare file name, a ``file:`` path and a URL whose host is
read are no gap. The packages are real: a spec, and the SRPM and RPM rpmbuild makes of it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.cli.main import main
from auditor.origin.urlgaps import hostless_url
from auditor.origin.urls import PLAIN_HOST, parse_url
from tests.rpmbuild import build_noarch

HOSTLESS = ["git:///x", "https://:443/x.tar.gz", "ftp://@/x.patch", "https://", "http://@", "svn:///x",
            "git+ssh:///x", "https://user@/x", "https://u:p@:80/x", "https://%2e/x", "http://[]/x",
            "https://?x", "ftp:", " https://:1/x", "see http:// x", "https://[::ffff:citrix.com]/x",
            "https://[citrix.com:443]/x.tar.gz", "https://downloads.citrix.com;x/p.tar.gz",
            "https://downloads.citrix.com,x/p", "https://downloads.citrix.com%3Bx/p",
            "https://downloads.citrix.com|x/p"]  # fmt: skip
"""Written as URLs (a scheme and ``//``, or a scheme curl fetches), with no host to read: in
brackets, what is neither an IPv6 address nor a name is no host to any fetcher, nor is a name
holding what no name holds (red team hunt55: ``downloads.citrix.com;x`` read as a host matched no
rule, and the Source was clean)."""
CONTROLS = ["x.tar.gz", "h-1.tar.gz", "%{name}.tar.gz", "file:///srv/x.tar.gz", "FILE:///x",
            "https:///x.tar.gz", "https:/code.citrite.net/x", "http://[bad/x", "https://example.org/x",
            "git://github.com/xenserver/x", "git@github.com:xenserver/x.git", "example.org/x.tar.gz",
            "https://mirror.example/?from=:443", "https://code.citrite.net:443/x", "",
            "https://[2001:db8::1]/x", "https://[fe80::1%25eth0]:8/x", "https://[::ffff:192.0.2.7]/x"]  # fmt: skip
"""No gap: a local file (a bare name, a ``file:`` path, as rpm reads them) or a URL with a
host (``https:///x.tar.gz`` is on ``x.tar.gz`` for curl and browsers alike)."""


@pytest.mark.parametrize("value", HOSTLESS)
def test_a_url_without_a_host_is_hostless(value: str) -> None:
    assert parse_url(value) is None
    assert hostless_url(value)


@pytest.mark.parametrize("value", CONTROLS)
def test_a_file_name_or_a_url_with_a_host_is_not(value: str) -> None:
    assert not hostless_url(value)


@given(st.text(alphabet="hts:/\\@[]%.?#ab1-+ \t", max_size=24))
def test_the_shortcut_never_claims_a_host_the_parse_does_not_read(text: str) -> None:
    """`PLAIN_HOST` skips the parse for most URLs: it must only match where the parse reads a host."""
    if PLAIN_HOST.match(text):
        assert parse_url(text) is not None


SPEC = """Name: hostless
Version: 1
Release: 1
Summary: s
License: MIT
URL: {url}
Source0: {source}
Source1: %{{name}}.conf
Source2: file:///srv/hostless.local
Patch0: https://example.org/fix.patch
BuildArch: noarch
%description
d
%files
"""


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *args, "--format", "json", "-q", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def gaps(document: dict[str, Any]) -> dict[str, list[str]]:
    return {
        package["nevra"]: [gap["detail"] for gap in package["gaps"] if gap["kind"] == "url-without-host"]
        for package in document["packages"]
    }


def write_spec(directory: Path, url: str, source: str) -> Path:
    spec = directory / "hostless.spec"
    spec.write_text(SPEC.format(url=url, source=source))
    return spec


def test_a_spec_source_without_a_host_is_a_gap_and_fails_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, "https://example.org/hostless", "https://:443/hostless-1.tar.gz")
    code, document = scan([str(spec)], capsys)
    source_gap = f"{spec}:7: Source0: https://:443/hostless-1.tar.gz (no host can be read from it)"
    assert gaps(document) == {
        "hostless-1-1.src": [source_gap],
        # its findings would include the source package's Source0: it is unseen for both
        "hostless-1-1.noarch": [f"{source_gap} (of hostless-1-1.src, which it was built from)"],
    }
    assert code == 0 and document["summary"]["headline"] == "incomplete"
    assert {"reason": "url-without-host", "count": 2} in document["completeness"]["reasons"]
    assert scan([str(spec), "--strict"], capsys)[0] == 3


def test_the_controls_leave_the_spec_complete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same spec with a Source whose host is read: no gap from Source1 (a file name made of
    a macro), Source2 (a ``file:`` path) nor the URL tag."""
    spec = write_spec(tmp_path, "https://example.org/hostless", "https:///hostless-1.tar.gz")
    code, document = scan([str(spec), "--strict"], capsys)
    assert gaps(document) == {"hostless-1-1.src": [], "hostless-1-1.noarch": []}
    assert code == 0 and document["summary"]["headline"] == "passed"


def rpmbuild(spec: Path, top: Path) -> tuple[Path, Path]:
    """The source and binary RPMs ``rpmbuild -ba`` makes of ``spec``, each Source an empty file."""
    return build_noarch(spec, top, ("hostless-1.tar.gz", "hostless.conf", "hostless.local", "fix.patch"))


def test_built_packages_carry_the_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The SRPM's Source0 (from its SPEC tag) and both packages' URL tag (from their headers, and
    from createrepo_c's metadata) are URLs without a host: each is a gap of its package."""
    spec = write_spec(tmp_path, "git:///hostless", "ftp://@/hostless-1.tar.gz")
    srpm, rpm = rpmbuild(spec, tmp_path / "top")
    recorded = subprocess.run(["rpm", "-qp", "--qf", "%{URL}", str(srpm)], capture_output=True, text=True)
    assert recorded.stdout == "git:///hostless"  # rpmbuild keeps it as written
    url_gap = "URL: git:///hostless (no host can be read from it)"
    source_gap = "header:7: Source0: ftp://@/hostless-1.tar.gz (no host can be read from it)"
    expected = {
        "hostless-1-1.src": [url_gap, source_gap],
        # the URL gap the binary has of its own is not said again as its source package's
        "hostless-1-1.noarch": [url_gap, f"{source_gap} (of hostless-1-1.src, which it was built from)"],
    }
    code, document = scan([str(srpm), str(rpm)], capsys)
    assert gaps(document) == expected
    assert code == 0 and document["summary"]["headline"] == "incomplete"
    assert {"reason": "url-without-host", "count": 4} in document["completeness"]["reasons"]
    assert scan([str(srpm), str(rpm), "--strict"], capsys)[0] == 3
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(rpm, repo)
    subprocess.run(["createrepo_c", "--quiet", str(repo)], check=True)
    code, document = scan([str(repo), "--metadata-only", "--fail-on", "none"], capsys)
    assert gaps(document) == {"hostless-1-1.noarch": [url_gap]}


def test_the_gap_names_a_hostile_value_inertly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The value comes from the package: the table and ``why`` show it without its escape sequence."""
    spec = write_spec(tmp_path, "https://example.org/hostless", "https://\x1b]0;owned\x07@/x.tar.gz")
    for args in (["scan", str(spec)], ["why", "hostless", str(spec)]):
        main([*args, "--no-cache"])
        captured = capsys.readouterr()
        assert "url-without-host" in captured.out + captured.err
        assert "\x1b" not in captured.out + captured.err


def test_a_bugurl_without_a_host_is_a_gap_of_each_package_carrying_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, "https://example.org/hostless", "hostless-1.tar.gz")
    spec.write_text(spec.read_text().replace("BuildArch:", "BugURL: https://@/bugs\nBuildArch:"))
    code, document = scan([str(spec), "--strict"], capsys)
    gap = "BugURL: https://@/bugs (no host can be read from it)"
    assert gaps(document) == {"hostless-1-1.src": [gap], "hostless-1-1.noarch": [gap]}
    assert code == 3


def test_under_roots_a_binary_carries_what_could_not_be_seen_of_its_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--roots`` audits what installing a package pulls in: binaries, not their source packages.
    The reviewer's case: a binary whose SRPM has a Source no host can be read from passed clean
    and complete under --strict, where the same SRPM with a Citrix Source blocks it."""
    spec = write_spec(tmp_path, "https://example.org/hostless", "ftp://@/hostless-1.tar.gz")
    srpm, rpm = rpmbuild(spec, tmp_path / "top")
    code, document = scan([str(srpm), str(rpm), "--roots", "hostless", "--strict"], capsys)
    assert [package["nevra"] for package in document["packages"]] == ["hostless-1-1.noarch"]
    assert gaps(document) == {
        "hostless-1-1.noarch": [
            "header:7: Source0: ftp://@/hostless-1.tar.gz (no host can be read from it)"
            " (of hostless-1-1.src, which it was built from)"
        ]
    }
    assert code == 3
    # audited beside its source package, the binary says the same: its verdict rests on the
    # source package's evidence whether or not that one is audited too
    beside = gaps(scan([str(srpm), str(rpm)], capsys)[1])
    assert beside["hostless-1-1.noarch"] == gaps(document)["hostless-1-1.noarch"]


def test_two_copies_of_its_source_package_with_one_gap_give_the_binary_that_gap_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two builds of one source NEVRA (another %description), each as near the binary as the
    other: the run cannot tell which the binary came from, so both are its sources
    (`also_built_from`). Their Source0 gap reads the same of either: the binary says it once."""
    builds = []
    for name, description in (("a", "d"), ("b", "another build")):
        (tmp_path / name).mkdir()
        spec = write_spec(tmp_path / name, "https://example.org/hostless", "ftp://@/hostless-1.tar.gz")
        spec.write_text(spec.read_text().replace("%description\nd\n", f"%description\n{description}\n"))
        builds.append(rpmbuild(spec, tmp_path / name / "top"))
    (srpm_a, rpm), (srpm_b, _) = builds
    assert srpm_a.read_bytes() != srpm_b.read_bytes()
    inputs = []
    for directory, package in (("s1", srpm_a), ("s2", srpm_b), ("bin", rpm)):
        (tmp_path / "release" / directory).mkdir(parents=True)
        inputs.append(str(shutil.copy(package, tmp_path / "release" / directory)))
    code, document = scan(inputs, capsys)
    source_gap = "header:7: Source0: ftp://@/hostless-1.tar.gz (no host can be read from it)"
    # The binary built (b's SRPM, named as a file, is rebuilt beside it: the binary given was built
    # from a's, its SOURCEPKGID says, and stands in for a's rebuild alone).
    [binary] = [package for package in document["packages"] if package["location"] == inputs[2]]
    assert [gap["detail"] for gap in binary["gaps"] if gap["kind"] == "url-without-host"] == [
        f"{source_gap} (of hostless-1-1.src, which it was built from)"
    ]
    # one gap in each source package, one in the binary, one in b's rebuild
    assert {"reason": "url-without-host", "count": 4} in document["completeness"]["reasons"]
    assert code == 0


def test_a_replaced_url_without_a_host_is_a_gap_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A URL tag written twice keeps both values (rpm refuses the spec): the one without a host
    is a gap whichever comes first."""
    spec = write_spec(tmp_path, "https://:443/citrix\nURL: https://example.org/hostless", "hostless-1.tar.gz")
    assert gaps(scan([str(spec)], capsys)[1])["hostless-1-1.src"] == [
        "URL: https://:443/citrix (no host can be read from it)"
    ]


def test_a_source_on_a_host_no_name_can_be_is_a_gap_of_the_built_srpm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``downloads.citrix.com;x`` was read as a host, matched no rule, and the SRPM built of it
    passed ``--strict`` clean (red team hunt55): no fetcher reaches it, so where the file came
    from is unjudged."""
    value = "https://downloads.citrix.com;x/hostless-1.tar.gz"
    spec = write_spec(tmp_path, "https://example.org/hostless", value)
    srpm, _ = rpmbuild(spec, tmp_path / "top")
    code, document = scan([str(srpm), "--strict"], capsys)
    said = f"header:7: Source0: {value} (no host can be read from it)"
    assert gaps(document) == {
        "hostless-1-1.src": [said],
        # What its spec builds, audited with it (a source RPM alone is rebuilt), inherits it.
        "hostless-1-1.noarch": [f"{said} (of hostless-1-1.src, which it was built from)"],
    }
    assert code == 3
