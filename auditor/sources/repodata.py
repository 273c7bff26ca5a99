"""Read a local yum/dnf repository from its metadata: repomd.xml, primary and filelists.

Only the metadata is read, never the package files. What repodata does not carry, and
so a package read from it does not have (compared with reading the RPM file):

- the signing key id, the Distribution tag and, for source packages, Source/Patch URLs;
- ``rpmlib(...)`` requirements, requirements on files or capabilities the package
  provides itself, duplicate requirements and all but the highest ``libc.so.6(...)``
  requirement (createrepo_c drops them);
- the exact scriptlet qualifiers of a requirement: repodata keeps one ``pre`` flag,
  set for ``Requires(pre)``, ``Requires(post)`` and legacy ``PreReq`` (recorded here as
  the qualifier ``prereq``);
- whether an epoch was written: createrepo_c writes ``epoch="0"`` for an absent one.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

from auditor.errors import InputError
from auditor.model import EVR, Checksum, Dependency, Op, Package, PackageKind
from auditor.sources.files import open_regular, os_reason
from auditor.sources.xmlstream import Text, decompressed_chunks, max_decompressed, parse_xml, verify_checksum

_DEPENDENCY_ELEMENTS = {
    f"rpm:{kind}": kind
    for kind in (
        "provides",
        "requires",
        "conflicts",
        "obsoletes",
        "recommends",
        "suggests",
        "supplements",
        "enhances",
    )
}
_TEXT_ELEMENTS = frozenset(
    {"name", "arch", "checksum", "summary", "description", "packager", "url", "rpm:license",
     "rpm:vendor", "rpm:buildhost", "rpm:sourcerpm", "file"}
)  # fmt: skip
_REPOMD_TEXT = frozenset({"revision", "checksum", "size", "open-size"})
_PREREQ = frozenset({"prereq"})
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class MetadataFile:
    kind: str
    href: str
    checksum_type: str
    checksum: str
    size: int | None
    open_size: int | None


@dataclass
class Repomd:
    revision: str | None
    files: dict[str, MetadataFile]


@dataclass
class RepositoryRead:
    """What one repository gave: its packages, and the problems of the ones it could not give."""

    location: str
    revision: str | None
    packages: list[Package]
    errors: list[InputError] = field(default_factory=list)
    metadata: dict[str, MetadataFile] = field(default_factory=dict)
    has_filelists: bool = False


def find_repomd(path: str) -> str | None:
    """The repomd.xml of ``path`` when it is a repository directory or the file itself."""
    if os.path.isdir(path):
        candidate = os.path.join(path, "repodata", "repomd.xml")
        return candidate if os.path.isfile(candidate) else None
    if os.path.basename(path) == "repomd.xml":
        return path
    return None


def read_repomd(path: str, shown: str) -> Repomd:
    files: dict[str, MetadataFile] = {}
    state: dict[str, object] = {"data": None, "field": None, "revision": None}
    text = Text()
    current: dict[str, str] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name in _REPOMD_TEXT:
            text.start()
        if name == "data":
            current.clear()
            current["type"] = attrs.get("type", "")
        elif name == "location":
            current["href"] = attrs.get("href", "")
        elif name == "checksum":
            current["checksum_type"] = attrs.get("type", "")

    def end(name: str) -> None:
        value = text.take().strip() if name in _REPOMD_TEXT else ""
        if name == "revision":
            state["revision"] = value
        elif name == "checksum":
            current["checksum"] = value
        elif name in ("size", "open-size"):
            current[name] = value
        elif name == "data" and current.get("type"):
            kind = current["type"]
            try:
                size = int(current["size"]) if "size" in current else None
                open_size = int(current["open-size"]) if "open-size" in current else None
            except ValueError:
                raise InputError(shown, f"bad size for {kind} in repomd.xml") from None
            files[kind] = MetadataFile(
                kind, current.get("href", ""), current.get("checksum_type", ""),
                current.get("checksum", ""), size, open_size,
            )  # fmt: skip

    try:
        with open_regular(path, shown, "a metadata file") as stream:
            parse_xml(decompressed_chunks(stream, shown), shown, start, end, text.append)
    except OSError as exc:
        raise InputError(shown, os_reason(exc)) from None
    revision = state["revision"]
    return Repomd(revision if isinstance(revision, str) else None, files)


def _metadata_path(root: str, href: str, shown: str) -> str:
    if "://" in href or href.startswith("/"):
        raise InputError(shown, f"repomd.xml points outside the repository: {href}")
    normal = posixpath.normpath(href)
    if normal.startswith("../") or normal == "..":
        raise InputError(shown, f"repomd.xml points outside the repository: {href}")
    path = os.path.join(root, normal)
    # A symlink inside the repository may still lead out of it: judge where it lands.
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(path)]) != real_root:
        raise InputError(shown, f"repomd.xml points outside the repository: {href} (a symlink)")
    return path


def read_repository(path: str, *, shown: str | None = None) -> RepositoryRead:
    """Read every package a local repository's metadata lists."""
    repomd_path = find_repomd(path)
    if repomd_path is None:
        raise InputError(shown or path, "no repodata/repomd.xml here")
    root = os.path.dirname(os.path.dirname(os.path.abspath(repomd_path)))
    display = shown or (path if os.path.isdir(path) else root)
    repomd = read_repomd(repomd_path, os.path.join(display, "repodata", "repomd.xml"))
    primary = repomd.files.get("primary")
    if primary is None:
        raise InputError(display, "repomd.xml lists no primary metadata")
    result = RepositoryRead(display, repomd.revision, [], metadata=repomd.files)
    primary_path = _metadata_path(root, primary.href, display)
    shown_primary = os.path.join(display, primary.href)
    verify_checksum(primary_path, primary.checksum_type, primary.checksum, primary.size, shown_primary)
    packages = _read_primary(primary_path, shown_primary, display, result.errors, primary.open_size)
    filelists = repomd.files.get("filelists")
    if filelists is not None:
        filelists_path = _metadata_path(root, filelists.href, display)
        shown_filelists = os.path.join(display, filelists.href)
        try:
            verify_checksum(filelists_path, filelists.checksum_type, filelists.checksum,
                            filelists.size, shown_filelists)  # fmt: skip
            files = read_filelists(filelists_path, shown_filelists, filelists.open_size)
        except InputError as exc:
            result.errors.append(exc)
        else:
            result.has_filelists = True
            packages = [_with_files(package, files) for package in packages]
    result.packages = packages
    return result


