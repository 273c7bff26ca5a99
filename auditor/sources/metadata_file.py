"""A repository's metadata file (primary, filelists...) opened as its checksum vouched for it,
decompressed within the limits in force, and handed on in chunks or parsed by expat."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from auditor.core.files import open_regular, unread
from auditor.formats.xmlstream import Text, decompressed_chunks, max_decompressed, parse_xml


def parse_file(
    path: str,
    shown: str,
    start: Callable[[str, list[str]], None],
    end: Callable[[str], None],
    text: Text,
    open_size: int | None,
    *,
    transform: Callable[[Iterator[bytes]], Iterator[bytes]] | None = None,
    where: Callable[[], str] | None = None,
) -> None:
    """Parse the file with expat: ``start``, ``end`` and ``text`` take its events (`parse_xml`),
    through ``transform`` when given (`auditor.sources.split`)."""

    def parse(chunks: Iterator[bytes]) -> None:
        chunks = chunks if transform is None else transform(chunks)
        parse_xml(chunks, shown, start, end, text, ordered=True, where=where)

    open_decompressed(path, shown, open_size, parse)


def open_decompressed(
    path: str, shown: str, open_size: int | None, read: Callable[[Iterator[bytes]], None]
) -> None:
    """Give ``read`` the decompressed content of a verified metadata file, in chunks, never more
    than its open-size (repomd.xml's word) or the ceiling in force."""
    ceiling = max_decompressed()
    limit = ceiling if open_size is None else min(open_size, ceiling)
    try:
        with open_regular(path, shown, "a metadata file") as stream:
            read(decompressed_chunks(stream, shown, limit))
    except OSError as exc:
        raise unread(path, shown, exc) from None
