"""Read a local yum/dnf repository from its metadata: repomd.xml, primary and filelists.

primary.xml's package entries become packages in `auditor.sources.primary`; this module
finds, verifies and parses the repository's files around them.

Only the metadata is read, never the package files. What repodata does not carry, and
so a package read from it does not have (compared with reading the RPM file):

- the signing key id, the Distribution tag and, for source packages, Source/Patch URLs;
- ``rpmlib(...)`` requirements, requirements on files or capabilities the package
  provides itself, duplicate requirements and all but the highest ``libc.so.6(...)``
  requirement (createrepo_c drops them);
- the exact scriptlet qualifiers of a requirement: repodata keeps one ``pre`` flag,
  set for ``Requires(pre)``, ``Requires(post)`` and legacy ``PreReq`` (recorded as
  the qualifier ``prereq``);
- whether an epoch was written: createrepo_c writes ``epoch="0"`` for an absent one (a
  package's epoch then reads as 0, a dependency's as absent, which rpm compares alike).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from auditor.core.errors import InputError
from auditor.core.readlog import tell_opened, watching_opens
from auditor.formats.repomd import MetadataFile, Repomd, read_repomd
from auditor.formats.xmlstream import verify_checksum
from auditor.net.failures import metadata_redirects
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package
from auditor.runtime.parallel import SPLIT_PRIMARY_FROM, Background, worth_forking
from auditor.sources import split
from auditor.sources.copies import Copies
from auditor.sources.filelists import FilelistsSource
from auditor.sources.filelists_xml import check_filelists, read_filelists
from auditor.sources.inputpaths import find_repomd, lands_inside, safe_href, unread_elsewhere, unsearchable
from auditor.sources.interface import ConfigUrl, InputKind, InputSummary
from auditor.sources.metadata_file import open_decompressed, parse_file
from auditor.sources.primary import PrimaryHandler, size_key

if TYPE_CHECKING:
    from auditor.sources.interface import LoadResult

MODULAR_TYPES = frozenset({"modules", "modules_zck"})
"""repomd.xml types of modular metadata: libdnf reads ``modules_zck`` first where zchunk is on,
so a repository listing only that one is as modular as one listing ``modules``."""


@dataclass
class RepositoryRead:
    """What one repository gave: its packages, and the problems of the ones it could not give."""

    location: str
    revision: str | None
    packages: list[Package]
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    hidden: int = 0
    """Packages it lists that its configuration's exclude/includepkgs hid from every host (`repofilter`)."""
    metadata: dict[str, MetadataFile] = field(default_factory=dict)
    has_filelists: bool = False
    """Whether the repository's filelists.xml is there and matches repomd.xml (it is parsed
    when a requirement needs it: `auditor.sources.filelists`)."""
    file_lists: FilelistsSource | None = None
    gaps: list[Gap] = field(default_factory=list)
    """What the repository's reader could not see (files beside the metadata, headers unread)."""
    nested: dict[str, Gap] = field(default_factory=dict)
    """Repositories of their own inside this one (by real path), with the gap of their RPM files
    this one's metadata does not list: a gap unless they are read as inputs too."""
    file_sizes: dict[str, int] = field(default_factory=dict)
    """`PrimaryHandler.file_sizes`: the file size the metadata gives, by package checksum and location."""
    repomd_file: str | None = None
    """The copy of a remote repository's ``repomd.xml`` this reading read (in the cache): what a
    metalink naming the repository must vouch for, whatever the mirror serves by then."""

    def listed_size(self, package: Package) -> int | None:
        """The size of ``package``'s file as the metadata gives it; None when not kept."""
        checksum = package.checksum
        if checksum is None or not self.file_sizes:
            return None
        return self.file_sizes.get(size_key(checksum.value, package.location))


def say_if_empty(read: RepositoryRead, shown: str, result: LoadResult) -> None:
    """A repository whose metadata lists no package is a real state (an ``updates`` repository
    right after a release), not a gap: it is said, and the audit of the other inputs stands.
    An audit in which no input held a package still fails as an audit of nothing."""
    if not read.packages and not read.errors and not read.hidden:  # hidden ones are said by their warning
        result.warnings.append(f"{shown}: the repository's metadata lists no package")


