"""The copies of primary.xml and filelists.xml that package managers read in their place.

A repository's repomd.xml may list, beside primary.xml, copies some hosts read instead:

- ``primary_db``, the SQLite database yum 3 reads (XCP-ng 8.x installs with it):
  `auditor.sources.primary_db` compares what it lists with primary.xml's packages.
- ``filelists_db``, the one of filelists.xml: `auditor.sources.filelists_db` compares them
  when filelists.xml is read (when a required path needs it, as yum 3 reads the database then).
- ``primary_zck`` and ``filelists_zck``, the zchunk files dnf reads where librepo has zchunk
  (Fedora's default; libdnf asks for them first). createrepo_c writes each from the same
  XML as the plain file (repomd.xml gives both the same open-checksum), so each must hold
  exactly what its plain file holds, byte for byte, once both are decompressed.

The auditor reads the plain files, or the copy where its plain file is not listed, as dnf with
zchunk reads it then too (without zchunk, dnf has no such file at all). A copy that differs
(left from another run, or written on purpose) is what some host installs from, unaudited: the
repository is an input error naming it, never a clean verdict on what one host does not see.
Each check runs meanwhile, in a forked child when its file is large (`READ_DATABASE_FROM`),
while primary.xml is parsed; but the primary_db in this process, after it, where a worker reads
package headers meanwhile (`auditor.runtime.parallel.read_here`).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial

from auditor.core.errors import InputError, TooLarge
from auditor.formats.repomd import MetadataFile, Repomd
from auditor.rpm.model import Package
from auditor.runtime.parallel import READ_DATABASE_FROM, Background, worth_forking
from auditor.sources import filelists_db
from auditor.sources.filelists import FilelistsSource
from auditor.sources.metadata_file import open_decompressed
from auditor.sources.primary_db import Reading, database_limit, start_reading
from auditor.sources.yum_sqlite import read_by_yum

ZCHUNK_COPIES = (("primary", "primary_zck"), ("filelists", "filelists_zck"))
"""(plain file, the zchunk copy dnf reads in its place)."""

Fetch = Callable[[MetadataFile], tuple[str, str]]
"""Makes a listed file available and verified: its path, and how it is named."""


class Copies:
    """The checks of one repository's copies, started before primary.xml is parsed."""

    def __init__(
        self,
        repomd: Repomd,
        primary: MetadataFile,
        fetch: Fetch,
        plain: Mapping[str, tuple[str, str]],
        locations_under: str | None = None,
        headers_beside: int = 0,
    ) -> None:
        """``primary``: the entry read as primary.xml; ``plain``: the files already fetched and
        read as primary.xml and filelists.xml (kind -> path, shown); ``locations_under``: the
        URL a remote repository's package locations are joined to; ``headers_beside``: the RPM
        files whose headers a worker reads meanwhile (`primary_db.Reading`)."""
        self._locations_under = locations_under
        primary_db = repomd.files.get("primary_db")
        self._database: Reading | None = start_reading(primary_db, primary, fetch, headers_beside)
        self._failed: list[InputError] = []
        self._checks: list[Background[None]] = []
        self._file_lists_db: tuple[str, str, int | None] | None = None
        """The ``filelists_db`` yum 3 reads: its path, how it is named, the most it may hold."""
        self._database_differs = False
        database = repomd.files.get("filelists_db")
        xml = repomd.files.get("filelists") or repomd.files.get("filelists_zck")  # what dnf reads
        if read_by_yum(database) and database is not None:
            if xml is None:  # dnf has no file lists then, yum 3 the database's
                said = "is what yum 3 reads for file requirements, and dnf reads no filelists.xml: refused"
                self._failed.append(InputError(database.href, said))
            elif "filelists" in plain:
                try:
                    path, shown = fetch(database)
                    self._file_lists_db = (path, shown, database_limit(database, xml))
                except InputError as exc:
                    self._failed.append(exc)
                if self._database is not None and self._file_lists_db is not None:
                    self._database.keep_checksums()  # its keys name filelists_db's packages
        for kind, copy_kind in ZCHUNK_COPIES:
            copy, fetched, entry = repomd.files.get(copy_kind), plain.get(kind), repomd.files.get(kind)
            if copy is None or fetched is None or entry is None:  # no copy, or the copy is what was read
                continue
            try:
                copy_path, copy_shown = fetch(copy)
            except InputError as exc:
                self._failed.append(exc)
                continue
            work = partial(_same, *fetched, copy_path, copy_shown, kind, entry.open_size)
            fork = worth_forking(max(entry.open_size or 0, copy.open_size or 0), READ_DATABASE_FROM)
            self._checks.append(Background(work, fork=fork))

    def wait(self) -> None:
        """Wait for every child, whatever it found: this process ends with os._exit, and a
        child still busy then would outlive it, holding the run's standard output open."""
        if self._database is not None:
            self._database.wait()
        for check in self._checks:
            with contextlib.suppress(InputError):
                check.result()

    def differences(self, packages: Sequence[Package]) -> list[InputError]:
        """Each copy that could not be read or does not hold what primary.xml gave (``packages``)."""
        found = list(self._failed)
        if self._database is not None:
            try:  # it must say what primary.xml says
                self._database.compare(packages, self._locations_under)
            except InputError as exc:
                found.append(exc)
                self._database_differs = True
        for check in self._checks:
            try:
                check.result()
            except InputError as exc:
                found.append(exc)
        return found

    def check_file_lists(self, source: FilelistsSource | None, packages: Sequence[Package]) -> None:
        """Have ``source`` (filelists.xml) compared, when it is read, with the ``filelists_db``
        yum 3 reads in its place; ``packages``: primary.xml's, in its order."""
        if source is None or self._file_lists_db is None:
            return
        path, shown, limit = self._file_lists_db
        database, refused = self._database, self._database_differs

        def yum_keys() -> dict[int, str] | None:
            if database is not None:  # yum 3 keys its packages as primary_db does
                return None if refused else database.checksums()  # else said once, of primary_db
            # yum writes its own database of primary.xml, its keys counting from 1 in that order,
            # skipping a package without a pkgid (yum-metadata-parser's update_package_cb)
            listed = (package for package in packages if package.checksum is not None)
            return {key: _checksum(package) for key, package in enumerate(listed, 1)}

        names = {_checksum(package): package.nevra for package in packages}

        def compare(keys: Mapping[int, str], xml: filelists_db.XmlLists) -> None:
            filelists_db.compare_filelists_db(path, shown, limit, keys, xml, names)

        source.read_through(lambda parse: filelists_db.checked(parse, compare, yum_keys))


def _checksum(package: Package) -> str:
    return package.checksum.value.lower() if package.checksum is not None else ""


def _same(
    plain_path: str,
    plain_shown: str,
    copy_path: str,
    copy_shown: str,
    kind: str,
    plain_size: int | None,
) -> None:
    """Raise `InputError` naming the copy unless it decompresses to what the plain file does."""
    plain, size = _digest(plain_path, plain_shown, plain_size)
    try:
        copy = _digest(copy_path, copy_shown, size)  # one byte more than the plain file: not the same
    except TooLarge:
        copy = None
    except InputError as exc:
        raise InputError(copy_shown, f"{exc.reason} (dnf with zchunk reads it instead of {kind})") from None
    if copy != (plain, size):
        raise InputError(
            copy_shown,
            f"does not hold what {kind} holds, and dnf with zchunk reads it instead:"
            " its packages would go unaudited; refused",
        )


def _digest(path: str, shown: str, open_size: int | None) -> tuple[bytes, int]:
    digest = hashlib.sha256()
    size = [0]

    def read(chunks: Iterator[bytes]) -> None:
        for chunk in chunks:
            digest.update(chunk)
            size[0] += len(chunk)

    open_decompressed(path, shown, open_size, read)
    return digest.digest(), size[0]
