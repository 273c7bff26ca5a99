"""The layout readers of repository metadata beside expat, on the same bytes.

`auditor.sources.createrepo_layout` reads primary.xml and filelists.xml by regular
expressions when they are laid out as createrepo_c writes them; `check_layout` holds the
property the tests (hypothesis) and `fuzz_layout.py` (atheris) check on any bytes: what a
layout reader accepts, expat accepts too, and reads the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from auditor.core.errors import InputError
from auditor.formats.xmlstream import decompressed_chunks, parse_xml
from auditor.rpm.model import Package
from auditor.sources.createrepo_layout import FilelistsLayout, NotInLayout, PrimaryLayout
from auditor.sources.filelists_xml import FilelistsHandler
from auditor.sources.primary import PrimaryHandler


class Outcome(NamedTuple):
    """What a reader read: the packages, the errors as their one-line texts, and the packages'
    file sizes (`PrimaryHandler.file_sizes`)."""

    packages: list[Package]
    errors: list[str]
    file_sizes: dict[str, int]

    def __eq__(self, other: object) -> bool:
        # Every field, those a Package leaves out of its own equality too (header_range, notes).
        return (
            isinstance(other, Outcome)
            and [_every_field(package) for package in self.packages]
            == [_every_field(package) for package in other.packages]
            and self.errors == other.errors
            and self.file_sizes == other.file_sizes
        )


def _every_field(package: Package) -> tuple[object, ...]:
    return package.__reduce__()[1]


def _chunks(document: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(document), size):
        yield document[start : start + size]


def by_expat(document: bytes, size: int = 1 << 20) -> Outcome | None:
    """What expat reads (None: it refuses the document)."""
    errors: list[InputError] = []
    handler = PrimaryHandler("repo", errors, "primary.xml")
    try:
        parse_xml(_chunks(document, size), "primary.xml", handler.start, handler.end, handler.text,
                           ordered=True)  # fmt: skip
    except InputError:
        return None
    return Outcome(handler.pending, [str(error) for error in errors], handler.file_sizes)


def by_layout(document: bytes, size: int = 1 << 20) -> Outcome | None:
    """What the layout reader reads (None: not in the layout)."""
    errors: list[InputError] = []
    handler = PrimaryHandler("repo", errors, "primary.xml")
    try:
        PrimaryLayout(handler).read(_chunks(document, size))
    except NotInLayout:
        return None
    return Outcome(handler.pending, [str(error) for error in errors], handler.file_sizes)


FileLists = dict[str, tuple[str, int]]


def filelists_by_expat(document: bytes, size: int = 1 << 20) -> FileLists | None:
    handler = FilelistsHandler()
    try:
        parse_xml(_chunks(document, size), "filelists.xml", handler.start, handler.end, handler.text,
                  ordered=True)  # fmt: skip
    except InputError:
        return None
    return handler.found


def filelists_by_layout(document: bytes, size: int = 1 << 20) -> FileLists | None:
    layout = FilelistsLayout()
    try:
        layout.read(_chunks(document, size))
    except NotInLayout:
        return None
    return layout.found


def decompressed(path: Path) -> bytes:
    """A metadata file's whole text, decompressed by the auditor's own reader."""
    with path.open("rb") as stream:
        return b"".join(decompressed_chunks(stream, str(path)))


def check_layout(document: bytes, size: int = 1 << 20) -> None:
    """Read ``document`` as primary.xml and as filelists.xml, by layout and by expat, in
    chunks of ``size``: AssertionError when a layout reader accepts what expat reads otherwise."""
    primary = by_layout(document, size)
    if primary is not None:
        assert by_expat(document) == primary
    files = filelists_by_layout(document, size)
    if files is not None:
        assert filelists_by_expat(document) == files