def add_repository(read: RepositoryRead, shown: str, result: LoadResult, *, named: bool = True) -> None:
    """A repository the inputs ``named`` (given, walked into or configured), or one found beside one."""
    if named:
        say_if_empty(read, shown, result)
    result.packages.extend(read.packages)
    result.errors.extend(read.errors)
    result.warnings.extend(read.warnings)
    result.gaps.extend(read.gaps)
    result.config_urls += [ConfigUrl(shown, "", "xml:base", url) for url in unread_elsewhere(read.metadata)]
    result.nested.update(read.nested)
    if read.file_lists is not None:
        read.file_lists.input = shown
        result.file_lists.append(read.file_lists)
    result.inputs.append(
        InputSummary(shown, InputKind.REPOSITORY, len(read.packages), read.revision, read.has_filelists)
    )


FetchMetadata = Callable[[MetadataFile, str], tuple[str, str]]
"""Make one metadata file of repomd.xml readable: given its entry and its safe href, return a
local path already checked against repomd's checksum and size, and the name to show for it."""


FilelistsCheck = Callable[[], "InputError | None"]
"""`check_filelists` of the repository's filelists.xml, bound to it."""


def read_repository(
    path: str,
    *,
    shown: str | None = None,
    binary_sizes: bool = False,
    header_ends: bool = False,
    headers_beside: int = 0,
) -> RepositoryRead:
    """Read every package a local repository's metadata lists (``binary_sizes``; ``header_ends``,
    `PrimaryHandler`'s ``sized_header_ranges``; ``headers_beside``, `read_metadata`'s)."""
    repomd_path = find_repomd(path)
    if repomd_path is None:
        if unsearchable(path):
            raise InputError(shown or path, "permission denied: cannot tell whether it is a repository")
        raise InputError(shown or path, "no repodata/repomd.xml here")
    root = os.path.dirname(os.path.dirname(os.path.abspath(repomd_path)))
    display = shown or (path if os.path.isdir(path) else root)
    # Named as given when the input is the file itself (it may not sit in a repodata/).
    repomd_shown = (
        path if shown is None and not os.path.isdir(path) else os.path.join(display, "repodata", "repomd.xml")
    )
    repomd = read_repomd(repomd_path, repomd_shown)

    real_root = os.path.realpath(root)

    def local(entry: MetadataFile, href: str) -> tuple[str, str]:
        local_path = os.path.join(root, href)
        if not lands_inside(real_root, local_path):
            raise InputError(display, f"repomd.xml points outside the repository: {entry.href} (a symlink)")
        shown_file = os.path.join(display, entry.href)
        verify_checksum(local_path, entry.checksum_type, entry.checksum, entry.size, shown_file)
        return local_path, shown_file

    return read_metadata(
        repomd,
        display,
        local,
        header_ranges=False,
        binary_sizes=binary_sizes,
        sized_header_ranges=header_ends,
        headers_beside=headers_beside,
    )