def _with_files(package: Package, files: dict[str, tuple[str, ...]]) -> Package:
    if package.checksum is None:
        return package
    found = files.get(package.checksum.value)
    if found is None:
        return package
    from dataclasses import replace

    return replace(package, files=found)


class _DependencyInterner:
    def __init__(self) -> None:
        self._cache: dict[tuple[str | None, ...], Dependency] = {}

    def get(self, attrs: dict[str, str]) -> Dependency:
        key = (attrs.get("name"), attrs.get("flags"), attrs.get("epoch"), attrs.get("ver"),
               attrs.get("rel"), attrs.get("pre"))  # fmt: skip
        found = self._cache.get(key)
        if found is None:
            found = _dependency(attrs)
            self._cache[key] = found
        return found


def _dependency(attrs: dict[str, str]) -> Dependency:
    name = attrs.get("name", "")
    if not name:
        raise ValueError("an entry without a name")
    flags = attrs.get("flags")
    qualifiers = _PREREQ if attrs.get("pre") in ("1", "true") else _NONE
    if not flags:
        return Dependency(name, qualifiers=qualifiers)
    try:
        op = Op[flags]
    except KeyError:
        raise ValueError(f"unknown flags {flags!r} on {name}") from None
    epoch_text = attrs.get("epoch")
    epoch = int(epoch_text) if epoch_text else None
    evr = EVR(epoch, attrs.get("ver", ""), attrs.get("rel") or None)
    return Dependency(name, op, evr, qualifiers)


