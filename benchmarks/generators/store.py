"""Where the corpora live, and generating them when they are missing or out of date.

The corpora live in ``$AUDITOR_CORPORA``, else in ``benchmarks/corpora`` of the checkout
(ignored by git): the tests and the benchmarks share them, the user's own directories are
left alone, and a CI cache of that directory spares the generation.

Each corpus records what made it (``.generated.json``): a digest of its generator's source
files, of its input (the Debian index) and of the tools it runs (rpmbuild's and
createrepo_c's versions). A corpus is generated again only when one of those changes.
Generation happens in a hidden sibling directory renamed into place when it succeeds, under a
lock, so an interrupted or concurrent run never leaves a half corpus behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib import metadata

from benchmarks.generators import debian

DISTRO_60K = "distro-60k"
DISTRO_10K = "distro-10k"
DISTRO_200K = "distro-200k"
VERSIONS_30K = "versions-30k"
MULTILIB_12K = "multilib-12k"
RPMS_2K = "rpms-2k"
RANGES_5K = "ranges-5k"
ALL = (DISTRO_60K, DISTRO_10K, RPMS_2K)
ON_DEMAND = (DISTRO_200K, VERSIONS_30K, MULTILIB_12K, RANGES_5K)
"""Corpora made only when asked for by name (a benchmark case), never by ``ensure`` of all."""
RPMS_COUNT = 2000
RPMS_SEED = 7
CORPORA_ENV = "AUDITOR_CORPORA"
INDEX_ENV = "AUDITOR_DEBIAN_PACKAGES"
DOWNLOADED_INDEX = "bookworm-main-amd64.Packages.xz"
STAMP = ".generated.json"
NO_INPUT = ""
"""The input key of rpms-2k and ranges-5k: they are made from their generators (and rpm) alone."""
HERE = os.path.dirname(os.path.abspath(__file__))
_SOURCES = {
    DISTRO_60K: ("debian.py", "rpmmd.py", "distro.py"),
    DISTRO_10K: ("debian.py", "rpmmd.py", "distro.py", "solv_closure.py"),
    DISTRO_200K: ("debian.py", "rpmmd.py", "distro.py", "copies.py"),
    VERSIONS_30K: ("debian.py", "rpmmd.py", "distro.py", "copies.py", "solv_closure.py"),
    MULTILIB_12K: ("debian.py", "rpmmd.py", "distro.py", "copies.py", "solv_closure.py"),
    RPMS_2K: ("rpms.py",),
    RANGES_5K: ("rpmmd.py", "ranges.py"),
}

Log = Callable[[str], None]


class CorpusUnavailable(Exception):
    """A corpus is missing and cannot be generated on this machine; the message says what to do."""


def default_dir() -> str:
    configured = os.environ.get(CORPORA_ENV)
    return os.path.abspath(configured) if configured else os.path.join(os.path.dirname(HERE), "corpora")


def log_to_stderr(message: str) -> None:
    print(f"[corpora] {message}", file=sys.stderr, flush=True)


def debian_index(corpora: str) -> str | None:
    """bookworm's main index: ``$AUDITOR_DEBIAN_PACKAGES``, apt's lists, or a downloaded copy."""
    configured = os.environ.get(INDEX_ENV)
    if configured:
        if not os.path.isfile(configured):
            raise CorpusUnavailable(f"{INDEX_ENV}={configured}: no such file")
        return configured
    downloaded = os.path.join(corpora, DOWNLOADED_INDEX)
    return debian.apt_index() or (downloaded if os.path.isfile(downloaded) else None)


def missing_index_message(corpora: str) -> str:
    return (
        "the distro corpora are made from Debian bookworm's main package index, which this machine "
        f"does not have. On Debian bookworm run `apt-get update` (as root); elsewhere run `scripts/test`, "
        f"which downloads it, or `python -m benchmarks.generators fetch-debian-index` (into {corpora}), "
        f"or set {INDEX_ENV} to a copy of bookworm's main/binary-amd64/Packages(.xz)"
    )


def prepare_debian_index(corpora: str, log: Log = log_to_stderr) -> str | None:
    """Make sure the distro corpora can be generated: download bookworm's index when neither it
    nor current distro corpora are at hand (a machine other than Debian bookworm). Returns the
    index, or None when the corpora need none."""
    index = debian_index(corpora)
    if index is not None:
        return index
    if all(is_current(corpora, name, None) for name in (DISTRO_60K, DISTRO_10K)):
        return None
    return fetch_debian_index(corpora, log)


def fetch_debian_index(corpora: str, log: Log = log_to_stderr) -> str:
    """Download bookworm's main index into ``corpora`` (for machines without bookworm's apt lists).

    It is data for a test corpus, never run; HTTPS is its only check, as it is for pip's downloads.
    """
    os.makedirs(corpora, exist_ok=True)
    target = os.path.join(corpora, DOWNLOADED_INDEX)
    log(f"downloading {debian.INDEX_URL} to {target}")
    part = target + ".part"
    with urllib.request.urlopen(debian.INDEX_URL, timeout=120) as response, open(part, "wb") as stream:
        shutil.copyfileobj(response, stream)
    os.replace(part, target)
    return target


def _digest(paths: Iterable[str], extra: Iterable[str] = ()) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
    for text in extra:
        digest.update(text.encode())
    return digest.hexdigest()


def _tool_version(command: str) -> str:
    try:
        done = subprocess.run([command, "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return "absent"
    return done.stdout.strip()


def generator_key(name: str) -> str:
    """What decides the corpus besides its input: the generator's code and the tools it runs."""
    sources = [os.path.join(HERE, file) for file in _SOURCES[name]]
    if name == RPMS_2K:
        tools = [_tool_version("rpmbuild"), _tool_version("createrepo_c"), f"{RPMS_COUNT} {RPMS_SEED}"]
        return _digest(sources, tools)
    if name == DISTRO_10K:
        return _digest(sources, [metadata.version("solv")])
    return _digest(sources)


