"""Would a reader in C read a repository's primary.xml faster? Measured, not assumed.

usage: python -m benchmarks.reader_floor [--corpus NAME] [--runs N]

Issue 14 names the option: let libsolv (dnf's engine) parse the metadata. This puts the
auditor's own reading of one corpus's primary.xml beside two readers in C, each best of
``--runs``, CPU time of this process (the auditor's reading also in wall time, as a scan runs
it on two cores):

- the auditor, one process: `read_repository` with forking off, every package a `Package`
  with every field the policy and the resolution read;
- the auditor as a scan reads it: the tail of primary.xml parsed by a forked worker (wall);
- libsolv (the ``solv`` wheel of the test extra): the parse alone, then the parse and the
  values a `Package` is made of taken out of it (strings; each dependency as its text, which
  would still have to be split into name, operator and version);
- createrepo_c's Python module, when it is installed (it is no dependency: ``pip install
  createrepo_c`` to see it): the same two.

Between each C reader's two lines is what making Python values out of its parse costs. A
`Package` needs those values and more (each dependency split, shared between packages and
checked, as the hostile-input guarantees require), whichever parser reads the file; the README's
speed section gives the numbers of this machine and what they decided. The wall-time line needs a
quiet host; the CPU lines less so.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks import corpus

DEFAULT_CORPORA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpora")


def _primary_path(repository: str) -> str:
    from benchmarks.generators.solv_closure import metadata_locations

    locations = metadata_locations(os.path.join(repository, "repodata", "repomd.xml"))
    return os.path.join(repository, locations["primary"])


def auditor_one_process(repository: str) -> int:
    from auditor.runtime import parallel
    from auditor.sources.repodata import read_repository

    workers, parallel.WORKERS = parallel.WORKERS, 1  # `worth_forking` reads it at each call
    try:
        return len(read_repository(repository).packages)
    finally:
        parallel.WORKERS = workers


def auditor_as_scanned(repository: str) -> int:
    from auditor.sources.repodata import read_repository

    return len(read_repository(repository).packages)


def _solv_repository(repository: str) -> Any:
    import solv

    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    pool.setarch("x86_64")
    repo = pool.add_repo("r")
    stream = solv.xfopen(_primary_path(repository))
    repo.add_rpmmd(stream, None, 0)
    stream.close()
    return pool, repo


def solv_parse(repository: str) -> int:
    _pool, repo = _solv_repository(repository)
    return int(repo.nsolvables)


def solv_values(repository: str) -> int:
    import solv

    _pool, repo = _solv_repository(repository)
    strings = (
        solv.SOLVABLE_URL,
        solv.SOLVABLE_PACKAGER,
        solv.SOLVABLE_LICENSE,
        solv.SOLVABLE_SUMMARY,
        solv.SOLVABLE_DESCRIPTION,
        solv.SOLVABLE_BUILDHOST,
    )
    dependencies = (
        solv.SOLVABLE_REQUIRES,
        solv.SOLVABLE_PROVIDES,
        solv.SOLVABLE_CONFLICTS,
        solv.SOLVABLE_OBSOLETES,
        solv.SOLVABLE_RECOMMENDS,
        solv.SOLVABLE_SUGGESTS,
        solv.SOLVABLE_SUPPLEMENTS,
        solv.SOLVABLE_ENHANCES,
    )
    values = []
    for solvable in repo.solvables_iter():
        values.append(
            (
                solvable.name,
                solvable.evr,
                solvable.arch,
                solvable.vendor,
                [solvable.lookup_str(key) for key in strings],
                solvable.lookup_sourcepkg(),
                solvable.lookup_location(),
                solvable.lookup_num(solv.SOLVABLE_BUILDTIME),
                [[str(entry) for entry in solvable.lookup_deparray(key, 0)] for key in dependencies],
            )
        )
    return len(values)


def _createrepo_c_packages(repository: str) -> list[Any]:
    import createrepo_c

    packages: list[Any] = []

    def keep(package: Any) -> bool:
        packages.append(package)
        return True

    createrepo_c.xml_parse_primary(_primary_path(repository), None, keep, None, True)  # with <file>s
    return packages


def createrepo_c_parse(repository: str) -> int:
    return len(_createrepo_c_packages(repository))


def createrepo_c_values(repository: str) -> int:
    values = [_createrepo_c_values(package) for package in _createrepo_c_packages(repository)]
    return len(values)


def createrepo_c_packages_made(repository: str) -> int:
    """createrepo_c's parse, then each `Package` made of its values as the auditor's reader
    makes it (`PrimaryHandler.add_package`: equal dependencies one object, versions shared,
    strings interned), without the reader's checks on each value."""
    from auditor.sources.rpmmd_entry import dependency_from_fields

    dependencies: dict[tuple[Any, ...], Any] = {}
    evrs: dict[tuple[str | None, str | None, str | None], Any] = {}

    def made(entries: list[tuple[Any, ...]]) -> tuple[Any, ...]:
        found = []
        for entry in entries:
            dependency = dependencies.get(entry)
            if dependency is None:
                name, flags, epoch, version, release, pre = entry
                dependency = dependencies[entry] = dependency_from_fields(
                    name, flags, epoch, version, release, "1" if pre else None, evrs=evrs
                )
            found.append(dependency)
        return tuple(found)

    packages = [_made(p, made, repository) for p in _createrepo_c_packages(repository)]
    return len(packages)