class _PrimaryHandler:
    """Turns pyexpat events of primary.xml into packages, one ``<package>`` at a time."""

    def __init__(self, repository: str, errors: list[InputError], shown: str) -> None:
        self.repository = repository
        self.errors = errors
        self.shown = shown
        self.packages: list[Package] = []
        self.interner = _DependencyInterner()
        self.text = Text()
        self.record: dict[str, object] = {}
        self.deps: list[Dependency] | None = None
        self.files: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "rpm:entry":
            if self.deps is not None:
                try:
                    self.deps.append(self.interner.get(attrs))
                except (ValueError, TypeError) as exc:
                    self.record["error"] = str(exc)
            return
        kind = _DEPENDENCY_ELEMENTS.get(name)
        if kind is not None:
            self.deps = []
            self.record[kind] = self.deps
            return
        if name in _TEXT_ELEMENTS:
            self.text.start()
            if name == "checksum":
                self.record["checksum_type"] = attrs.get("type", "sha256")
            return
        if name == "package":
            self.record = {"type": attrs.get("type", "rpm")}
            self.files = []
        elif name == "version":
            self.record["version"] = attrs
        elif name == "location":
            self.record["href"] = attrs.get("href", "")
            if "xml:base" in attrs:
                self.record["base"] = attrs["xml:base"]
        elif name == "time":
            self.record["buildtime"] = attrs.get("build")

    def end(self, name: str) -> None:
        if name in _TEXT_ELEMENTS:
            value = self.text.take()
            if name == "file":
                self.files.append(value)
            else:
                self.record[name] = value
        elif name in _DEPENDENCY_ELEMENTS:
            self.deps = None
        elif name == "package":
            try:
                self.packages.append(self._package())
            except InputError as exc:
                self.errors.append(exc)

    def _package(self) -> Package:
        record = self.record
        name = _str(record.get("name"))
        label = f"{self.shown}: package {name or '?'}"
        if "error" in record:
            raise InputError(label, f"bad dependency entry: {record['error']}")
        version = record.get("version")
        if not name or not isinstance(version, dict) or not version.get("ver"):
            raise InputError(label, "no name or version")
        arch = _str(record.get("arch")) or "noarch"
        href = _str(record.get("href")) or ""
        if "://" in href or href.startswith("/") or posixpath.normpath(href).startswith(".."):
            raise InputError(label, f"location {href!r} points outside the repository")
        base = record.get("base")
        location = f"{str(base).rstrip('/')}/{href}" if base else href
        epoch_text = version.get("epoch")
        try:
            epoch = int(epoch_text) if epoch_text else None
            buildtime = int(str(record["buildtime"])) if record.get("buildtime") else None
        except ValueError:
            raise InputError(label, "epoch or build time is not a number") from None
        checksum_value = _str(record.get("checksum"))
        is_source = arch in ("src", "nosrc")
        deps: dict[str, tuple[Dependency, ...]] = {}
        for kind in _DEPENDENCY_ELEMENTS.values():
            found = record.get(kind)
            deps[kind] = tuple(found) if isinstance(found, list) else ()
        return Package(
            name=name,
            epoch=epoch,
            version=version.get("ver", ""),
            release=version.get("rel", ""),
            arch=arch,
            kind=PackageKind.SOURCE if is_source else PackageKind.BINARY,
            location=location,
            input=self.repository,
            sourcerpm=None if is_source else (_str(record.get("rpm:sourcerpm")) or None),
            checksum=Checksum(_str(record.get("checksum_type")) or "sha256", checksum_value)
            if checksum_value
            else None,
            summary=_str(record.get("summary")),
            description=_str(record.get("description")),
            files=tuple(self.files),
            vendor=_str(record.get("rpm:vendor")) or None,
            packager=_str(record.get("packager")) or None,
            buildhost=_str(record.get("rpm:buildhost")) or None,
            url=_str(record.get("url")) or None,
            license=_str(record.get("rpm:license")) or None,
            buildtime=buildtime,
            requires=deps["requires"],
            provides=deps["provides"],
            conflicts=deps["conflicts"],
            obsoletes=deps["obsoletes"],
            recommends=deps["recommends"],
            suggests=deps["suggests"],
            supplements=deps["supplements"],
            enhances=deps["enhances"],
        )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _read_primary(
    path: str, shown: str, repository: str, errors: list[InputError], open_size: int | None
) -> list[Package]:
    handler = _PrimaryHandler(repository, errors, shown)
    _parse_file(path, shown, handler.start, handler.end, handler.text.append, open_size)
    return handler.packages


def read_filelists(path: str, shown: str, open_size: int | None = None) -> dict[str, tuple[str, ...]]:
    """pkgid -> every path the package owns, from filelists.xml."""
    found: dict[str, tuple[str, ...]] = {}
    text = Text()
    files: list[str] = []
    current = [""]

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "file":
            text.start()
        elif name == "package":
            current[0] = attrs.get("pkgid", "")
            files.clear()

    def end(name: str) -> None:
        if name == "file":
            files.append(text.take())
        elif name == "package":
            found[current[0]] = tuple(files)

    _parse_file(path, shown, start, end, text.append, open_size)
    return found


def _parse_file(
    path: str,
    shown: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    text: Callable[[str], None],
    open_size: int | None,
) -> None:
    ceiling = max_decompressed()
    limit = ceiling if open_size is None else min(open_size, ceiling)
    try:
        with open_regular(path, shown, "a metadata file") as stream:
            parse_xml(decompressed_chunks(stream, shown, limit), shown, start, end, text)
    except OSError as exc:
        raise InputError(shown, os_reason(exc)) from None
