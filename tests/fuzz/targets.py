"""Fuzz targets shared by the hypothesis tests (tests/fuzz/test_fuzz.py) and atheris (tests/fuzz/).

A target takes bytes, reads them the way the auditor reads an input, and carries what it
read through resolution and classification, where a hostile value can also do damage
(a rich dependency nested too deep only blows up there). It returns normally when the
input was read or refused with `InputError`; any other exception is a bug.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import tempfile
from functools import cache
from pathlib import Path

import zstandard

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.core.errors import InputError
from auditor.formats.rpmheader import read_headers
from auditor.origin.policy import Policy, load_policy
from auditor.rpm.model import Package, with_fields
from auditor.sources.interface import LoadResult
from auditor.sources.rebuildspec import rebuild_of
from auditor.sources.repodata import read_repository
from auditor.sources.rpmpackage import package_from_headers

ROOT = Path(__file__).resolve().parents[2]
RPMS = ROOT / "tests" / "data" / "rpms"
SEED_RPMS = (
    "three-requires-1.0-1.noarch.rpm",  # plain binary
    "richdeps-1.0-1.noarch.rpm",  # rich dependencies of every kind
    "signed-1.0-1.noarch.rpm",  # an OpenPGP signature packet
    "nospec-1.0-1.src.rpm",  # the spec is in the gzip payload
    "xs-sources-1.0-1.src.rpm",  # a SPEC tag with macros and URLs
    "payload-xz-1.0-1.noarch.rpm",
)
COMPRESSIONS = ("gz", "xz", "bz2", "zst", "")


@cache
def _policy() -> Policy:
    return load_policy()


def _audit(packages: list[Package]) -> None:
    audit_packages(AuditOptions(targets=("fuzz",)), _policy(), LoadResult(packages=packages), LoadResult())


def check_rpm(data: bytes) -> None:
    """Read ``data`` as an RPM file (headers, and the payload's spec for a source RPM), and a
    source RPM as one scanned alone is: with the binaries its rebuild makes (`rebuilt`)."""
    package, _ = read_rpm(data)
    if package is not None:
        _audit([package, *rebuilt(package, data)])


def rebuilt(package: Package, data: bytes) -> tuple[Package, ...]:
    """The binaries the spec of the source RPM ``package`` (read from ``data``) builds, read from
    its payload's spec and its SPEC tag as a source RPM scanned alone is (`rebuild_of`: it reads
    the file again, so ``data`` is written to one); a binary package builds none."""
    if not package.is_source or package.from_spec:
        return ()
    with tempfile.TemporaryDirectory() as directory:
        path = str(Path(directory) / "fuzz.src.rpm")
        Path(path).write_bytes(data)
        made = rebuild_of(with_fields(package, location=path, input=path))
    assert made.error is None or made.error.source.startswith(path), made.error  # it names its file
    return made.binaries


def read_rpm(data: bytes) -> tuple[Package | None, InputError | None]:
    """``data`` read as `auditor.sources.rpmpackage.read_rpm` reads a file: its package (None when
    refused), and its error (a refusal, or a payload cut short beside the package)."""
    stream = io.BytesIO(data)
    try:
        headers = read_headers(stream, "fuzz.rpm", len(data))
        if headers.truncated is not None:
            error = InputError("fuzz.rpm", headers.truncated)
            return package_from_headers(
                headers, None, location="fuzz.rpm", input="fuzz.rpm", checksum=None
            ), error
        package = package_from_headers(headers, stream, location="fuzz.rpm", input="fuzz.rpm", checksum=None)
    except InputError as exc:
        assert exc.source == "fuzz.rpm", exc  # the error names the input it is about
        return None, exc
    return package, None


def compress(data: bytes, kind: str) -> bytes:
    if kind == "gz":
        return gzip.compress(data, compresslevel=1, mtime=0)
    if kind == "xz":
        return lzma.compress(data, preset=0)
    if kind == "bz2":
        return bz2.compress(data, 1)
    if kind == "zst":
        return zstandard.ZstdCompressor(level=1).compress(data)
    return data


REPOMD = """<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo">
  <revision>1</revision>
  <data type="primary">
    <checksum type="sha256">{checksum}</checksum>
    <location href="repodata/primary.xml{suffix}"/>
    <size>{size}</size>
  </data>
</repomd>
"""


def write_repository(directory: Path, primary: bytes, kind: str, *, raw: bool = False) -> None:
    """A repository whose repomd.xml vouches for ``primary`` (compressed with ``kind``, or as given)."""
    (directory / "repodata").mkdir(parents=True, exist_ok=True)
    data = primary if raw else compress(primary, kind)
    suffix = f".{kind}" if kind else ""
    for old in (directory / "repodata").glob("primary.xml*"):
        old.unlink()
    (directory / "repodata" / f"primary.xml{suffix}").write_bytes(data)
    repomd = REPOMD.format(checksum=hashlib.sha256(data).hexdigest(), suffix=suffix, size=len(data))
    (directory / "repodata" / "repomd.xml").write_text(repomd)


def check_repository(directory: Path) -> None:
    """Read the repository at ``directory`` and audit what it gives."""
    try:
        read = read_repository(str(directory))
    except InputError:
        return
    for error in read.errors:
        assert isinstance(error, InputError)
    _audit(read.packages)


def check_repodata(primary: bytes, kind: str = "gz", *, raw: bool = False) -> None:
    """Serve ``primary`` (decompressed primary.xml, or compressed bytes when ``raw``) as a repository."""
    with tempfile.TemporaryDirectory(prefix="auditor-fuzz-") as directory:
        write_repository(Path(directory), primary, kind, raw=raw)
        check_repository(Path(directory))


def seed_primary(count: int = 4) -> bytes:
    """The first packages of the real fixture repository's primary.xml."""
    path = next((ROOT / "tests" / "data" / "repo" / "repodata").glob("*-primary.xml.gz"))
    text = gzip.decompress(path.read_bytes()).decode()
    head, _, rest = text.partition("<package ")
    packages = ("<package " + rest).split("</package>\n")[:count]
    return (head + "".join(p + "</package>\n" for p in packages) + "</metadata>\n").encode()


def seed_rpms() -> list[bytes]:
    """The seed fixtures, and nospec's payload in rpm's stripped cpio format (no fixture has one)."""
    from tests.data.build_fixtures import restrip_payload

    with tempfile.TemporaryDirectory() as directory:
        stripped = Path(directory) / "stripped.src.rpm"
        stripped.write_bytes((RPMS / "nospec-1.0-1.src.rpm").read_bytes())
        restrip_payload(stripped)
        return [*((RPMS / name).read_bytes() for name in SEED_RPMS), stripped.read_bytes()]
