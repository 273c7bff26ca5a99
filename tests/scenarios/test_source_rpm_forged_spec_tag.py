"""A source RPM whose SPEC tag is not the parse of the spec its payload carries.

rpmbuild stores the spec it parsed in the header (the SPEC tag) and packs the spec file in the
payload; ``rpmbuild --rebuild`` and mock read the payload's. A spec holding no conditional and no
code parses the same on every host, so its SPEC tag was taken for the payload's reading and the
payload's spec was not parsed. But both are the SRPM's to say: one whose SPEC tag was written
over (a clean spec's) passed clean with ``--strict``, alone or beside its binary, where its
payload's spec, scanned as a file, blocks on a Citrix Source or subpackage (redteam62). The
payload's spec is read unless every line of it is one of the SPEC tag's, as rpm would store it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.hostile.make_corpus import SIG_MD5, SPEC, TYPE_STRING, _cpio, _gzip, split_rpm
from tests.rpmbuild import build_all

SOURCEPKGID = 1146
PREAMBLE = "Name: {name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
SOURCE = "Source0: https://{host}/{name}.tar.gz\n"
TOOLS = "%package tools\nSummary: t\n%description tools\nt\n%post tools\ncurl https://www.citrix.com/x\n"
TOOLS += "%files tools\n"
TAIL = "%description\nd\n%files\n"


def forged(tmp_path: Path, name: str, text: str, clean: str) -> tuple[Path, Path, list[Path]]:
    """The spec ``text`` written, and the SRPM and binaries rpmbuild makes of it, the SRPM's SPEC
    tag written over with the ``clean`` spec (its digests made true again)."""
    spec = tmp_path / f"{name}.spec"
    spec.write_text(text.format(name=name, host="www.citrix.com"))
    srpm, binaries = build_all(spec, tmp_path / "top", {f"{name}.tar.gz": "x\n"}, defines={"xsdir": "8.2"})
    rpm = split_rpm(srpm.read_bytes())
    rpm.main.set_strings(SPEC, [clean.format(name=name, host="example.org").encode()], type_=TYPE_STRING)
    srpm.write_bytes(rpm.to_bytes())
    return spec, srpm, binaries


def built_from(binary: Path, srpm: Path) -> None:
    """``binary``'s SOURCEPKGID made ``srpm``'s MD5, as rpmbuild writes it for the SRPM it built
    (its digests made true again): a binary given beside it then stands in for its rebuild's."""
    signature = split_rpm(srpm.read_bytes()).signature
    rpm = split_rpm(binary.read_bytes())
    offset = rpm.main.entry(SOURCEPKGID)[2]
    rpm.main.store[offset : offset + 16] = signature.store[signature.entry(SIG_MD5)[2] :][:16]
    binary.write_bytes(rpm.to_bytes())


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["scan", *args, "--format", "json", "-q", "--no-cache", "--strict"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("line", "code"),
    [(SOURCE, 1), ("Source0: https://{host}/%{{xsdir}}/{name}.tar.gz\n", 3)],
    ids=["plain", "a-builder-macro"],
)
def test_a_citrix_source_only_in_the_payloads_spec_blocks_the_source_rpm(
    line: str, code: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tag's Source0 is example.org's. Read with a macro the reader does not know (the builder's
    ``--define xsdir 8.2``), the payload's line was taken for the one the builder expanded into
    the tag's: but no value of the macro makes www.citrix.com's URL example.org's (code 3: the
    macro is a gap, as when the payload's spec is scanned as a file)."""
    spec, srpm, _ = forged(tmp_path, "srcy", PREAMBLE + line + TAIL, PREAMBLE + SOURCE + TAIL)
    check_blocks(spec, srpm, line, code, capsys)


def test_a_spec_whose_lines_are_the_tags_in_another_order_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each line of the payload's spec is one of the tag's, but the tag's Source0 line is the
    payload's description and the other way round: the tag's reading is not the payload's."""
    citrix, clean = (SOURCE.format(host=host, name="{name}") for host in ("www.citrix.com", "example.org"))
    text = PREAMBLE + citrix + "%description\nd\n" + clean + "%files\n"
    spec, srpm, _ = forged(
        tmp_path, "srcy", text, PREAMBLE + clean + "%description\nd\n" + citrix + "%files\n"
    )
    check_blocks(spec, srpm, SOURCE, 1, capsys)


def check_blocks(spec: Path, srpm: Path, line: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    """The spec and its SRPM exit ``code``, the source package origin for ``line``'s URL."""
    for given in (spec, srpm):
        found, document = scan([str(given)], capsys)
        assert found == code, (given, document["summary"])
        (source,) = [row for row in document["packages"] if row["nevra"] == "srcy-1-1.src"]
        assert source["status"] == "origin", given
        url = line.split(" ", 1)[1].strip().format(host="www.citrix.com", name="srcy")
        assert url in {finding["value"] for finding in source["findings"]}, given


def test_a_subpackage_only_in_the_payloads_spec_is_rebuilt_beside_the_binary_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The binary given holds every package the forged SPEC tag builds, and claims to be built from
    this SRPM (its SOURCEPKGID the SRPM's MD5): the rebuild was skipped, and cov-tools, whose
    %post curls a Citrix host, was not seen."""
    _, srpm, binaries = forged(tmp_path, "cov", PREAMBLE + TAIL + TOOLS, PREAMBLE + TAIL)
    (binary,) = [path for path in binaries if path.name == "cov-1-1.noarch.rpm"]
    built_from(binary, srpm)
    for given in ([str(srpm)], [str(srpm), str(binary)]):
        code, document = scan(given, capsys)
        statuses = {row["nevra"]: row["status"] for row in document["packages"]}
        assert (code, statuses.get("cov-tools-1-1.noarch")) == (1, "origin"), given


def test_a_citrix_url_no_value_of_whose_macros_is_the_tags_is_the_source_packages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An SRPM and its binary of example.org's URL (its SOURCEPKGID the SRPM's MD5), the SRPM's
    payload spec written over with URL: https://www.citrix.com/%{xsdir}, no expansion of the
    header's: the source package passed --strict clean beside the binary, where the SRPM alone
    blocks (its rebuild's binary carries the URL)."""
    spec = tmp_path / "urlc.spec"
    spec.write_text((PREAMBLE + "URL: https://example.org/urlc\n" + TAIL).format(name="urlc"))
    srpm, (binary,) = build_all(spec, tmp_path / "top", {})
    rpm = split_rpm(srpm.read_bytes())
    text = (PREAMBLE + "URL: https://www.citrix.com/%{{xsdir}}\n" + TAIL).format(name="urlc")
    rpm.payload = _gzip(_cpio([(b"urlc.spec", text.encode())]))
    srpm.write_bytes(rpm.to_bytes())
    built_from(binary, srpm)
    for given in ([str(srpm)], [str(srpm), str(binary)]):
        code, document = scan(given, capsys)
        assert code == 3 and document["summary"]["statuses"]["origin"] >= 1, given
        values = {finding["value"] for row in document["packages"] for finding in row["findings"]}
        assert "https://www.citrix.com/%{xsdir}" in values, given
