"""``filelists_db``: the SQLite copy of filelists.xml that yum 3 reads in its place.

yum 3 reads a repository's ``filelists_db`` whenever repomd.xml lists one of its database version
(``YumSqlitePackageSack.populate``), whether or not it reads ``primary_db``, and never parses
filelists.xml then; dnf reads filelists.xml only. Both read it for a required path primary does
not answer for (one outside ``/etc/`` and ``*bin/``: yum's ``re_primary_filename``,
`auditor.sources.filelists.in_primary`), and yum 3 meets it by a row of the database's
``filelist`` table, taking the row's ``pkgKey`` for the package of that key in the primary
database it reads (``searchFiles``, ``_packageByKey``): ``primary_db``'s, or the one it writes
itself from primary.xml, whose keys count its packages from 1 in their order there.

So a database whose rows give ``/opt/vendor/lib/libx.so`` to the Citrix package's key, where
filelists.xml gives it to a clean one, has every yum 3 host install the Citrix package for the
clean ``app`` that requires that path, while the audit of filelists.xml said ``app`` was clean.
The database must give every package, by the key yum 3 reads it by, the paths filelists.xml
gives it, and key its own ``packages`` table as yum's primary database does (yum joins that one
by pkgId for a package's whole list), or the repository is an input error. It is compared when
filelists.xml is read, which is when a required path needs it: yum 3 reads the database then.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping

from auditor.core.errors import InputError
from auditor.sources.yum_sqlite import opened, row_key, text

XmlLists = Mapping[str, tuple[str, int]]
"""`auditor.sources.filelists_xml.read_filelists`'s answer: pkgid -> (NUL-joined paths, how many)."""

_REFUSED = "yum 3 reads filelists_db, dnf filelists.xml; refused, as what one of them says would go unaudited"


def compare_filelists_db(
    path: str,
    shown: str,
    open_size: int | None,
    yum_keys: Mapping[int, str],
    xml: XmlLists,
    names: Mapping[str, str],
) -> None:
    """Raise `InputError` naming ``shown`` unless the verified ``filelists_db`` at ``path`` gives
    each package of ``yum_keys`` (pkgKey -> checksum, as yum 3's primary database keys them) the
    paths ``xml`` gives it, or when it cannot be read; ``names``: checksum -> the package's NEVRA.
    Its rows are read in pkgKey order, one package's paths held at a time, and no more of them
    than filelists.xml gives it: short names in a database's text budget make many more objects
    than the text they come from."""
    with opened(path, shown, open_size, ("packages", "filelist"), "filelists_db") as rows:
        ids: dict[int, str] = {}
        for key, pkgid in rows("SELECT pkgKey, pkgId FROM packages"):
            number = row_key(key, "packages", shown)
            if number in ids:
                raise InputError(shown, f"lists pkgKey {number} twice: not yum's database; refused")
            ids[number] = text(pkgid).lower()
        if ids != dict(yum_keys):
            keys = sorted(ids.keys() ^ yum_keys.keys() or {key for key in ids if ids[key] != yum_keys[key]})
            said = (
                f"keys its packages otherwise than yum 3's primary database (pkgKey {_some(map(str, keys))})"
            )
            raise InputError(shown, f"{said}: {_REFUSED}")
        lowered = {pkgid.lower(): listed for pkgid, listed in xml.items()}

        def compare(key: int, held: set[str]) -> None:
            joined, count = lowered.get(ids[key], ("", 0))
            listed = set(joined.split("\0")) if count else set()
            if held != listed:
                change = sorted(f"{'+' if path in held else '-'}{path}" for path in held ^ listed)
                said = f"files differ from filelists.xml ({_some(change, '; ')})"
                raise InputError(shown, f"{names.get(ids[key], ids[key])}: {said}: {_REFUSED}")

        query = "SELECT pkgKey, dirname, filenames, filetypes FROM filelist ORDER BY pkgKey"
        current: int | None = None
        held: set[str] = set()
        most = 0
        for key, dirname, filenames, types in rows(query):
            number = row_key(key, "filelist", shown, ids)
            if number != current:
                if current is not None:
                    compare(current, held)
                current, held = number, set()
                most = lowered.get(ids[number], ("", 0))[1]
            held.update(_paths(text(dirname), text(filenames), text(types), shown))
            if len(held) > most:  # more than filelists.xml gives it: said now, not held on
                compare(number, held)
        if current is not None:
            compare(current, held)
        done = {row_key(key, "filelist", shown) for (key,) in rows("SELECT DISTINCT pkgKey FROM filelist")}
        for key in sorted(ids.keys() - done):
            compare(key, set())  # a package the database gives no file


