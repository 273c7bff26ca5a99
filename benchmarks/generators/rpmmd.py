"""Write rpm-md repodata (``repomd.xml``, primary, filelists, other) from XML fragments.

dnf (libdnf), libsolv and the auditor load the result as they load createrepo_c's: the
metadata files are gzip with the checksums and sizes ``repomd.xml`` gives, named by their
checksum. Timestamps are fixed and the gzip streams carry no name or time, so the same
packages give the same bytes. Each file is compressed and hashed as it is written, so a
distribution-sized repository never has to be held in memory as text.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

TIMESTAMP = 1_700_000_000
"""Every timestamp of the metadata (2023-11-14): the output must not depend on the day."""

_HEADS = {
    "primary": (
        '<metadata xmlns="http://linux.duke.edu/metadata/common" '
        'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="{count}">\n'
    ),
    "filelists": '<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="{count}">\n',
    "other": '<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="{count}">\n',
}
_TAILS = {"primary": "</metadata>\n", "filelists": "</filelists>\n", "other": "</otherdata>\n"}
_GZIP_LEVEL = 6


@dataclass(frozen=True, slots=True)
class Fragments:
    """One package's elements in each of the three metadata files."""

    primary: str
    filelists: str
    other: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A dependency entry (``<rpm:entry>``) of provides, requires, conflicts or a weak relation."""

    name: str
    flags: str | None = None
    evr: tuple[str, str, str | None] | None = None
    pre: bool = False

    def xml(self) -> str:
        text = f"<rpm:entry name={quoteattr(self.name)}"
        if self.flags and self.evr:
            epoch, version, release = self.evr
            text += f' flags="{self.flags}" epoch="{epoch or "0"}" ver={quoteattr(version)}'
            if release is not None:
                text += f" rel={quoteattr(release)}"
        if self.pre:
            text += ' pre="1"'
        return text + "/>"


def version_attributes(evr: tuple[str, str, str]) -> str:
    epoch, version, release = evr
    return f'epoch="{epoch}" ver={quoteattr(version)} rel={quoteattr(release)}'


class _GzipXml:
    """One metadata file: a gzip member written as it is fed, with both checksums and sizes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._stream = open(path, "wb")  # noqa: SIM115 -- closed by finish()
        # mtime, no file name, "unknown OS" (255): the header gzip.compress(mtime=...) writes
        self._stream.write(b"\x1f\x8b\x08\x00" + TIMESTAMP.to_bytes(4, "little") + b"\x00\xff")
        self._deflate = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        self._crc = 0
        self._open_size = 0
        self._open_sha = hashlib.sha256()

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._crc = zlib.crc32(data, self._crc)
        self._open_size += len(data)
        self._open_sha.update(data)
        self._stream.write(self._deflate.compress(data))

    def finish(self) -> tuple[str, int, str, int]:
        """Close it; (sha256, size, open sha256, open size)."""
        self._stream.write(self._deflate.flush())
        self._stream.write(
            self._crc.to_bytes(4, "little") + (self._open_size & 0xFFFFFFFF).to_bytes(4, "little")
        )
        self._stream.close()
        digest = hashlib.sha256()
        with open(self.path, "rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
        return digest.hexdigest(), os.path.getsize(self.path), self._open_sha.hexdigest(), self._open_size


def write_repository(outdir: str, packages: Iterable[Fragments], count: int) -> None:
    """``outdir/repodata/`` for ``count`` packages (the headers state the count first)."""
    repodata = os.path.join(outdir, "repodata")
    os.makedirs(repodata, exist_ok=True)
    files = {kind: _GzipXml(os.path.join(repodata, f"{kind}.xml.gz.part")) for kind in _HEADS}
    for kind, stream in files.items():
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n' + _HEADS[kind].format(count=count))
    written = 0
    for fragments in packages:
        files["primary"].write(fragments.primary)
        files["filelists"].write(fragments.filelists)
        files["other"].write(fragments.other)
        written += 1
    if written != count:
        raise ValueError(f"{outdir}: {written} packages written, {count} announced")
    records = []
    for kind, stream in files.items():
        stream.write(_TAILS[kind])
        sha, size, open_sha, open_size = stream.finish()
        href = f"repodata/{sha}-{kind}.xml.gz"
        os.replace(stream.path, os.path.join(outdir, href))
        records.append(
            f'  <data type="{kind}">\n'
            f'    <checksum type="sha256">{sha}</checksum>\n'
            f'    <open-checksum type="sha256">{open_sha}</open-checksum>\n'
            f'    <location href="{href}"/>\n'
            f"    <timestamp>{TIMESTAMP}</timestamp>\n"
            f"    <size>{size}</size>\n"
            f"    <open-size>{open_size}</open-size>\n"
            "  </data>\n"
        )
    with open(os.path.join(repodata, "repomd.xml"), "w", encoding="utf-8") as repomd:
        repomd.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<repomd xmlns="http://linux.duke.edu/metadata/repo" '
            'xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n'
            f"  <revision>{TIMESTAMP}</revision>\n{''.join(records)}</repomd>\n"
        )
