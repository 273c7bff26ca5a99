"""A local yum/dnf repository: its metadata, the package files beside it, and what only they carry.

Repodata lists a repository's packages but not everything the policy looks at: a source
package's Source and Patch URLs, the signing key, the Distribution and BugURL tags. So, by
default, the package files are read too:

- every source package's header (its spec: the SPEC tag, or the ``.spec`` in the payload of
  an SRPM built by rpm before 4.15) for its Sources and Patches;
- every binary package's header, when the policy has a rule on the signing key or on
  Distribution, or a host rule, which BugURL is judged by (`ReadOptions.binary_headers`);

and what they carry is laid over the package the metadata describes. Only headers are read
(no file is hashed: the metadata has the digests), many files at a time, and the store keeps
what was read for the next run. A file whose header does not describe the package its entry
names is an input error on that package.

The files and the metadata must also agree: an RPM file on disk that the metadata does not
list (createrepo_c was not run again), or an entry whose file is missing, is a gap of the
input, never silently skipped (the files on disk: `auditor.sources.packagefiles`).
``--metadata-only`` reads no header, and says so; it still looks at the files, for those
the metadata does not list.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from auditor.core.errors import InputError
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package, with_fields
from auditor.rpm.package_fields import location_is_url
from auditor.runtime.snapshot import FileSnapshot
from auditor.runtime.store import Store
from auditor.sources.entryfile import checksum_disagreement
from auditor.sources.evidence import HeaderEvidence
from auditor.sources.inputpaths import (
    find_repomd,
    repository_directory,
    repository_root,
)
from auditor.sources.interface import ReadOptions
from auditor.sources.overlay import Overlaid, overlay, unlisted_recommends_warning
from auditor.sources.packagefiles import ListedFiles, package_files, report_files_around
from auditor.sources.repodata import RepositoryRead, read_repository
from auditor.sources.rpmbatch import Outcome, PendingReads, read_rpm_outcomes


def read_local_repository(
    path: str, options: ReadOptions, store: Store | None, *, shown: str | None = None
) -> RepositoryRead:
    """Every package of the repository at ``path``, with what its files carry (see the module).

    The package files are read while the metadata is parsed: worker processes read the
    headers the file names say are wanted, this process parses primary and filelists, and
    any file the metadata then wants that was not read (a source package not named
    ``*.src.rpm``) is read after."""
    if find_repomd(path) is None:
        return read_repository(path, shown=shown)  # says what is wrong with a path without repodata
    if options.verify_checksums and not options.binary_headers:
        # A binary's file is hashed where its header is read: without a rule on what only a
        # header carries, no binary file would be, and a corrupted one would pass unsaid.
        options = replace(options, binary_headers=True)
    root = repository_root(path)
    walked = repository_directory(path)  # as the replay key spelt it: the same first look
    on_disk, nested, corners = package_files(walked, options)
    if options.metadata_only:
        # No header is read, but the files are still looked at: an RPM file the metadata does
        # not list, or a repository of its own inside this one, is not "read from metadata"
        # either, and each must be named, not hidden behind the mode's one gap.
        read = read_repository(path, shown=shown)
        if read.packages:
            detail = f"{read.location}: read from its metadata alone (--metadata-only)"
            read.gaps.append(Gap(GapKind.METADATA_ONLY, detail, len(read.packages)))
        report_files_around(read, root, on_disk, nested, corners, options)
        return read
    guessed = [href for href in on_disk if options.binary_headers or href.endswith(_SOURCE_SUFFIXES)]
    with PendingReads(
        [os.path.join(root, href) for href in guessed],
        store,
        options.progress,
        options.snapshot,
        checksum=False,
        evidence_only=True,
    ) as pending:
        # No binary's size is worth keeping when no package file is there to compare it with:
        # the sizes of a distribution's 60,000 packages would be 2 MB of the peak.
        sized = bool(on_disk)  # and where the headers end, to compare with the files'
        binaries = options.binary_headers and sized
        read = read_repository(
            path, shown=shown, binary_sizes=binaries, header_ends=sized, headers_beside=pending.forked_reads
        )
        early = _EarlyOverlays(read, root, guessed, options)
        outcomes = dict(zip(guessed, pending.result(early.heard), strict=True))
    read.packages = _withpackage_files(
        read, root, walked, set(on_disk), outcomes, options, store, early.overlaid
    )
    report_files_around(read, root, on_disk, nested, corners, options)
    return read


_SOURCE_SUFFIXES = (".src.rpm", ".nosrc.rpm")


class _EarlyOverlays:
    """The `overlay` of each metadata entry on its file's header, made as each file read reaches
    this process (`PendingReads.result`), while the worker still reads others: made after the
    last one, the 4,000 of rpms-2k's repository took 60 ms during which the worker was idle.
    Each is what `_with_package_files` would make itself: the entry it is made from is the
    metadata's, which nothing changes before then for a file that is on disk and read (only
    entries placed on another host, or whose file is missing, get their gap first)."""

    def __init__(self, read: RepositoryRead, root: str, hrefs: Sequence[str], options: ReadOptions) -> None:
        self.read = read
        self.hrefs = {os.path.join(root, href): href for href in hrefs}
        self.positions: dict[str, list[int]] = {}
        for position, package in enumerate(read.packages):
            if not location_is_url(package.location) and (package.is_source or options.binary_headers):
                self.positions.setdefault(os.path.normpath(package.location), []).append(position)
        self.overlaid: dict[int, Overlaid | InputError] = {}
        self.snapshot = options.snapshot
        self.verify = options.verify_checksums

    def heard(self, path: str, outcome: Outcome) -> None:
        evidence = outcome[0] if outcome and isinstance(outcome[0], HeaderEvidence) else None
        href = self.hrefs.get(path)
        if evidence is None or href is None:
            return
        read = self.read
        for position in self.positions.get(href, ()):
            self.overlaid[position] = _overlay(
                read, read.packages[position], evidence, href, path, self.snapshot, verify=self.verify
            )


def _withpackage_files(
    read: RepositoryRead,
    root: str,
    walked: str,
    on_disk: set[str],
    outcomes: dict[str, Outcome],
    options: ReadOptions,
    store: Store | None,
    overlaid: dict[int, Overlaid | InputError],
) -> list[Package]:
    """The metadata's packages with what their files carry (``outcomes`` has the files read
    already, by path relative to ``root``, which ``walked`` names as the walk did; ``overlaid``
    the overlays made as they were read, by position); the gaps of files and entries that
    disagree."""
    packages = list(read.packages)
    listed = _listed_positions(read.location, packages)
    # The walk leaves out directories that are repositories of their own (their files are not
    # this repository's unlisted ones), but a file the metadata lists there is this one's:
    # dnf downloads it from there.
    snapshot = options.snapshot or FileSnapshot()
    files_there = ListedFiles(walked, snapshot)
    on_disk.update(href for href in listed if href not in on_disk and files_there.is_there(href))
    for href, positions in listed.items():
        if href not in on_disk:
            # The package's own gap, not only the repository's: every format shows it on the
            # package (its row, its SBOM component), whose evidence is the metadata's alone.
            detail = (
                f"{os.path.join(read.location, href)}: listed in the repository's metadata, missing: "
                "what only the file carries (signing key, Distribution, a source package's Sources) "
                "was not seen"
            )
            for position in positions:
                package = packages[position]
                packages[position] = with_fields(
                    package, gaps=(*package.gaps, Gap(GapKind.FILE_MISSING, detail))
                )
    wanted = [
        (position, href)
        for href, positions in sorted(listed.items())
        for position in positions
        if href in on_disk and (packages[position].is_source or options.binary_headers)
    ]
    late = list(dict.fromkeys(href for _, href in wanted if href not in outcomes))
    if late:
        paths = [os.path.join(root, href) for href in late]
        outcomes.update(
            zip(
                late,
                read_rpm_outcomes(
                    paths, store, options.progress, options.snapshot, checksum=False, evidence_only=True
                ),
                strict=True,
            )
        )
    reported: set[str] = set()
    disagreements: set[tuple[str, str]] = set()
    recommending: list[tuple[Package, Overlaid]] = []
    # A file its read found replaced since the run's first look: the header read is the
    # replacement's, so its size is looked at again, not the first look's (the metadata's).
    replaced = set(snapshot.changed)
    for position, href in wanted:
        outcome = outcomes[href]
        evidence = outcome[0] if outcome and isinstance(outcome[0], HeaderEvidence) else None
        failed = len(outcome) > 1 or evidence is None  # an error, or a payload cut short
        if failed and href not in reported:  # a file's errors once, however many entries list it
            reported.add(href)
            read.errors.extend(item for item in outcome if isinstance(item, InputError))
        if evidence is None:
            # The package's own gap too, as a missing file's: its verdict is its metadata's alone.
            reasons = "; ".join(item.reason for item in outcome if isinstance(item, InputError))
            where = os.path.join(read.location, href)
            packages[position] = _metadata_only(packages[position], f"{where}: could not be read ({reasons})")
            continue
        path = os.path.join(root, href)
        merged = None if path in replaced else overlaid.get(position)
        if merged is None:
            looked = None if path in replaced else snapshot
            merged = _overlay(
                read, packages[position], evidence, href, path, looked, verify=options.verify_checksums
            )
        if isinstance(merged, InputError):
            error: InputError | None = merged
            # Not the file the entry describes: the package's verdict is its metadata's alone,
            # which its own gap says, as for a file that could not be read.
            where = os.path.join(read.location, href)
            packages[position] = _metadata_only(packages[position], f"{where}: not read ({merged.reason})")
        else:
            recommending.append((packages[position], merged))
            packages[position] = merged.package
            said = merged.disagreement
            error = None if said is None else InputError(os.path.join(read.location, href), said)
        if error is not None and (href, error.reason) not in disagreements:  # entries alike: one error
            disagreements.add((href, error.reason))
            read.errors.append(error)
    warning = unlisted_recommends_warning(read.location, recommending)
    if warning is not None:
        read.warnings.append(warning)
    return packages


def _metadata_only(package: Package, why: str) -> Package:
    """``package`` with the gap of an entry judged by its metadata alone, ``why`` its file's
    header was not read."""
    detail = f"{why}: what only the file carries (signing key, Distribution, a source package's Sources) "
    detail += "was not seen"
    return with_fields(package, gaps=(*package.gaps, Gap(GapKind.METADATA_ONLY, detail)))


def _overlay(
    read: RepositoryRead,
    entry: Package,
    evidence: HeaderEvidence,
    href: str,
    path: str,
    snapshot: FileSnapshot | None,
    *,
    verify: bool = False,
) -> Overlaid | InputError:
    """`overlay` of ``entry`` on the header of its file at ``path``, the file's size compared
    with the metadata's where it is kept (looked at again when ``snapshot`` is None); with
    ``verify``, the file's checksum too (`ReadOptions.verify_checksums`)."""
    expected = read.listed_size(entry)
    size = None if expected is None else _file_size(path, snapshot)
    merged = overlay(entry, evidence, read.location, href, file_size=size, listed_size=expected)
    if verify and not isinstance(merged, InputError):
        said = (
            checksum_disagreement(entry.checksum, path)
            if entry.checksum is not None
            else "its checksum cannot be verified: the repository metadata gives none (<checksum>)"
        )
        if said is not None:
            return InputError(os.path.join(read.location, href), said)
    return merged


