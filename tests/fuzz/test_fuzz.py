"""Property-based fuzzing of the RPM reader, the repodata reader and the primary_db check on
mutated real fixtures.

Whatever the mutation (bit flips, truncations, splices of another fixture, overwrites of
header fields with boundary values), reading must give a package or an `InputError`,
and what was read must survive resolution and classification. The number of examples
is bounded so the normal test run stays short; `tests/fuzz/` runs the same targets
under atheris for as long as one likes. A crash found either way becomes a fixture in
the corpus (tests/hostile/) with its regression test.
"""

from __future__ import annotations

import bz2
import contextlib
import os
import struct
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.errors import InputError
from auditor.formats import hdrblob
from auditor.formats.rpmcheck import CheckKind, RpmCheckError
from auditor.rpm.model import Package
from auditor.sources.primary_db import check_primary_db
from auditor.sources.repodata import read_repository
from tests.differential.oracle import Rpm
from tests.fuzz.settings import fuzz_settings
from tests.fuzz.targets import (
    COMPRESSIONS,
    RPMS,
    check_repodata,
    check_rpm,
    read_rpm,
    seed_primary,
    seed_rpms,
)

SEEDS = seed_rpms()
PRIMARY = seed_primary()
FUZZ = fuzz_settings(300, shared_fixtures=False)
BOUNDARIES = [0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 0x7F, 0xFF, 0xFFFF, 0x10000, 0x0FFFFFFF, 0x10000000,
              0x7FFFFFFF, 0x80000000, 0xFFFFFFF0, 0xFFFFFFFF]  # fmt: skip


def _header_fields(data: bytes) -> list[int]:
    """File offsets of every 4-byte field of both header structures: il, dl, and each entry's
    tag, type, offset and count."""
    fields: list[int] = []
    start = 96
    for _ in range(2):
        if start + 16 > len(data):
            break
        il, dl = struct.unpack_from(">II", data, start + 8)
        fields += [start + 8, start + 12]
        fields += [start + 16 + 16 * i + 4 * j for i in range(il) for j in range(4)]
        start += 16 + 16 * il + dl
        start += (8 - start % 8) % 8
    return fields


FIELDS = [_header_fields(seed) for seed in SEEDS]


@st.composite
def mutated_rpms(draw: st.DrawFn) -> bytes:
    which = draw(st.integers(0, len(SEEDS) - 1))
    data = bytearray(SEEDS[which])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "field", "field", "truncate", "splice", "insert", "delete"]))
        if kind == "field":
            offset = draw(st.sampled_from(FIELDS[which]))
            value = draw(st.sampled_from(BOUNDARIES) | st.integers(0, 0xFFFFFFFF))
            if offset + 4 <= len(data):
                struct.pack_into(">I", data, offset, value)
        elif kind == "flip":
            position = draw(st.integers(0, len(data) - 1))
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[draw(st.integers(0, len(data))) :]
        elif kind == "splice":
            other = SEEDS[draw(st.integers(0, len(SEEDS) - 1))]
            start = draw(st.integers(0, len(other) - 1))
            piece = other[start : start + draw(st.integers(1, 512))]
            position = draw(st.integers(0, len(data)))
            data[position : position + len(piece)] = piece
        elif kind == "insert":
            position = draw(st.integers(0, len(data)))
            data[position:position] = draw(st.binary(min_size=1, max_size=64))
        else:
            position = draw(st.integers(0, len(data)))
            del data[position : position + draw(st.integers(1, 256))]
        if not data:
            break
    return bytes(data)


@FUZZ
@given(mutated_rpms())
def test_fuzz_rpm_reader(data: bytes) -> None:
    check_rpm(data)


@FUZZ
@given(mutated_rpms())
def test_fuzz_header_fast_path_is_the_port(data: bytes) -> None:
    """hdrblob reads a well-formed header in one pass and leaves everything else to the check
    by check port of rpm: both must come to the same package, or the same error."""
    fast = read_rpm(data)
    with mock.patch.object(hdrblob, "_well_formed", lambda *_: None):
        slow = read_rpm(data)
    assert repr(fast) == repr(slow)


