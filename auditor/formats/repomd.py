"""``repodata/repomd.xml``: the index of a repository's metadata files.

Each ``<data type="...">`` entry names one file (primary, filelists, other...) with its
location, the checksum and size of the file as published and, for compressed files, the
size once decompressed (``open-size``). Readers verify a file against its entry before
they parse a byte of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.core.errors import InputError
from auditor.core.files import open_regular, unread
from auditor.formats.xmlstream import Text, decompressed_chunks, parse_xml, refuse_html_root

MAX_REPOMD_BYTES = 16 * 1024 * 1024
"""repomd.xml read up to 16 MiB, decompressed: the ceiling a remote one is downloaded under.
Real ones hold a few KiB (Fedora's, with its modules and updateinfo, 8 KiB). dnf reads it only
as plain XML; a compressed one read here under the 4 GiB bound of every metadata file took half a
minute to parse (rt-remote)."""

_REPOMD_TEXT = frozenset({"revision", "checksum", "size", "open-size", "database_version"})
AUDITED_TYPES = frozenset(
    {"primary", "filelists", "primary_db", "filelists_db", "primary_zck", "filelists_zck"}
)
"""The data types whose content the audit reads or compares: one of these listed twice is refused.
A duplicate of a type nobody here reads (``other``, ``updateinfo``...) changes no verdict. Of a
zchunk copy listed twice librepo keeps the last when it downloads (``lr_yum_repo_update``) but
the first when dnf loads its cache (``lr_yum_use_local``): whichever one is compared, dnf reads
the other on some run."""


@dataclass(frozen=True, slots=True)
class MetadataFile:
    kind: str
    href: str
    checksum_type: str
    checksum: str
    size: int | None
    open_size: int | None
    base: str | None = None
    """The location's ``xml:base``: librepo downloads the file from there, not from the mirror."""
    database_version: str | None = None
    """A SQLite database's ``database_version``: yum 3 reads one of its own version instead of
    the XML (`auditor.sources.primary_db`)."""


@dataclass
class Repomd:
    revision: str | None
    files: dict[str, MetadataFile]


_IN_DATA = ("location", "checksum", "size", "open-size", "database_version")
_READ_WHERE = {"revision": ("repomd",), "data": ("repomd",)} | dict.fromkeys(_IN_DATA, ("repomd", "data"))
"""Each element read, by the elements it must lie in, as librepo reads them (``repomd.c``: a state
table of the children each element may have; any other element is skipped with all it holds)."""


def _refuse_what_yum_reads_otherwise(
    name: str, attrs: dict[str, str], inside: list[str], kind: str, shown: str
) -> None:
    """Refuse an element of an audited entry that yum 3 reads and librepo does not.

    yum 3 (``repoMDObject.py``) takes a ``<data>`` at any depth, the last of a type winning,
    and of a ``<data>`` its children whatever their namespace prefix: a ``<data type="primary">``
    in an unknown element, or a ``<y:location>`` in the entry, names for yum 3 hosts a primary.xml
    dnf does not read and the audit, which reads dnf's, would not see."""
    local = name.rsplit(":", 1)[-1]
    if local == "data" and (name, inside) != ("data", ["repomd"]) and attrs.get("type") in AUDITED_TYPES:
        raise InputError(
            shown, f"lists {attrs.get('type')} metadata in a <{name}> inside <{inside[-1]}>, which yum 3"
            " reads and dnf does not:"
            " corrupt, one of them would go unaudited",
        )  # fmt: skip
    if inside == ["repomd", "data"] and local != name and local in _IN_DATA and kind in AUDITED_TYPES:
        raise InputError(
            shown, f"lists a <{name}> in its {kind} entry, which yum 3 reads and dnf does not:"
            " corrupt, one of them would go unaudited",
        )  # fmt: skip


def read_repomd(path: str, shown: str) -> Repomd:
    files: dict[str, MetadataFile] = {}
    state: dict[str, object] = {"revision": None, "root": None}
    text = Text()
    current: dict[str, str] = {}
    open_elements: list[str] = []
    """The elements the parser is inside, outermost first."""

    def read_here(name: str) -> bool:
        # A <location> or <checksum> inside an element of no meaning to librepo (or a <data>
        # inside a <data>) is skipped by dnf, and by yum 3 within a <data>: read, it named a
        # primary.xml neither reads, and the one they read went unaudited.
        # Lengths first: building the path at each element took hours for 2 million nested ones.
        where = _READ_WHERE.get(name)
        return where is not None and len(where) == len(open_elements) and where == tuple(open_elements)

    def start(name: str, attrs: dict[str, str]) -> None:
        if state["root"] is None:
            state["root"] = name
            if name != "repomd":
                refuse_html_root(name, shown, "repomd")
        _refuse_what_yum_reads_otherwise(name, attrs, open_elements, current.get("type", ""), shown)
        read = read_here(name)
        open_elements.append(name)
        if not read:
            return
        if name in _REPOMD_TEXT:
            text.start()
        if name == "data":
            current.clear()
            current["type"] = attrs.get("type", "")
        elif name == "location":
            current["href"] = attrs.get("href", "")
            if "xml:base" in attrs:
                current["base"] = attrs["xml:base"]
        elif name == "checksum":
            current["checksum_type"] = attrs.get("type", "")

    def end(name: str) -> None:
        open_elements.pop()
        if not read_here(name):
            return
        value = text.take().strip() if name in _REPOMD_TEXT else ""
        if name == "revision":
            state["revision"] = value
        elif name == "checksum":
            current["checksum"] = value
        elif name in ("size", "open-size", "database_version"):
            current[name] = value
        elif name == "data" and current.get("type"):
            kind = current["type"]
            try:
                size = int(current["size"]) if "size" in current else None
                open_size = int(current["open-size"]) if "open-size" in current else None
            except ValueError:
                raise InputError(shown, f"bad size for {kind} in repomd.xml") from None
            if kind in files and kind in AUDITED_TYPES:
                # Corrupt metadata, not a choice to make: dnf keeps the first entry of a
                # type (librepo's lr_yum_repomd_get_record and libdnf's map of metadata
                # paths both stop at the first), this reader used to keep the last, other
                # tools may read both. Whichever is read, the other's packages are what some
                # client installs and nobody audited; only refusing keeps a pass meaningful.
                raise InputError(
                    shown, f"lists {kind} metadata twice: corrupt, one of them would go unaudited"
                )
            files[kind] = MetadataFile(
                kind, current.get("href", ""), current.get("checksum_type", ""),
                current.get("checksum", ""), size, open_size, current.get("base"),
                current.get("database_version"),
            )  # fmt: skip

    try:
        with open_regular(path, shown, "a metadata file") as stream:
            parse_xml(decompressed_chunks(stream, shown, MAX_REPOMD_BYTES), shown, start, end, text)
    except OSError as exc:
        raise unread(path, shown, exc) from None
    revision = state["revision"]
    return Repomd(revision if isinstance(revision, str) else None, files)