def _file_size(path: str, snapshot: FileSnapshot | None) -> int | None:
    """The size of the file at ``path`` as the run's first look saw it; None when it cannot be
    looked at (its read has said why)."""
    try:
        return snapshot.size(path) if snapshot is not None else os.stat(path).st_size
    except OSError:
        return None


def _listed_positions(repository: str, packages: list[Package]) -> dict[str, list[int]]:
    """The positions in ``packages`` of each file the metadata lists, by normalised href.

    A list, not one position: primary.xml may list the same file twice (``createrepo_c -i``
    given a list that repeats a line), and each entry is a package of the audit, judged by
    what the file carries: the one left unread would be judged by its metadata alone, with
    no gap, and a binary could take its source package's evidence from it. A package the
    metadata places on another host gets its gap here (see the comment below)."""
    listed: dict[str, list[int]] = {}
    for position, package in enumerate(packages):
        if not location_is_url(package.location):
            listed.setdefault(os.path.normpath(package.location), []).append(position)
            continue
        # An xml:base (createrepo_c --baseurl, mergerepo_c) puts the file dnf installs
        # elsewhere, which a local repository's reading never fetches: its header is unseen,
        # as a missing file's is, and a source package's Source URLs with it.
        detail = (
            f"{repository}: its metadata places the file at {package.location} (xml:base or a URL), "
            "not read: what only the file carries (signing key, Distribution, a source "
            "package's Sources) was not seen"
        )
        packages[position] = with_fields(package, gaps=(*package.gaps, Gap(GapKind.FILE_MISSING, detail)))
    return listed