def read_metadata(
    repomd: Repomd,
    display: str,
    fetch: FetchMetadata,
    *,
    header_ranges: bool = True,
    binary_sizes: bool = True,
    sized_header_ranges: bool = False,
    locations_under: str | None = None,
    headers_beside: int = 0,
) -> RepositoryRead:
    """Read primary (and filelists, when listed) of a repository whose repomd.xml is read.

    ``fetch`` makes each file available and verified; nothing is parsed before it returns.
    A local repository reads its own files, a remote one downloads them into the cache.
    ``header_ranges``, ``binary_sizes``, ``sized_header_ranges``, ``locations_under``: what
    `PrimaryHandler` does with the packages' header ranges, file sizes and locations.
    ``headers_beside``: the RPM files whose headers a worker reads meanwhile (`Copies`).
    """
    fetch = metadata_redirects(fetch)  # a finding, as a redirected repomd.xml is (`metadata_elsewhere`)
    # Where a plain file is not listed, dnf reads its zchunk copy (libdnf's getMetadataPath).
    primary = repomd.files.get("primary") or repomd.files.get("primary_zck")
    if primary is None:
        raise InputError(display, "repomd.xml lists no primary metadata")
    result = RepositoryRead(display, repomd.revision, [], metadata=repomd.files)
    primary_path, shown_primary = fetch(primary, safe_href(primary.href, display, primary.base))
    filelists = repomd.files.get("filelists") or repomd.files.get("filelists_zck")
    source: FilelistsSource | None = None
    check: FilelistsCheck | None = None
    plain = {"primary": (primary_path, shown_primary)}
    if filelists is not None:
        try:
            filelists_path, shown_filelists = fetch(
                filelists, safe_href(filelists.href, display, filelists.base)
            )
        except InputError as exc:
            result.errors.append(exc)
        else:
            parse = partial(read_filelists, filelists_path, shown_filelists, filelists.open_size)
            source = FilelistsSource(display, parse)
            check = partial(check_filelists, filelists_path, shown_filelists, filelists.open_size)
            plain["filelists"] = (filelists_path, shown_filelists)

    # What yum 3 (primary_db) or dnf with zchunk reads instead must say the same.
    def fetch_copy(entry: MetadataFile) -> tuple[str, str]:
        return fetch(entry, safe_href(entry.href, display, entry.base))

    copies = Copies(repomd, primary, fetch_copy, plain, locations_under, headers_beside)
    primary_file = _PrimaryFile(
        primary_path,
        shown_primary,
        display,
        primary.open_size,
        header_ranges,
        binary_sizes,
        sized_header_ranges,
        locations_under,
    )
    try:
        handler, refused = _read_primary(primary_file, result.errors, check)
    except InputError:
        copies.wait()
        raise
    if refused is not None and source is not None:
        result.errors.append(refused)
        source.refuse(refused)  # never parsed again, nor its error said twice
    result.packages = handler.packages(source)
    result.file_sizes = handler.file_sizes
    result.errors.extend(copies.differences(result.packages))
    copies.check_file_lists(source, result.packages)
    if repomd.files.keys() & MODULAR_TYPES:
        # dnf's modular filtering needs the streams enabled on the host it runs on; without
        # it a package dnf hides still counts as a provider, maybe the clean alternative. A
        # repository listing no package is modular too: an enabled or default stream of its
        # hides the packages of other repositories named (or providing) its artifacts' names:
        # its gap counts one, the repository, never none (a reason of count 0 said nothing).
        said = "modular metadata: packages of module streams dnf would not enable were read as available"
        count = max(1, len(result.packages))
        result.gaps.append(Gap(GapKind.MODULES_NOT_FILTERED, f"{display}: {said}", count))
    if source is not None:
        result.has_filelists = True
        result.file_lists = source
    return result


HEAD_SHARE = 0.60
"""Where the cut is sought, as a share of the decompressed size. The worker also decompresses
the head to find the cut and pickles its packages to hand them back, so this process, which
only unpickles them, takes the larger part. Measured with the layout reader (read_repository,
three runs each): distro-60k 2.18-2.37 s at 0.60 against 2.37-2.43 s at 0.55 and 2.30-2.46 s
at 0.65; distro-10k 0.40-0.41 s against 0.42-0.49 s and 0.41 s."""


@dataclass(frozen=True)
class _PrimaryFile:
    """A primary.xml to read: where it is, how it is named, whose it is."""

    path: str
    shown: str
    repository: str
    open_size: int | None
    header_ranges: bool
    binary_sizes: bool
    sized_header_ranges: bool
    locations_under: str | None

    def handler(self, errors: list[InputError]) -> PrimaryHandler:
        return PrimaryHandler(
            self.repository,
            errors,
            self.shown,
            header_ranges=self.header_ranges,
            binary_sizes=self.binary_sizes,
            sized_header_ranges=self.sized_header_ranges,
            locations_under=self.locations_under,
        )


def _read_primary(
    primary: _PrimaryFile, errors: list[InputError], check: FilelistsCheck | None
) -> tuple[PrimaryHandler, InputError | None]:
    """The packages of primary.xml (its errors into ``errors``), and what ``check`` found: made
    by the worker that reads primary's tail, once done with it (the worker's part ends first),
    else here."""
    if primary.open_size is not None and worth_forking(primary.open_size, SPLIT_PRIMARY_FROM):
        halves = _read_primary_halves(primary, primary.open_size, check)
        if halves is not None:
            handler, head_errors, tail_packages, tail_errors, tail_sizes, refused = halves
            errors.extend(head_errors)
            errors.extend(tail_errors)
            handler.pending.extend(tail_packages)
            handler.file_sizes.update(tail_sizes)
            return handler, refused
    handler, own_errors, _ = _parse_primary(primary)
    errors.extend(own_errors)
    return handler, check() if check is not None else None