def _made(p: Any, made: Any, repository: str) -> Any:
    """One `Package` of createrepo_c's package ``p``, in `make_package`'s positional order."""
    from auditor.rpm.model import PackageKind, make_checksum, make_package
    from auditor.sources.rpmmd_entry import epoch_number

    intern = sys.intern
    source = p.arch in ("src", "nosrc")
    return make_package(
        intern(p.name), epoch_number(p.epoch) if p.epoch else None, intern(p.version),
        intern(p.release or ""), intern(p.arch),
        PackageKind.SOURCE if source else PackageKind.BINARY, p.location_href, repository,
        None if source else p.rpm_sourcerpm, make_checksum(p.checksum_type, p.pkgId),
        p.summary, p.description, made(p.requires), made(p.provides), made(p.conflicts),
        made(p.obsoletes), made(p.recommends), made(p.suggests), made(p.supplements),
        made(p.enhances), tuple(directory + name for _kind, directory, name in p.files),
        p.rpm_vendor and intern(p.rpm_vendor), p.rpm_packager and intern(p.rpm_packager),
        p.rpm_buildhost and intern(p.rpm_buildhost), p.url, None,
        p.rpm_license and intern(p.rpm_license), None, p.time_build,
    )  # fmt: skip


def _createrepo_c_values(p: Any) -> tuple[Any, ...]:
    return (
        p.name, p.epoch, p.version, p.release, p.arch, p.url, p.rpm_vendor, p.rpm_packager,
        p.rpm_license, p.rpm_sourcerpm, p.rpm_buildhost, p.summary, p.description, p.location_href,
        p.location_base, p.pkgId, p.checksum_type, p.time_build, p.size_package, p.rpm_header_start,
        p.rpm_header_end, p.requires, p.provides, p.conflicts, p.obsoletes, p.recommends, p.suggests,
        p.supplements, p.enhances, p.files,
    )  # fmt: skip


def _have(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


READERS: tuple[tuple[str, Callable[[str], int], str, bool], ...] = (
    ("auditor, one process (every field a Package holds)", auditor_one_process, "", False),
    ("auditor, as a scan reads it (two processes)", auditor_as_scanned, "", True),
    ("libsolv: parse only", solv_parse, "solv", False),
    ("libsolv: parse, then a Package's values as strings", solv_values, "solv", False),
    ("createrepo_c: parse only", createrepo_c_parse, "createrepo_c", False),
    ("createrepo_c: parse, then a Package's values", createrepo_c_values, "createrepo_c", False),
    ("createrepo_c: parse, then Packages made, unchecked", createrepo_c_packages_made, "createrepo_c", False),
)
"""Label, reader, module it needs (empty: none), and whether it is timed in wall time (it
spends a forked worker's CPU, which this process's CPU time does not count)."""


def best(reader: Callable[[str], int], repository: str, runs: int, wall: bool) -> tuple[float, int]:
    """The best of ``runs`` timings of ``reader`` (seconds), and the packages it read."""
    clock = time.perf_counter if wall else time.process_time
    timings = []
    count = 0
    for _ in range(runs):
        # The collector paused, as a run pauses it (`auditor.cli.process`): each reader makes
        # hundreds of thousands of objects, and the collector's passes over them would be timed.
        gc.collect()
        gc.disable()
        try:
            start = clock()
            count = reader(repository)
            timings.append(clock() - start)
        finally:
            gc.enable()
    return min(timings), count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/reader_floor.py", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="distro-60k", choices=sorted(corpus.DISTRO))
    parser.add_argument("--corpora", default=DEFAULT_CORPORA, help="directory of the corpora")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    corpora = os.path.abspath(args.corpora)
    try:
        corpus.ensure(corpora, [args.corpus])
    except corpus.CorpusError as exc:
        print(f"benchmarks: cannot generate the corpora: {exc}", file=sys.stderr)
        return 2
    repository = os.path.join(corpora, args.corpus)
    print(f"primary.xml of {args.corpus}, best of {args.runs}:")
    reference = 0.0
    for label, reader, module, wall in READERS:
        if module and not _have(module):
            print(f"  {label:<52} not installed ({module})")
            continue
        seconds, count = best(reader, repository, args.runs, wall)
        reference = reference or seconds
        kind = "wall" if wall else "CPU"
        print(f"  {label:<52} {seconds:6.2f} s {kind:<4} {seconds / reference:5.2f}x  {count} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
