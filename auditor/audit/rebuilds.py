"""What a source RPM given alone builds: the binaries its spec declares, audited with it.

A contributor checks a package before submitting it, as a spec or as the SRPM rpmbuild made of
it. ``auditor scan foo.spec`` audits the binaries the spec declares; ``auditor scan
foo.src.rpm`` audited the source package's header alone, and a spec whose binary installs a
``.repo`` pointing at XenServer's updates, or whose ``%post`` fetches from a Citrix host,
exited 1 as a spec and 0 as its SRPM. A source RPM given alone (no binary built from it among
what was read with it) now brings its rebuild's binaries, read from the spec in its payload as
``check`` reads them (`auditor.sources.rebuildspec`); one whose spec cannot be read (a remote
SRPM's payload is not downloaded) carries a gap saying what its binaries would show is unseen.
One given with some of its binaries brings those of its rebuild they leave out: ``scan
foo.src.rpm foo.rpm`` exited 0 where ``scan foo.src.rpm`` blocked on foo-tools' ``%post``.

``auditor check`` rebuilds every source package the change brings alone. A scan rebuilds only
source RPMs given as files, or found walking a directory that holds no binary package: a
repository is audited as dnf is served it, and a tree of binaries and their sources as its
repository would be (a source package whose binaries it does not hold builds nothing it ships).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from auditor.rpm.gaps import Gap
from auditor.rpm.model import Package, with_fields
from auditor.sources.inputpaths import is_url
from auditor.sources.interface import InputKind, InputSummary, LoadResult

if TYPE_CHECKING:  # the spec reader is imported when a source RPM is given alone, not by every run
    from auditor.sources.rebuildspec import Rebuild

Rebuilder = Callable[[Package, tuple[str, ...]], "Rebuild"]
"""Reads what a source package's spec builds, for the architectures given (none: the run's)."""


def sources_alone(packages: Iterable[Package]) -> list[Package]:
    """The source packages read from a built SRPM (not a spec) no binary of ``packages`` was
    built from."""
    packages = list(packages)
    built = {key for package in packages if (key := package.built_from_key) is not None}
    return [package for package in built_sources(packages) if package.source_key not in built]


def built_sources(packages: Iterable[Package]) -> list[Package]:
    """The source packages of ``packages`` read from a built SRPM (not a spec)."""
    return [package for package in packages if package.is_source and not package.from_spec]


def given_sources(loaded: LoadResult, targets: Collection[str]) -> list[Package]:
    """The source packages of ``loaded`` read from a built SRPM, each of a file ``targets`` names (or
    found walking a directory they name that holds no binary package: a contributor's sources),
    with or without binaries built from it (`with_rebuilds` brings those it builds that were not
    read). Not those ``--sources`` names (the sources of binaries given, not a change of their
    own), nor a repository's entries.

    A directory holding binaries is a distribution's tree, audited as its repository would be (what
    it ships is what is audited); a repository is audited as dnf is served it."""
    # A repository's entries (their location relative to it) are audited as they are served:
    # of a distribution's repository, no package is asked more than this.
    files = [package for package in loaded.packages if package.location == package.input]
    if not any(package.is_source for package in files):
        return []
    # By the file, not the name: a file named and found walking a directory is read once, as the
    # first input that reached it (the other has no summary), and it was rebuilt or not by the
    # order they were given in. A file a repository lists is its entry whatever the order. A hard
    # link is the same file too: `scan tree/ other/hard.src.rpm` read tree's name and exited 0.
    given = {_file(path) for path in targets if not is_url(path)}
    # Each directory by its name and where it leads: a file read under one name (a link in a tree,
    # the tree given first) is in the directory its other name is in.
    walked = [
        (os.path.join(item.path, ""), os.path.join(os.path.realpath(item.path), ""))
        for item in loaded.inputs
        if item.kind is InputKind.DIRECTORY and item.path in targets
    ]

    real_directories: dict[str, str] = {}

    def under(package: Package, directories: Iterable[tuple[str, str]], *, links: bool = True) -> bool:
        """Whether ``package``'s file is in one of ``directories``, by its name or where it leads
        (``links``: through a symbolic link to the file itself too, else through its directory's)."""
        prefixes = tuple(directory for pair in directories for directory in pair)
        if package.location.startswith(prefixes):
            return True
        head, tail = os.path.split(package.location)
        if head not in real_directories:
            real_directories[head] = os.path.realpath(head)
        name = os.path.join(real_directories[head], tail)
        return name.startswith(prefixes) or (links and os.path.realpath(name).startswith(prefixes))

    # What a spec beside the sources declares is no binary built (a dist-git directory holds
    # the spec and the SRPM made of it): `scan dir` exited 0 where `scan dir/foo.src.rpm` blocked.
    binaries = [package for package in files if not package.is_source and not package.from_spec]
    # A directory of sources alone given is the contributor's, inside a tree given too or not:
    # `scan mixed/src mixed` exited 0 where `scan mixed/src` blocked on its rebuild. A binary's file
    # linked from elsewhere into it is not looked for (a realpath of each of rpms-2k's 2,000 took a
    # tenth of a second): missed, it leaves the directory's sources rebuilt, never one less.
    alone = [
        directory
        for directory in walked
        if not any(under(binary, (directory,), links=False) for binary in binaries)
    ]
    return [
        package
        for package in built_sources(loaded.packages)
        if package.location == package.input and (_file(package.location) in given or under(package, alone))
    ]


def _file(path: str) -> tuple[int, int] | str:
    """What ``path`` leads to: its device and inode, through any symbolic or hard link (else
    its real path, where it cannot be looked at)."""
    try:
        info = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return info.st_dev, info.st_ino


def with_rebuilds(
    loaded: LoadResult,
    alone: Sequence[Package],
    rebuild: Rebuilder,
    built_for: Mapping[str, Sequence[str]] | None = None,
    *,
    unread_is_error: bool = True,
    hosts: Sequence[str] = (),
) -> LoadResult:
    """``loaded`` with the binaries the spec of each source package of ``alone`` builds that no
    binary of ``loaded`` built from it is named as, read for the architectures ``built_for`` names
    for its name (none: the run's hosts), or the source package with a gap saying its spec was not
    read. A spec past the reader's bounds, or a file that changed since it was read, is also an
    input error when ``unread_is_error`` and no binary built from it was given: a change checked
    is what the contributor submits, and its spec is read as a spec file is, and BASE's binaries
    stand in for an unread rebuild (the gap says so); a source RPM scanned was read from its
    header, and only what its rebuild makes is unseen (`--strict`), as what its binaries given
    leave out is: a scan has no BASE.

    A source RPM whose binaries given already hold every package its header's spec builds
    (`Package.builds`), each for ``hosts`` (the run's ``--arch``, else x86_64) or noarch, is not
    read again: its rebuild would bring nothing, and reading the spec of each of a directory's
    2,000 SRPMs given beside their binaries took rpms-2k's scan from 3.8 s to 8.2 s."""
    if not alone:
        return loaded
    packages = list(loaded.packages)
    errors = list(loaded.errors)
    unread: dict[int, Gap] = {}
    added: dict[str, int] = {}
    read: dict[tuple[str, bool], list[Package]] = {}
    for package in packages:
        if not package.is_source and (key := package.built_from_key) is not None:
            read.setdefault(key, []).append(package)
    wanted: list[tuple[Package, tuple[str, ...], set[tuple[str, str]]]] = []
    for source in alone:
        hosts_of = tuple(sorted((built_for or {}).get(source.name, ())))
        # A binary given is audited as it was built; the rebuild brings the others it makes. By
        # name and architecture: arc.aarch64 given stood in for the arc.x86_64 a rebuild here
        # makes, whose %ifarch x86_64 %post curls a Citrix host (exit 0 where the SRPM blocked).
        # And built from this SRPM (its MD5 the binary's SOURCEPKGID, where both are known): a
        # rel.rpm of another build of rel-1-1 (a spec edited since) stood in for the rel whose
        # %post a rebuild of this one runs, exit 0 where the SRPM alone blocked.
        md5 = (source.source_pkgid or "").partition(" ")[0]
        given = {
            (binary.name, binary.arch)
            for binary in read.get(source.source_key, ())
            if not md5 or not binary.source_pkgid or binary.source_pkgid == md5
        }
        if not _covered(source, given, hosts_of or hosts):
            wanted.append((source, hosts_of, given))
    for (source, _, given), made in zip(wanted, _rebuilt_all(rebuild, wanted), strict=True):
        brought = [binary for binary in made.binaries if (binary.name, binary.arch) not in given]
        packages.extend(brought)
        added[source.location] = added.get(source.location, 0) + len(brought)
        if made.gap is not None:
            # In a check, BASE's binaries stand in for a rebuild of which nothing was read.
            standing = unread_is_error and not made.binaries
            stand_in = ", and BASE's binaries of its name stand in for them" if standing else ""
            unread[id(source)] = replace(made.gap, detail=made.gap.detail + stand_in)
        if made.error is not None and unread_is_error and not given:
            errors.append(made.error)
    packages = [
        with_fields(package, gaps=(*_but_payload_unread(package.gaps), unread[id(package)]))
        if id(package) in unread
        else package
        for package in packages
    ]
    return replace(loaded, packages=packages, errors=errors, inputs=_counted(loaded.inputs, added))


def _but_payload_unread(gaps: Sequence[Gap]) -> list[Gap]:
    """``gaps`` but the reading's own saying its payload's spec was not read: the rebuild's gap,
    said in its place, says so and what of the rebuild is unseen (one gap, counted once)."""
    from auditor.sources.rpmpackage import PAYLOAD_SPEC_UNREAD

    return [gap for gap in gaps if not gap.detail.startswith(PAYLOAD_SPEC_UNREAD)]


def _rebuilt_all(
    rebuild: Rebuilder, wanted: Sequence[tuple[Package, tuple[str, ...], object]]
) -> list[Rebuild]:
    """``rebuild`` of each source package of ``wanted`` for its architectures, in order: on both
    cores when there are enough (`auditor.runtime.parallel.REBUILD_SPECS_FROM`). A rebuild reads
    nothing of the run's and changes nothing of it, only its answer crosses back."""
    from auditor.runtime.parallel import REBUILD_SPECS_FROM, SharedBatches, worth_forking

    jobs = [(source, hosts_of) for source, hosts_of, _ in wanted]
    if not worth_forking(len(jobs), REBUILD_SPECS_FROM):
        return [rebuild(source, hosts_of) for source, hosts_of in jobs]
    # Small batches: one XCP-ng SRPM's spec is read in 30 ms, another's in 2, and the two
    # processes should end together.
    size = max(1, min(_REBUILD_BATCH, len(jobs) // 8))
    batches = [jobs[start : start + size] for start in range(0, len(jobs), size)]
    shared = SharedBatches(batches, partial(_rebuild_batch, rebuild))
    return [made for batch in shared.results() for made in batch]


_REBUILD_BATCH = 4


def _rebuild_batch(rebuild: Rebuilder, batch: Sequence[tuple[Package, tuple[str, ...]]]) -> list[Rebuild]:
    return [rebuild(source, hosts_of) for source, hosts_of in batch]


def _covered(source: Package, given: Collection[tuple[str, str]], hosts: Sequence[str]) -> bool:
    """Whether the binaries ``given`` (name, arch) hold every package ``source``'s spec builds, for
    each of ``hosts`` (none: x86_64) or noarch; never when what it builds is unknown."""
    if source.builds is None or not given:
        return False
    arches = (*(hosts or ("x86_64",)), "noarch")
    return all(
        (name, "noarch") in given or all((name, arch) in given for arch in arches[:-1])
        for name in source.builds
    )


def _counted(inputs: Sequence[InputSummary], added: Mapping[str, int]) -> list[InputSummary]:
    """``inputs`` each counting the binaries a rebuild added of a source RPM it holds (``added``,
    by the source RPM's file): a report's inputs count the packages audited of each, as a spec's
    count its binaries. Each to the first input that holds it, the one that read it: a file is
    read under the first name that reaches it, and `scan tree tree/SRPMS` counted the rebuild's
    rows of both directories, one more row than the report held."""
    more = [0] * len(inputs)
    for location, count in added.items():
        for at, summary in enumerate(inputs):
            within = os.path.join(summary.path, "") if summary.kind is InputKind.DIRECTORY else None
            if location == summary.path or (within is not None and location.startswith(within)):
                more[at] += count
                break
    return [
        replace(summary, packages=summary.packages + count) if count else summary
        for summary, count in zip(inputs, more, strict=True)
    ]