def _paths(dirname: str, filenames: str, types: str, shown: str) -> list[str]:
    """The paths of one ``filelist`` row, as yum 3's ``_loadFiles`` joins them and ``searchFiles``
    matches them."""
    split = filenames.split("/")
    if dirname == "/" and "" in split:
        split = _root_named(split)
    if len(split) != len(types):
        # yum matches a row of one type against the whole of its filenames, slashes and all,
        # and one of several by its names: the two readings differ.
        said = f"a filelist row of {len(split)} name(s) and {len(types)} file type(s)"
        raise InputError(shown, f"{said}, which yum 3 reads as other paths; refused")
    if dirname == ".":  # createrepo_c's for a relative path (a source package's files): no path for either
        return list(split)
    if not dirname.startswith("/") or posixpath.normpath(dirname) != dirname or "" in split:
        # yum matches a path against the row's directory as written (os.path.dirname of the
        # path required): /opt/lib/ or /opt//lib owns nothing there, though its paths read
        # as /opt/lib's, where a Citrix package's row may be all yum 3 finds.
        said = f"a filelist row of directory {dirname[:80]!r} and names {filenames[:80]!r}"
        raise InputError(shown, f"{said}, which yum 3 matches as no path filelists.xml gives; refused")
    directory = dirname if dirname.endswith("/") else dirname + "/"
    return [directory + name if name != "/" else name for name in split]


def _root_named(names: list[str]) -> list[str]:
    """``names`` of a row of directory ``/`` with each pair of empty names read as the root
    itself. createrepo_c writes the path ``/`` (which ``filesystem`` owns in every distribution)
    as the name ``/`` in its own directory, so ``//bin/boot`` lists ``/``, ``/bin`` and
    ``/boot``: yum 3.4 reads it so (``decodefilenamelist`` replaces ``//`` with ``/``), and its
    ``searchFiles`` matches ``/`` by the empty name the split leaves. An empty name left alone
    is still refused."""
    merged: list[str] = []
    position = 0
    while position < len(names):
        if names[position] == "" and position + 1 < len(names) and names[position + 1] == "":
            merged.append("/")
            position += 2
        else:
            merged.append(names[position])
            position += 1
    return merged


def checked(
    parse: Callable[[], dict[str, tuple[str, int]]],
    compare: Callable[[Mapping[int, str], XmlLists], None],
    yum_keys: Callable[[], Mapping[int, str] | None],
) -> Callable[[], dict[str, tuple[str, int]]]:
    """``parse`` (filelists.xml's reading), which raises `InputError` when ``compare`` (of the
    ``filelists_db``) finds it does not say the same; ``yum_keys`` gives None when yum 3's
    primary database could not be read or was refused, an error of its own."""

    def parse_and_compare() -> dict[str, tuple[str, int]]:
        found = parse()
        keys = yum_keys()
        if keys is not None:
            compare(keys, found)
        return found

    return parse_and_compare


def _some(items: Iterable[str], joint: str = ", ") -> str:
    """Up to three of ``items``, and how many more."""
    listed = list(items)
    more = f" and {len(listed) - 3} more" if len(listed) > 3 else ""
    return joint.join(listed[:3]) + more