def _read_primary_halves(
    primary: _PrimaryFile, open_size: int, check: FilelistsCheck | None
) -> (
    tuple[
        PrimaryHandler, list[InputError], list[Package], list[InputError], dict[str, int], InputError | None
    ]
    | None
):
    """The head parsed here and the tail in a worker, which then runs ``check``; None when the
    file must be read whole."""
    # Compiled here, before the fork: the worker inherits the expressions instead of
    # spending 10 ms compiling them again before it can start (the layout's and the check's).
    from auditor.sources import createrepo_layout  # noqa: F401

    middle = int(open_size * HEAD_SHARE)
    tail = Background(partial(_read_primary_tail, primary, middle, check))
    try:
        handler, head_errors, cut_found = _parse_primary(primary, split.head, middle)
    except InputError:
        # The worker is waited for all the same: this process ends with os._exit, and a
        # worker still busy then outlives it, holding the run's standard output open.
        with contextlib.suppress(InputError):
            tail.result()
        return None  # a bad cut, or a bad file: read it whole, which says which
    try:
        tail_result, refused, tail_opened = tail.result()
    except InputError:
        return None
    for path, info in tail_opened:
        tell_opened(path, info)  # the worker's reading is the run's: checked as any other
    if not cut_found:
        return handler, head_errors, [], [], {}, refused  # the head was the whole document
    if tail_result is None:
        return None
    return handler, head_errors, *tail_result, refused


_TailPart = tuple[list[Package], list[InputError], dict[str, int]]
"""The packages of primary.xml's tail, their errors, and their files' sizes."""


def _read_primary_tail(
    primary: _PrimaryFile, middle: int, check: FilelistsCheck | None
) -> tuple[_TailPart | None, InputError | None, list[tuple[str, os.stat_result | None]]]:
    """In the worker: the packages from the cut on (None when there is no cut), what ``check``
    found, and the files it opened, for this process to be told of
    (`auditor.core.readlog.tell_opened`). The worker's part is the smaller, and it ends first:
    the check costs no wall time (distro-60k: 0.35 s of CPU)."""
    opened: list[tuple[str, os.stat_result | None]] = []
    with watching_opens(lambda path, info: opened.append((path, info))):
        handler, errors, cut_found = _parse_primary(primary, split.tail, middle)
        refused = check() if check is not None else None
    return ((handler.pending, errors, handler.file_sizes) if cut_found else None), refused, opened


def _parse_primary(
    primary: _PrimaryFile,
    part: Callable[[Iterator[bytes], int, split.Cut], Iterator[bytes]] | None = None,
    middle: int = 0,
) -> tuple[PrimaryHandler, list[InputError], bool]:
    """The packages of primary.xml, or of the ``part`` of it cut at ``middle`` (`split.head`,
    `split.tail`), the errors of its packages, and whether there was a cut.

    Read by `PrimaryLayout` when the file is laid out as createrepo_c writes it, else by
    expat. The fallback starts again from the first byte with a new handler, so what the
    layout reader had gathered is dropped, and expat names what is wrong with the file.
    """
    # Imported here: compiling its expressions takes 12 ms, which a run that reads no
    # repository (RPM files, specs) need not pay.
    from auditor.sources.createrepo_layout import NotInLayout, PrimaryLayout

    path, shown, open_size = primary.path, primary.shown, primary.open_size
    errors: list[InputError] = []
    handler = primary.handler(errors)
    cut = split.Cut()

    def parts(chunks: Iterator[bytes]) -> Iterator[bytes]:
        return chunks if part is None else part(chunks, middle, cut)

    try:
        open_decompressed(path, shown, open_size, lambda chunks: PrimaryLayout(handler).read(parts(chunks)))
        return handler, errors, cut.found
    except (NotInLayout, InputError):
        pass
    errors = []
    handler = primary.handler(errors)
    cut = split.Cut()
    parse_file(
        path, shown, handler.start, handler.end, handler.text, open_size, transform=parts, where=handler.where
    )
    return handler, errors, cut.found