SPEC_LINES = (
    "Name: x", "Name: %{x}", "Version: 1", "Version: %{x}", "Release: 1%{?dist}", "Epoch: 99999999999999999999",
    "Summary: s", "License: MIT", "BuildArch: noarch", "BuildArch: src", "BuildArch: nosrc", "ExclusiveArch: %{x}",
    "Requires: %{x} >= %{x}", "Requires: (a if %{x})", "BuildRequires: %{x}", "Source0: https://updates.xensource.com/%{x}",
    "Source1: x.repo", "Patch: %{x}", "%package x", "%package -n %{x}", "%package -n x.src", "%package", "%description",
    "%description x", "%post x", "%post -n %{x} -p /bin/sh", "%post -p <lua>", "%files", "%files x", "%files -f %{x}",
    "/etc/yum.repos.d/x.repo", "%config %{x}", "%if 0%{?x}", "%if %{x}", "%ifarch x86_64", "%else", "%elif 1", "%endif",
    "%global x %{x}%{x}", "%define x %{y}", "%global y %(true)", "%undefine x", "%bcond_without x", "%{?with_x:%package y}",
    "%include /etc/passwd", "%{load:/etc/passwd}", "%{lua: while true do end}", "%{expand:%%package z}", "%prep",
    "%install", "install -m644 %{SOURCE1} %{buildroot}/etc/yum.repos.d/x.repo", "curl https://updates.xensource.com/x",
    "%sourcelist", "%patchlist", "%generate_buildrequires", "%changelog", "\\", "%{", "%[1 ? 2 : 3]", "%%",
)  # fmt: skip
"""Spec lines, hostile and plain, a source RPM's payload spec or SPEC tag is made of (`spec_srpms`)."""


@st.composite
def spec_srpms(draw: st.DrawFn) -> bytes:
    """A real source RPM whose payload's spec, and SPEC tag when it has one, are spec text made of
    `SPEC_LINES` and bits of text: a source RPM scanned alone has its spec read as its rebuild's."""
    from tests.hostile import make_corpus

    name, tagged = draw(st.sampled_from([("nospec", False), ("xs-sources", False), ("xs-sources", True)]))
    lines = draw(st.lists(st.sampled_from(SPEC_LINES) | st.text(max_size=24), max_size=40))
    preamble = (
        ["Name: x", "Version: 1", "Release: 1", "Summary: s", "License: MIT"] if draw(st.booleans()) else []
    )
    text = "\n".join(preamble + lines).encode("utf-8", "surrogatepass")
    rpm = make_corpus.compact(RPMS / f"{name}-1.0-1.src.rpm")
    rpm.payload = make_corpus._gzip(make_corpus._cpio([(f"{name}.spec".encode(), text)]))
    if name == "xs-sources":
        other = "\n".join(draw(st.lists(st.sampled_from(SPEC_LINES), max_size=20))).encode()
        rpm.main.set_strings(make_corpus.SPEC, [(text if tagged else other).replace(b"\0", b"")])
    return rpm.to_bytes()


@FUZZ
@given(spec_srpms())
def test_fuzz_lone_source_rpm_spec(data: bytes) -> None:
    """The spec of a source RPM scanned alone is read as its rebuild's (`check_rpm`)."""
    check_rpm(data)


AGAINST_RPM = settings(
    FUZZ,
    max_examples=int(os.environ.get("AUDITOR_FUZZ_RPM_EXAMPLES", "40")),  # rpm runs twice per example
)
RPM_CHECKS = (CheckKind.LEAD, CheckKind.STRUCTURE, CheckKind.DIGEST)
"""The refusals rpm -qp --nodigest --nosignature and rpm -K --nosignature decide (the signature
packets are verified by rpm only with its key; the payload is not read by either)."""


@pytest.fixture(scope="module")
def rpm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Rpm, Path]:
    home = tmp_path_factory.mktemp("rpm-home")
    return Rpm.create(home), home / "fuzz.rpm"


