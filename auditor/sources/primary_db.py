"""``primary_db``: the SQLite copy of primary.xml that yum 3 reads in its place.

yum 3 (XCP-ng 8.x installs with it) reads a repository's ``primary_db`` whenever repomd.xml
lists one of its database version (``<database_version>10</database_version>``, yum's
``DBVERSION``), and then never parses primary.xml (``YumSqlitePackageSack.populate``); dnf
reads primary.xml only. createrepo_c writes both from the same headers, so they agree. When
they do not (a database left from another run, or written on purpose), yum offers packages
the audit of primary.xml never saw, or resolves them by other dependencies: whichever copy
the auditor read, the other's packages are what some host installs, unaudited. So the two
must list the same packages (by checksum, name, epoch, version, release and architecture)
with the same dependencies of the kinds yum 3 reads (it reads no weak one), or the repository
is an input error.

The database comes from the repository, so it is handled as hostile (`auditor.sources.yum_sqlite`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from auditor.core.errors import InputError
from auditor.formats.repomd import MetadataFile
from auditor.net.urlpaths import under
from auditor.rpm.filelist import FileList
from auditor.rpm.model import Dependency, Package
from auditor.rpm.package_fields import location_is_url
from auditor.runtime.parallel import READ_DATABASE_FROM, Background, read_here, worth_forking
from auditor.sources.rpmmd_entry import dependency_from_fields
from auditor.sources.yum_sqlite import Rows, opened, read_by_yum, row_key
from auditor.sources.yum_sqlite import text as _text

YUM_KINDS = ("requires", "provides", "conflicts", "obsoletes")
"""The dependency tables yum 3 reads: it knows no weak dependency."""

PackageKey = tuple[str, str, str, str, int, str, str]
"""(checksum type, checksum, name, arch, epoch, version, release): one package of either copy."""

Entry = tuple[str, Dependency]
"""A dependency and its kind (``requires``...): one set holds the four kinds of a package."""


PER_XML_BYTE = 4
"""Bytes of database allowed per byte of primary.xml (as repomd.xml sizes it), and 1 MiB more:
the database is written to a temporary file to be opened, so a bomb would fill the disk, not
the memory. createrepo_c's run 0.8 times primary.xml on 2,000 packages, and 100 KiB of empty
tables and indexes on a few."""


def database_limit(database: MetadataFile, primary: MetadataFile) -> int | None:
    """The most ``database`` may decompress to, beside the limits of every metadata file."""
    limits = [size for size in (database.open_size,) if size is not None]
    if primary.open_size is not None:
        limits.append(primary.open_size * PER_XML_BYTE + (1 << 20))
    return min(limits) if limits else None


def check_primary_db(path: str, shown: str, open_size: int | None, packages: Sequence[Package]) -> None:
    """Raise `InputError` naming ``shown`` unless the verified ``primary_db`` at ``path`` lists
    what primary.xml gave (``packages``, as read from it) with the same dependencies."""
    compare_primary_db(read_primary_db(path, shown, open_size), packages, shown)


DatabaseRows = tuple[dict[int, PackageKey], dict[int, set[Entry]], dict[int, set[str]], dict[int, str]]
"""What a ``primary_db`` lists: pkgKey -> the package, pkgKey -> its dependencies, pkgKey ->
its primary files (the ``files`` table: yum 3 answers a requirement on ``/usr/bin/python`` or
anything under ``/etc/`` from there, as dnf answers it from primary.xml's ``<file>``), and
pkgKey -> where yum 3 downloads it from (``location_base``, then ``location_href``, as
`auditor.sources.primary` joins a ``<location>``'s ``xml:base`` and ``href``)."""


def read_primary_db(path: str, shown: str, open_size: int | None) -> DatabaseRows:
    """What the verified ``primary_db`` at ``path`` lists (`InputError` naming ``shown`` when it
    cannot be read). Needs nothing of primary.xml: `auditor.sources.repodata` runs it in a
    forked child while primary.xml is parsed."""
    with opened(path, shown, open_size, ("packages", *YUM_KINDS, "files"), "primary_db") as rows:
        return _read(rows, shown)


class Reading:
    """A ``primary_db`` read in a forked child while this process parses primary.xml (on
    2,000 packages it took 0.3 s of a 0.8 s scan after it), or in this process after it while
    a worker reads package headers (`auditor.runtime.parallel.read_here`), or why it could not
    be fetched."""

    def __init__(
        self,
        database: MetadataFile,
        primary: MetadataFile,
        fetch: Callable[[MetadataFile], tuple[str, str]],
        headers_beside: int = 0,
    ) -> None:
        """``headers_beside``: the RPM files whose headers a worker reads meanwhile (`read_here`)."""
        self._failed: InputError | None = None
        self._rows: Background[DatabaseRows] | None = None
        self._keeps_checksums = False
        self._checksums: dict[int, str] | None = None
        self._shown = database.href
        try:
            path, self._shown = fetch(database)
        except InputError as exc:
            self._failed = exc  # said where the comparison would be, as before
            return
        limit = database_limit(database, primary)
        size = database.open_size or 0
        fork = worth_forking(size, READ_DATABASE_FROM) and not read_here(size, headers_beside)
        self._rows = Background(partial(read_primary_db, path, self._shown, limit), fork=fork)

    def wait(self) -> None:
        """Wait for the child, whatever it found: this process ends with os._exit, and a child
        still busy then would outlive it, holding the run's standard output open."""
        if self._rows is not None:
            with contextlib.suppress(InputError):
                self._rows.result()

    def compare(self, packages: Sequence[Package], locations_under: str | None = None) -> None:
        """Raise `InputError` unless the database lists ``packages``, as primary.xml gave them
        (their locations joined to ``locations_under``, a remote repository's URL)."""
        if self._failed is not None:
            raise self._failed
        assert self._rows is not None
        rows = self._rows.result()
        if self._keeps_checksums:
            self._checksums = {key: package[1] for key, package in rows[0].items()}
        compare_primary_db(rows, packages, self._shown, locations_under)

    def keep_checksums(self) -> None:
        """Have `compare` keep what `checksums` answers: a ``filelists_db`` is to be compared.
        Asked after it, the rows were read again, the whole database (0.25 s on 4,000
        packages), for one column; kept whole, they held their memory for the rest of the run."""
        self._keeps_checksums = True

    def checksums(self) -> dict[int, str] | None:
        """pkgKey -> the checksum of the package of that key, which yum 3 takes a ``filelists_db``
        row's pkgKey for, as `compare` kept it (`keep_checksums`); None when the database could
        not be read (an error of its own, and `Copies` asks nothing of a refused database)."""
        return self._checksums


def start_reading(
    database: MetadataFile | None,
    primary: MetadataFile,
    fetch: Callable[[MetadataFile], tuple[str, str]],
    headers_beside: int = 0,
) -> Reading | None:
    """The reading of the ``primary_db`` entry yum 3 reads (`read_by_yum`), if listed; ``fetch``
    makes it available and verified (``headers_beside``: `Reading`'s)."""
    if database is None or not read_by_yum(database):
        return None
    return Reading(database, primary, fetch, headers_beside)


def _read(rows: Rows, shown: str) -> DatabaseRows:
    packages: dict[int, PackageKey] = {}
    locations: dict[int, str] = {}
    query = (
        "SELECT pkgKey, checksum_type, pkgId, name, arch, epoch, version, release, location_href,"
        " location_base FROM packages"
    )
    for key, checksum_type, checksum, name, arch, epoch, version, release, href, base in rows(query):
        number = row_key(key, "packages", shown)
        if number in packages:
            raise InputError(shown, f"lists pkgKey {number} twice: not yum's database; refused")
        locations[number] = _location(_text(base), _text(href))
        packages[number] = (
            _text(checksum_type).lower(), _text(checksum).lower(), _text(name), _text(arch) or "noarch",
            _epoch(epoch, shown), _text(version), _text(release),
        )  # fmt: skip
    dependencies: dict[int, set[Entry]] = {}
    for kind in YUM_KINDS:
        pre = "pre" if kind == "requires" else "NULL"
        query = f"SELECT pkgKey, name, flags, epoch, version, release, {pre} FROM {kind}"
        for key, name, flags, epoch, version, release, prereq in rows(query):
            try:
                dependency = dependency_from_fields(
                    _text(name), _optional(flags), _optional(epoch), _optional(version),
                    _optional(release), "1" if _true(prereq) else None,
                )  # fmt: skip
            except ValueError as exc:
                raise InputError(shown, f"bad {kind} entry: {exc}") from None
            dependencies.setdefault(row_key(key, kind, shown, packages), set()).add((kind, dependency))
    files: dict[int, set[str]] = {}
    for key, path in rows("SELECT pkgKey, name FROM files"):
        files.setdefault(row_key(key, "files", shown, packages), set()).add(_text(path))
    return packages, dependencies, files, locations


def compare_primary_db(
    rows: DatabaseRows, packages: Sequence[Package], shown: str, locations_under: str | None = None
) -> None:
    """Raise `InputError` naming ``shown`` unless ``rows`` list what primary.xml gave
    (``packages``, as read from it) with the same dependencies and locations (primary.xml's
    joined to ``locations_under``, a remote repository's URL)."""
    keys, dependencies, files, locations = rows
    _compare_locations(keys, locations, packages, shown, locations_under)
    in_db: dict[PackageKey, set[Entry]] = {}
    files_in_db: dict[PackageKey, set[str]] = {}
    for row, key in keys.items():
        in_db.setdefault(key, set()).update(dependencies.get(row, ()))
        files_in_db.setdefault(key, set()).update(files.get(row, ()))
    in_xml: dict[PackageKey, set[Entry]] = {}
    files_in_xml: dict[PackageKey, set[str]] = {}
    names: dict[PackageKey, str] = {}
    for package in packages:
        key = _key(package)
        names[key] = package.nevra
        found = in_xml.setdefault(key, set())
        for kind in YUM_KINDS:
            found.update((kind, dependency) for dependency in getattr(package, kind))
        # Read before filelists.xml completes any list: the paths primary.xml gives.
        files_in_xml.setdefault(key, set()).update(
            package.files.known() if isinstance(package.files, FileList) else package.files
        )
    extra = [key for key in in_db if key not in in_xml]
    if extra:
        said = f"lists {len(extra)} package(s) primary.xml does not ({_some(map(_nevra, extra))})"
        raise InputError(shown, f"{said}: yum 3 reads primary_db, dnf primary.xml; {_REFUSED}")
    missing = [key for key in in_xml if key not in in_db]
    if missing:
        said = f"lacks {len(missing)} package(s) of primary.xml ({_some(names[key] for key in missing)})"
        raise InputError(shown, f"{said}: yum 3 reads primary_db, dnf primary.xml; {_REFUSED}")
    for key, found in in_xml.items():
        other = in_db[key]
        if found != other:
            change = sorted(f"{kind} {dependency}" for kind, dependency in found ^ other)
            said = f"{names[key]}: dependencies differ from primary.xml ({_some(change, '; ')})"
            raise InputError(shown, f"{said}: yum 3 resolves by primary_db, dnf by primary.xml; {_REFUSED}")
    for key, listed in files_in_xml.items():
        other_files = files_in_db[key]
        if listed != other_files:
            # A file requirement (/usr/bin/python, /bin/sh) met by a clean package in primary.xml
            # and by a Citrix one in the database is met by the Citrix one on every yum 3 host.
            change = sorted(f"{'+' if path in other_files else '-'}{path}" for path in listed ^ other_files)
            said = f"{names[key]}: primary files differ from primary.xml ({_some(change, '; ')})"
            raise InputError(shown, f"{said}: yum 3 meets file requirements by primary_db; {_REFUSED}")


_REFUSED = "refused, as what one of them says would go unaudited"


def _compare_locations(
    keys: dict[int, PackageKey],
    locations: dict[int, str],
    packages: Sequence[Package],
    shown: str,
    locations_under: str | None,
) -> None:
    """yum 3 downloads a package from the ``location_base`` and ``location_href`` of its row
    (``YumRepository.getPackage``): a Citrix host there, which primary.xml did not name, is what
    every yum 3 host of the repository fetches its packages from, unaudited."""
    in_db: dict[PackageKey, set[str]] = {}
    for row, key in keys.items():
        location = locations.get(row, "")
        if locations_under is not None and not location_is_url(location):
            location = under(locations_under, location)
        in_db.setdefault(key, set()).add(location)
    in_xml: dict[PackageKey, set[str]] = {}
    for package in packages:
        in_xml.setdefault(_key(package), set()).add(package.location)
    for key, listed in in_xml.items():
        other = in_db.get(key)
        if other is not None and other != listed:
            said = f"located at {_some(sorted(other))}, not at {_some(sorted(listed))} as in primary.xml"
            raise InputError(shown, f"{_nevra(key)}: {said}: yum 3 downloads it from there; {_REFUSED}")


def _location(base: str, href: str) -> str:
    """Where yum 3 downloads a row's package from, written as primary.xml's ``<location>`` is read.

    createrepo_c writes an absolute path of a base (mergerepo_c's, of a local repository) bare
    here and as ``file://`` and that path in primary.xml's ``xml:base`` (its ``prepend_protocol``),
    and urlgrabber, yum 3's downloader, reads the bare path as that same ``file:`` URL: compared
    as text, every repository mergerepo_c merged from local ones was refused. ``//host/x`` is
    left as written: urlgrabber reads it as on ``host``, createrepo_c as a path."""
    if not base or location_is_url(href):  # a whole URL is read as written, as primary.xml's is
        return href
    joined = f"{base.rstrip('/')}/{href}"
    return f"file://{joined}" if base.startswith("/") and not base.startswith("//") else joined


def _some(items: Iterable[str], joint: str = ", ") -> str:
    """Up to three of ``items``, and how many more."""
    listed = list(items)
    more = f" and {len(listed) - 3} more" if len(listed) > 3 else ""
    return joint.join(listed[:3]) + more


def _nevra(key: PackageKey) -> str:
    _, _, name, arch, epoch, version, release = key
    return f"{name}-{f'{epoch}:' if epoch else ''}{version}-{release}.{arch}"


def _key(package: Package) -> PackageKey:
    checksum = package.checksum
    algorithm, value = (checksum.algorithm.lower(), checksum.value.lower()) if checksum else ("", "")
    return (
        algorithm,
        value,
        package.name,
        package.arch,
        package.epoch or 0,
        package.version,
        package.release,
    )


def _optional(value: object) -> str | None:
    return None if value is None or value == "" else _text(value)


def _true(value: object) -> bool:
    return value in (1, "1", "TRUE", "True", "true")


def _epoch(value: object, shown: str) -> int:
    text = _text(value).strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):
        raise InputError(shown, f"epoch {text!r} is not a number")
    return int(text)
