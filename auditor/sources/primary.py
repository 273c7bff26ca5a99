"""primary.xml's ``<package>`` entries turned into `Package`s, one pyexpat event at a time.

What primary.xml does not carry, and so a package read from it lacks, is listed in
`auditor.sources.repodata`, which reads the repository around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.core.errors import InputError
from auditor.formats.hdrblob import HEADER_ARRAY_MAX
from auditor.formats.xmlstream import Text, attribute_pairs, refuse_html_root
from auditor.net.urlpaths import under
from auditor.rpm.model import (
    SOURCE_ARCHES,
    Dependency,
    Package,
    PackageKind,
    make_checksum,
    make_package,
)
from auditor.rpm.package_fields import DEPENDENCY_KINDS, location_is_url, package_location
from auditor.sources.filelists import FilelistsSource
from auditor.sources.rpmmd_entry import dependency_from_attributes, epoch_number
from auditor.sources.yum_primary import IN_DOCUMENT, IN_FIELD, IN_LIST, IN_PACKAGE, refuse_what_yum_reads

MAX_LIST_ITEMS = HEADER_ARRAY_MAX
"""``<file>`` or ``<rpm:entry>`` elements in one list of one package (its files, its provides...),
past which the metadata file is refused: an RPM header cannot hold more items in one tag
(rpm's ``hdrchkArray``), so no package read from a real RPM has more, and each one is held."""

_DEPENDENCY_ELEMENTS = {f"rpm:{kind.value}": kind.value for kind in DEPENDENCY_KINDS}
"""Plain strings: they key a dict per element parsed, and an enum is hashed by Python code."""
_TEXT_ELEMENTS = frozenset(
    {"name", "arch", "checksum", "summary", "description", "packager", "url", "rpm:license",
     "rpm:vendor", "rpm:buildhost", "rpm:sourcerpm", "file"}
)  # fmt: skip
_ALIASES = {"vendor": "rpm:vendor"}
"""Elements libsolv reads as another one (``repo_rpmmd.c``'s table has ``vendor`` beside
``rpm:vendor``), by the name their text is recorded under: a vendor dnf shows is one seen here."""
_SOURCE, _BINARY = PackageKind.SOURCE, PackageKind.BINARY


# What each element of primary.xml means to the handler (a small int is cheaper to
# dispatch on than string comparisons, for two million events a distribution).
_TEXT, _DEPS, _PACKAGE, _VERSION, _LOCATION, _TIME, _CHECKSUM, _FILE, _HEADER_RANGE, _SIZE = range(10)
_START_ACTIONS = {
    **{name: _TEXT for name in _TEXT_ELEMENTS | _ALIASES.keys() if name not in ("checksum", "file")},
    **dict.fromkeys(_DEPENDENCY_ELEMENTS, _DEPS),
    "package": _PACKAGE,
    "version": _VERSION,
    "location": _LOCATION,
    "time": _TIME,
    "checksum": _CHECKSUM,
    "file": _FILE,
    "rpm:header-range": _HEADER_RANGE,
    "size": _SIZE,
}
_END_ACTIONS = {
    **{name: _TEXT for name in _TEXT_ELEMENTS | _ALIASES.keys() if name != "file"},
    **dict.fromkeys(_DEPENDENCY_ELEMENTS, _DEPS),
    "package": _PACKAGE,
    "file": _FILE,
}


# Where an element is read, as libsolv's rpm-md reader (``repo_rpmmd.c``'s state table) reads
# it: a package's fields inside a ``<package>`` (``<format>`` being transparent), entries
# inside a dependency list. Any other element is skipped with everything inside it, so an
# element libsolv never reads cannot add to a package, nor end or replace a list it reads.
_CONTAINERS = ("metadata", "rpmmd", "otherdata", "filelists", "diskusagedata", "susedata", "patterns",
               "products")  # fmt: skip
CHILDREN: tuple[dict[str, int], ...] = (
    {**dict.fromkeys(_CONTAINERS, IN_DOCUMENT), "package": IN_PACKAGE},
    {**dict.fromkeys(_START_ACTIONS.keys() - {"package"}, IN_FIELD),
     **dict.fromkeys(_DEPENDENCY_ELEMENTS, IN_LIST), "format": IN_PACKAGE},
    {"rpm:entry": IN_FIELD},
    {},
)  # fmt: skip
"""By the state of the element they are in, the elements read and the state inside them."""


class PrimaryHandler:
    """Turns pyexpat events of primary.xml into packages, one ``<package>`` at a time.

    The parser runs with ``ordered_attributes``: attributes arrive as a flat list, which
    joined is the key under which equal dependency entries share one `Dependency`.
    """

    def __init__(
        self,
        repository: str,
        errors: list[InputError],
        shown: str,
        *,
        header_ranges: bool = True,
        binary_sizes: bool = True,
        sized_header_ranges: bool = False,
        locations_under: str | None = None,
    ) -> None:
        """``header_ranges``: keep each package's ``rpm:header-range``. Only a remote
        repository's headers are read by range: a local one's hints would be 7 MB of a
        distribution's packages, never read. ``binary_sizes``: keep each binary's file size
        (`file_sizes`; a source package's is always kept, as its header is always read): only
        where binaries' headers are read, a distribution's would be 2 MB never used.
        ``sized_header_ranges``: keep the header range of each package whose size is kept, as
        a local repository whose files' headers are read compares where they end (`overlay`).
        ``locations_under``: the URL a remote
        repository's relative locations are joined to, here rather than by rebuilding every
        package afterwards (0.6 s of a distribution's remote read)."""
        self.repository = repository
        self.errors = errors
        self.shown = shown
        self.header_ranges = header_ranges
        self.binary_sizes = binary_sizes or header_ranges
        self.sized_header_ranges = sized_header_ranges
        self.locations_under = locations_under
        self.pending: list[Package] = []
        self.file_sizes: dict[str, int] = {}
        """The size of each package's file, as the metadata gives it (``<size package>``), by
        the package's checksum and location (`size_key`; two entries may claim one checksum
        and give two sizes: each is compared with its own): a file of another size is not the
        file the metadata describes, whose checksum dnf would refuse, so its header is not that
        package's evidence. Beside the packages, not a field of theirs: a field every package
        carries, None or not, took 4-6 MB of distro-60k's peak."""
        self.dependencies: dict[str, Dependency] = {}
        self.text = Text()
        self.record: dict[str, Any] = {}
        self.deps_kind = ""
        self.deps: list[Dependency] | None = None
        self.entries = 0
        """``<rpm:entry>`` elements of the current list, the bad ones too."""
        self.files: list[str] = []
        self.states = [IN_DOCUMENT]
        """The state inside each element open and read (`CHILDREN`), the document's first."""
        self.skipped = 0
        """Elements open from the first one skipped on (0: none is)."""
        self.repeated: dict[str, str] = {}
        """One string for each text several packages of the repository or their dependencies
        give: names, versions, SOURCERPM, URL, summary, description... (a package's name in its
        self-provide; a description that is the summary): 4-5 MB of a distribution's packages
        for SOURCERPM and URL, 5.8 MiB of distro-60k's for the descriptions. Not `sys.intern`:
        its table outlives the read (distro-60k's grew by 3 MiB of the run's peak)."""
        self.build_times: dict[str, int] = {}
        """One number for each build time several packages give (the subpackages of one build):
        a number each was 32 bytes a package, 1.9 MiB of distro-60k's peak."""

    def start(self, name: str, attrs: list[str]) -> None:
        if self.skipped:
            self.skipped += 1
            refuse_what_yum_reads(self.states, name, self.shown, self.where)
            return
        state = CHILDREN[self.states[-1]].get(name)
        if state is None:
            if len(self.states) == 1:  # libsolv reads no package under this root: say so
                refuse_html_root(name, self.shown, "metadata")
            self.skipped = 1
            return
        self.states.append(state)
        if name == "rpm:entry":
            deps = self.deps
            if deps is not None:
                self.entries += 1
                if self.entries > MAX_LIST_ITEMS:
                    raise self.too_many(f"<rpm:{self.deps_kind}> entries")
                key = "\0".join(attrs)  # one string: a tuple would keep every attribute value alive
                dependency = self.dependencies.get(key)
                if dependency is None:
                    try:
                        dependency = dependency_from_attributes(attribute_pairs(attrs), self.repeated)
                    except ValueError as exc:
                        self.record["error"] = str(exc)
                        return
                    self.dependencies[key] = dependency
                deps.append(dependency)
            return
        action = _START_ACTIONS.get(name)
        if action is None:
            return
        if action is _TEXT or action is _FILE:
            self.text.start(name)
        elif action is _DEPS:
            self.deps = []
            self.entries = 0
            self.deps_kind = _DEPENDENCY_ELEMENTS[name]
            self.record[self.deps_kind] = self.deps
        elif action is _PACKAGE:
            self.record = {"pkgid": True} if "pkgid" in attrs[::2] else {}
            self.files = []
        elif action is _CHECKSUM:
            self.text.start(name)
            self.record["checksum_type"] = attribute_pairs(attrs).get("type", "sha256")
        elif action is _VERSION:
            self.record["version"] = attribute_pairs(attrs)
        elif action is _LOCATION:
            pairs = attribute_pairs(attrs)
            self.record["href"] = pairs.get("href", "")
            if "xml:base" in pairs:
                self.record["base"] = pairs["xml:base"]
        elif action is _TIME:
            self.record["buildtime"] = attribute_pairs(attrs).get("build")
        elif action is _HEADER_RANGE:
            self.record["header_range"] = attribute_pairs(attrs)
        elif action is _SIZE:
            self.record["size"] = attribute_pairs(attrs).get("package")

    def end(self, name: str) -> None:
        if self.skipped:
            self.skipped -= 1
            return
        self.states.pop()
        action = _END_ACTIONS.get(name)
        if action is None:
            return
        if action is _TEXT:
            self.record[_ALIASES.get(name, name)] = self.text.take()
        elif action is _FILE:
            files = self.files
            files.append(self.text.take())
            if len(files) > MAX_LIST_ITEMS:
                raise self.too_many("<file> entries")
        elif action is _DEPS:
            self.deps = None
        else:
            self.finish_package(self.record, self.files)
            self.record = {}  # so that `where` names no package between two of them

    def where(self) -> str:
        """The package being read, for an error on the file (`parse_xml`'s ``where``)."""
        name = self.record.get("name")
        return f"package {name}" if isinstance(name, str) and name else "a package"

    def too_many(self, what: str) -> InputError:
        """The error that refuses the file: a package lists more than `MAX_LIST_ITEMS` of ``what``."""
        return InputError(self.shown, f"{self.where()}: more than {MAX_LIST_ITEMS} {what}; refused")

    def packages(self, source: FilelistsSource | None) -> list[Package]:
        """The packages read, each with a file list that ``source`` (filelists.xml) completes.

        The packages have not left the reader yet, so giving them that list in place is safe;
        rebuilding 60,000 frozen objects to change one field is not cheap.
        """
        if source is not None:
            for package in self.pending:
                if package.checksum is not None:
                    binary = package.kind is PackageKind.BINARY
                    files = source.pending_list(package.files, package.checksum.value, binary=binary)
                    object.__setattr__(package, "files", files)
        return self.pending

    def finish_package(self, record: dict[str, Any], files: list[str]) -> None:
        """Add the package a ``<package>`` element gave: ``record`` maps each element read to
        its text (attributes as a dict), ``files`` lists its ``<file>`` paths."""
        if "pkgid" in record:
            # libsolv reads such an element as more of the package of that checksum read before
            # (its lists replacing that one's), or drops it: it is no package of its own.
            said = "a <package> with a pkgid attribute, which libsolv (dnf) reads as another package's data"
            self.errors.append(InputError(self._label(_str(record.get("name"))), said))
            return
        version = record.get("version")
        if not isinstance(version, dict):
            version = {}
        header_range = record.get("header_range")
        if not isinstance(header_range, dict):
            header_range = {}
        get = record.get
        dependencies = {kind: tuple(record[kind]) for kind in _DEPENDENCY_ELEMENTS.values() if kind in record}
        self.add_package(
            _str(get("name")), version.get("epoch"), version.get("ver"), version.get("rel"),
            _str(get("arch")), _str(get("checksum_type")), _str(get("checksum")), _str(get("summary")),
            _str(get("description")), _str(get("packager")), _str(get("url")), _str(get("buildtime")),
            _str(get("base")), _str(get("href")), _str(get("rpm:license")), _str(get("rpm:vendor")),
            _str(get("rpm:buildhost")), _str(get("rpm:sourcerpm")), header_range.get("start"),
            header_range.get("end"), _str(get("size")), dependencies, files, _str(get("error")),
        )  # fmt: skip

    def add_package(
        self,
        name: str | None,
        epoch_text: str | None,
        version: str | None,
        release: str | None,
        arch: str | None,
        checksum_type: str | None,
        checksum: str | None,
        summary: str | None,
        description: str | None,
        packager: str | None,
        url: str | None,
        buildtime_text: str | None,
        base: str | None,
        href: str | None,
        license: str | None,
        vendor: str | None,
        buildhost: str | None,
        sourcerpm: str | None,
        range_start: str | None,
        range_end: str | None,
        size_text: str | None,
        dependencies: Mapping[str, tuple[Dependency, ...]],
        files: list[str],
        error: str | None,
    ) -> None:
        """Add the package of a ``<package>`` element's values (None: absent), or its error: the
        one place both readers' packages are checked and made. ``dependencies``: each list read,
        by kind (its value), a tuple; ``error``: the last bad dependency entry's."""
        try:
            if error is not None:
                raise InputError(self._label(name), f"bad dependency entry: {error}")
            if not name or not version:
                raise InputError(self._label(name), "no name or version")
            location = package_location(href or "", base)
            if location is None:
                raise InputError(self._label(name), f"location {href!r} points outside the repository")
            if self.locations_under is not None and not location_is_url(location):
                location = under(self.locations_under, location)
            try:
                epoch = epoch_number(epoch_text) if epoch_text else None
                buildtime = self.build_times.get(buildtime_text) if buildtime_text else None
                if buildtime is None and buildtime_text:
                    buildtime = self.build_times[buildtime_text] = int(buildtime_text)
            except ValueError:
                raise InputError(self._label(name), "epoch or build time is not a number") from None
        except InputError as exc:
            self.errors.append(exc)
            return
        arch = arch or "noarch"
        is_source = arch in SOURCE_ARCHES
        sized = is_source or self.binary_sizes
        keep_range = self.header_ranges or (sized and self.sized_header_ranges)
        get, repeated = dependencies.get, self.repeated.setdefault
        # The texts many packages repeat are one string for all of them, in `repeated`: the
        # vendor, packager, build host, licence and checksum type (63,000 copies of "sha256"
        # were 3.3 MiB of distro-60k's peak), SOURCERPM, URL, summary and description (a
        # description that says what the summary says, as every package of a repository
        # converted from Debian's does, distro-60k's, is that one string too). So are the name
        # and version, as dependencies' names and versions are: the self-provide then shares
        # the package's name and version instead of holding copies.
        # Positional, in `Package`'s field order: by keyword, the call took 1.1 us more a package.
        release_text, checksum_kind = release or "", checksum_type or "sha256"
        package = make_package(
            repeated(name, name), epoch, repeated(version, version), repeated(release_text, release_text),
            repeated(arch, arch), _SOURCE if is_source else _BINARY, location, self.repository,
            None if is_source or not sourcerpm else repeated(sourcerpm, sourcerpm),
            make_checksum(repeated(checksum_kind, checksum_kind), checksum) if checksum else None,
            repeated(summary, summary) if summary else summary,
            repeated(description, description) if description else description,
            get("requires", ()), get("provides", ()), get("conflicts", ()), get("obsoletes", ()),
            get("recommends", ()), get("suggests", ()), get("supplements", ()), get("enhances", ()),
            tuple(files),
            repeated(vendor, vendor) if vendor else None, repeated(packager, packager) if packager else None,
            repeated(buildhost, buildhost) if buildhost else None, repeated(url, url) if url else None,
            None,  # bugurl
            repeated(license, license) if license else None,
            None,  # distribution
            buildtime,
            header_range=_header_range(range_start, range_end) if keep_range else None,
        )  # fmt: skip
        if size_text and checksum and sized:
            size = _file_size(size_text)
            if size is not None:
                self.file_sizes[size_key(checksum, location)] = size
        self.pending.append(package)

    def _label(self, name: str | None) -> str:
        return f"{self.shown}: package {name or '?'}"


def _header_range(start_text: str | None, end_text: str | None) -> tuple[int, int] | None:
    """``rpm:header-range`` as two offsets; None when absent or not numbers (a hint only: the
    header is then read as if it were absent)."""
    if start_text is None or end_text is None:
        return None
    try:
        start, end = int(start_text), int(end_text)
    except ValueError:
        return None
    return (start, end) if 0 <= start <= end < 1 << 62 else None


def size_key(checksum: str, location: str) -> str:
    """What `PrimaryHandler.file_sizes` knows a package's file size by."""
    return f"{checksum}\0{location}"


def _file_size(text: str) -> int | None:
    """``<size package>`` as a number of bytes; None when it is not one (createrepo_c always
    writes one; with none, the file's size is not checked, as the header's range is not)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