@AGAINST_RPM
@given(data=mutated_rpms())
def test_fuzz_rpm_reader_agrees_with_rpm(rpm: tuple[Rpm, Path], data: bytes) -> None:
    """Where the auditor reads a mutated file, rpm reads it; where the auditor refuses it
    with one of rpm's own checks, rpm refuses it (its header digests included)."""
    oracle, path = rpm
    path.write_bytes(data)
    _, error = read_rpm(data)
    rpm_refuses = oracle.structure_refuses(path) or oracle.header_digest_refuses(path)
    if error is None:
        assert not rpm_refuses, "the auditor reads a file rpm refuses"
    elif isinstance(error, RpmCheckError) and error.kind in RPM_CHECKS:
        assert rpm_refuses, f"rpm reads a file the auditor refuses: {error}"


_ATTRIBUTE_VALUES = ["", "0", "-1", "9" * 5000, "EQ", "GE", "LT", "XX", "(a or (b and c))", "(" * 100,
                     "../../etc/passwd", "https://attacker.example/x.rpm", "&#10;", "&amp;", "\u00b2", "1:2-3"]  # fmt: skip


@st.composite
def mutated_primaries(draw: st.DrawFn) -> tuple[bytes, str, bool]:
    data = bytearray(PRIMARY)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        kind = draw(
            st.sampled_from(["attribute", "attribute", "flip", "truncate", "splice", "delete", "text"])
        )
        if kind == "attribute":  # overwrite one attribute value with a hostile one
            starts = [i + 2 for i in range(len(data) - 1) if data[i : i + 2] == b'="']
            if not starts:
                continue
            start = draw(st.sampled_from(starts))
            end = data.find(b'"', start)
            value = draw(
                st.sampled_from(_ATTRIBUTE_VALUES) | st.text(max_size=20).filter(lambda t: '"' not in t)
            )
            data[start:end] = value.replace("<", "&lt;").encode()
        elif kind == "text":
            position = draw(st.integers(0, len(data)))
            data[position:position] = draw(
                st.sampled_from([b"<x>", b"</package>", b"<rpm:entry/>", b"&e;", b"\xff"])
            )
        elif kind == "flip":
            position = draw(st.integers(0, len(data) - 1))
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[draw(st.integers(0, len(data))) :]
        elif kind == "splice":
            start = draw(st.integers(0, len(PRIMARY) - 1))
            piece = PRIMARY[start : start + draw(st.integers(1, 400))]
            position = draw(st.integers(0, len(data)))
            data[position:position] = piece
        else:
            position = draw(st.integers(0, len(data)))
            del data[position : position + draw(st.integers(1, 200))]
    compression = draw(st.sampled_from(COMPRESSIONS))
    broken_compression = compression != "" and draw(st.integers(0, 9)) == 0
    if broken_compression:  # mutate the compressed bytes too; repomd.xml still vouches for them
        from tests.fuzz.targets import compress

        packed = bytearray(compress(bytes(data), compression) or b"\0")
        position = draw(st.integers(0, len(packed) - 1))
        packed[position] ^= 1 << draw(st.integers(0, 7))
        del packed[draw(st.integers(len(packed) // 2, len(packed))) :]
        return bytes(packed), compression, True
    return bytes(data), compression, False


@FUZZ
@given(mutated_primaries())
def test_fuzz_repodata_reader(case: tuple[bytes, str, bool]) -> None:
    primary, compression, raw = case
    check_repodata(primary, compression, raw=raw)


_REPO = Path(__file__).parent.parent / "data" / "repo"
_DATABASE = bz2.decompress(next((_REPO / "repodata").glob("*-primary.sqlite.bz2")).read_bytes())


@pytest.fixture(scope="module")
def listed() -> list[Package]:
    """The packages of the fixture repository's primary.xml, which its primary_db copies."""
    return read_repository(str(_REPO)).packages


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(_DATABASE) - 1), st.integers(1, 255)), min_size=1, max_size=64
    )
)
def test_fuzz_primary_db(
    listed: list[Package], flips: list[tuple[int, int]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A damaged primary_db (yum 3's copy of primary.xml) is an `InputError` or agrees, never a crash."""
    data = bytearray(_DATABASE)
    for position, mask in flips:
        data[position] ^= mask
    path = tmp_path_factory.mktemp("db") / "primary.sqlite"
    path.write_bytes(bytes(data))
    with contextlib.suppress(InputError):
        check_primary_db(str(path), "primary_db", None, listed)
