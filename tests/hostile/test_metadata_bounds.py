"""One package's values and lists in repository metadata are bounded, however well the file compresses.

Each metadata file here is a few KiB of zstd, with the checksum, size and open-size
repomd.xml gives all right, that opens to hundreds of MiB of one value or one list of a
single package. Every one used to be held whole (exit 4, MemoryError, or gigabytes and tens
of seconds); each is now refused as an input error naming the file and the package, in a
child process whose address space is capped below what holding it would take.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from tests.conftest import errors_of
from tests.hostile import make_corpus
from tests.paths import ROOT

MIB = 1024 * 1024
ADDRESS_SPACE = 1024 * MIB
"""The child's cap (RLIMIT_AS): a scan of a small repository runs in 300 MiB, each bomb held
whole took two to three times its 500 MiB to 1 GiB."""

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" '
    'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1">\n'
    '<package type="rpm">\n  <name>x</name>\n  <arch>x86_64</arch>\n'
    '  <version epoch="0" ver="1" rel="1"/>\n'
    f'  <checksum type="sha256" pkgid="YES">{"0" * 64}</checksum>\n  <summary>s</summary>\n'
)
FORMAT = (
    "  <packager></packager>\n  <url></url>\n"
    '  <time file="1" build="1"/>\n  <size package="1" installed="1" archive="1"/>\n'
    '  <location href="Packages/x-1-1.x86_64.rpm"/>\n  <format>\n'
    "    <rpm:license>MIT</rpm:license>\n    <rpm:vendor></rpm:vendor>\n"
    "    <rpm:group>U</rpm:group>\n    <rpm:buildhost>b</rpm:buildhost>\n"
    "    <rpm:sourcerpm>x-1-1.src.rpm</rpm:sourcerpm>\n"
)
TAIL = "  </format>\n</package>\n</metadata>\n"

Write = Callable[[bytes], None]


def repeated(write: Write, unit: bytes, total: int) -> None:
    """``unit`` over and over, ``total`` bytes of it, in pieces of about a MiB."""
    block = unit * max(1, MIB // len(unit))
    for _ in range(total // len(block)):
        write(block)


def one_package_repository(directory: Path, body: Callable[[Write], None]) -> Path:
    """A repository whose primary.xml.zst holds package x, with ``body`` writing what lies
    between its ``<format>`` head and its end (or its description: see the callers)."""
    compressor = zstandard.ZstdCompressor(level=1).compressobj()
    parts: list[bytes] = []
    opened = 0

    def write(data: bytes) -> None:
        nonlocal opened
        opened += len(data)
        parts.append(compressor.compress(data))

    body(write)
    parts.append(compressor.flush())
    return make_corpus.zstd_primary_repository(directory, b"".join(parts), opened)


def description_of(size: int) -> Callable[[Write], None]:
    def body(write: Write) -> None:
        write(HEAD.encode() + b"  <description>")
        repeated(write, b"a", size)
        write(b"</description>\n" + FORMAT.encode() + TAIL.encode())

    return body


def listing(opening: str, unit: bytes, size: int, closing: str = "") -> Callable[[Write], None]:
    def body(write: Write) -> None:
        write((HEAD + "  <description>d</description>\n" + FORMAT + opening).encode())
        repeated(write, unit, size)
        write((closing + TAIL).encode())

    return body


def capped(limit: int) -> Callable[[], None]:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return cap


def scan_capped(repository: Path, cache: Path) -> tuple[int, list[str]]:
    """Exit code and error lines of ``scan REPOSITORY --metadata-only`` in a capped child."""
    child = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(repository), "--metadata-only", "-q",
         "-o", os.devnull, "--cache-dir", str(cache)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=capped(ADDRESS_SPACE),
        capture_output=True,
        text=True,
        timeout=180,  # a guard against a hang, not a time assertion
    )  # fmt: skip
    return child.returncode, errors_of(child.stderr)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(
            description_of(1024 * MIB),
            "<description> longer than 1048576 characters",
            id="a-1-GiB-description",
        ),
        pytest.param(
            listing("", b"    <file>/usr/share/x/aaaaaaaaaaaaaaaaa</file>\n", 500 * MIB),
            "more than 1048575 <file> entries",
            id="10-million-files",
        ),
        pytest.param(
            listing(
                "    <rpm:provides>\n",
                b'      <rpm:entry name="capabilityaaaaaaaaaa"/>\n',
                500 * MIB,
                "    </rpm:provides>\n",
            ),
            "more than 1048575 <rpm:provides> entries",
            id="10-million-provides",
        ),
        pytest.param(
            listing(
                '    <rpm:requires>\n      <rpm:entry name="', b"a", 1024 * MIB, '"/>\n    </rpm:requires>\n'
            ),
            "a tag or comment longer than 1048576 bytes",
            id="a-1-GiB-attribute",
        ),
    ],
)
def test_one_package_past_a_limit_refuses_the_file_in_bounded_memory(
    body: Callable[[Write], None], reason: str, tmp_path: Path
) -> None:
    repository = one_package_repository(tmp_path / "repo", body)
    code, errors = scan_capped(repository, tmp_path / "cache")
    shown = repository / "repodata" / "primary.xml.zst"
    assert (code, errors) == (3, [f"auditor: error: {shown}: package x: {reason}; refused"])


def test_the_same_package_under_the_limits_is_read(tmp_path: Path) -> None:
    """The bombs' package, with a list and a value just under the limits, is read (so the
    refusals above are the limits', not the package's)."""

    def body(write: Write) -> None:
        write(HEAD.encode() + b"  <description>")
        repeated(write, b"a", MIB)  # exactly xmlstream.MAX_TEXT characters
        write(b"</description>\n" + FORMAT.encode())
        repeated(write, b"    <file>/usr/bin/x</file>\n", 4 * MIB)
        write(TAIL.encode())

    repository = one_package_repository(tmp_path / "repo", body)
    code, errors = scan_capped(repository, tmp_path / "cache")
    assert (code, errors) == (0, [])