def _stamp(corpora: str, name: str) -> dict[str, str]:
    try:
        with open(os.path.join(corpora, name, STAMP), encoding="utf-8") as stream:
            stamp = json.load(stream)
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def is_current(corpora: str, name: str, input_key: str | None) -> bool:
    """Whether ``corpora/name`` was made by this generator from this input.

    With no input at hand (the Debian index went away) a corpus its generator made is kept:
    it is the output of the last input there was.
    """
    stamp = _stamp(corpora, name)
    if stamp.get("generator") != generator_key(name):
        return False
    return input_key is None or stamp.get("input") == input_key


@contextmanager
def _locked(corpora: str) -> Iterator[None]:
    os.makedirs(corpora, exist_ok=True)
    with open(os.path.join(corpora, ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _building(corpora: str, name: str) -> str:
    path = os.path.join(corpora, f".building-{name}")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def _install(corpora: str, name: str, built: str, input_key: str) -> None:
    with open(os.path.join(built, STAMP), "w", encoding="utf-8") as stream:
        json.dump({"generator": generator_key(name), "input": input_key}, stream)
    final = os.path.join(corpora, name)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(built, final)


def ensure(names: Iterable[str], corpora: str | None = None, log: Log = log_to_stderr) -> str:
    """Generate each corpus of ``names`` that is missing or out of date; return the directory.

    Raises CorpusUnavailable, naming what to install or run, when one cannot be generated here.
    """
    corpora = corpora or default_dir()
    wanted = list(dict.fromkeys(names))
    with _locked(corpora):
        if DISTRO_60K in wanted or DISTRO_10K in wanted:
            _ensure_distro(corpora, DISTRO_10K in wanted, log)
        if DISTRO_200K in wanted:
            _ensure_distro_copies(corpora, log)
        if VERSIONS_30K in wanted:
            _ensure_distro(corpora, True, log)  # its packages are distro-10k's
            _ensure_versions(corpora, log)
        if MULTILIB_12K in wanted:
            _ensure_distro(corpora, True, log)  # its packages are distro-10k's
            _ensure_multilib(corpora, log)
        if RPMS_2K in wanted:
            _ensure_rpms(corpora, log)
        if RANGES_5K in wanted:
            _ensure_ranges(corpora, log)
    return corpora


def _ensure_distro(corpora: str, with_subset: bool, log: Log) -> None:
    index = debian_index(corpora)
    input_key = _digest([index]) if index else None
    stale = [
        name
        for name in (DISTRO_60K, DISTRO_10K)[: 1 + with_subset]
        if not is_current(corpora, name, input_key)
    ]
    if not stale:
        return
    if index is None or input_key is None:
        raise CorpusUnavailable(f"{', '.join(stale)}: {missing_index_message(corpora)}")
    from benchmarks.generators import distro

    log(f"generating {', '.join(stale)} from {index}")
    packages = debian.unique_paragraphs(debian.read_index(index))
    virtual = distro.virtual_names(packages)
    if DISTRO_60K in stale:
        built = _building(corpora, DISTRO_60K)
        distro.write(built, packages, virtual)
        _install(corpora, DISTRO_60K, built, input_key)
        log(f"{DISTRO_60K}: {len(packages)} packages")
    if DISTRO_10K in stale:
        names = distro.closed_subset(os.path.join(corpora, DISTRO_60K))
        kept = [fields for fields in packages if fields["Package"] in names]
        built = _building(corpora, DISTRO_10K)
        distro.write(built, kept, virtual)
        _install(corpora, DISTRO_10K, built, input_key)
        log(f"{DISTRO_10K}: {len(kept)} packages, closed under Requires")


def _ensure_distro_copies(corpora: str, log: Log) -> None:
    from benchmarks.generators import copies

    def made(packages: list[debian.Paragraph]) -> tuple[list[debian.Paragraph], list[debian.Paragraph]]:
        renamed = copies.copies(packages)
        return renamed, renamed

    _ensure_of_index(corpora, DISTRO_200K, made, log)


def _ensure_versions(corpora: str, log: Log) -> None:
    from benchmarks.generators import copies, distro

    def made(packages: list[debian.Paragraph]) -> tuple[list[debian.Paragraph], list[debian.Paragraph]]:
        names = distro.closed_subset(os.path.join(corpora, DISTRO_60K))  # distro-10k's, made before
        return copies.versions([fields for fields in packages if fields["Package"] in names]), packages

    _ensure_of_index(corpora, VERSIONS_30K, made, log)


def _ensure_multilib(corpora: str, log: Log) -> None:
    from benchmarks.generators import copies, distro

    def made(packages: list[debian.Paragraph]) -> tuple[list[debian.Paragraph], list[debian.Paragraph]]:
        names = distro.closed_subset(os.path.join(corpora, DISTRO_60K))  # distro-10k's, made before
        return copies.multilib([fields for fields in packages if fields["Package"] in names]), packages

    _ensure_of_index(corpora, MULTILIB_12K, made, log)


def _ensure_of_index(
    corpora: str,
    name: str,
    made: Callable[[list[debian.Paragraph]], tuple[list[debian.Paragraph], list[debian.Paragraph]]],
    log: Log,
) -> None:
    """The corpus ``name`` of the index's packages as ``made`` makes them: the packages to write,
    and those whose virtual names it keeps (`distro.virtual_names`)."""
    index = debian_index(corpora)
    input_key = _digest([index]) if index else None
    if is_current(corpora, name, input_key):
        return
    if index is None or input_key is None:
        raise CorpusUnavailable(f"{name}: {missing_index_message(corpora)}")
    from benchmarks.generators import distro

    log(f"generating {name} from {index}")
    packages, named = made(list(debian.unique_paragraphs(debian.read_index(index))))
    built = _building(corpora, name)
    distro.write(built, packages, distro.virtual_names(named))
    _install(corpora, name, built, input_key)
    log(f"{name}: {len(packages)} packages")


def _ensure_rpms(corpora: str, log: Log) -> None:
    if is_current(corpora, RPMS_2K, NO_INPUT):
        return
    absent = [tool for tool in ("rpmbuild", "createrepo_c") if shutil.which(tool) is None]
    if absent:
        raise CorpusUnavailable(
            f"{RPMS_2K} is built with {' and '.join(absent)}, which this machine does not have: "
            "run `scripts/test`, or install them (Debian: apt-get install rpm createrepo-c; "
            "Fedora: dnf install rpm-build createrepo_c)"
        )
    from benchmarks.generators import rpms

    log(f"generating {RPMS_2K}: {RPMS_COUNT} spec files, rpmbuild and createrepo_c (a minute or two)")
    built = _building(corpora, RPMS_2K)
    rpms.generate(built, RPMS_COUNT, RPMS_SEED, os.cpu_count() or 1, log)
    _install(corpora, RPMS_2K, built, NO_INPUT)


def _ensure_ranges(corpora: str, log: Log) -> None:
    if is_current(corpora, RANGES_5K, NO_INPUT):
        return
    from benchmarks.generators import ranges

    built = _building(corpora, RANGES_5K)
    total = ranges.write(built)
    _install(corpora, RANGES_5K, built, NO_INPUT)
    log(f"{RANGES_5K}: {total} packages")
