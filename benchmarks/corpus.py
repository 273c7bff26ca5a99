"""Find the benchmark corpora, or build them with the shared generators (``../shared/bench``).

Corpora (see ``../shared/bench/README.md``):

- ``distro-60k``, ``distro-10k``: Debian bookworm ``main`` converted to rpm-md repodata by
  ``deb2repodata.py`` (about 15 s, 1.1 GB of memory). Needs the Debian package index
  (``apt-get update`` once), ``/usr/lib/apt/apt-helper`` and Debian's ``python3-solv`` (the
  10k subset is chosen with libsolv, so the generator runs under ``/usr/bin/python3``).
- ``rpms-2k``: 2,000 binary RPMs and their 2,000 source RPMs built by ``gen_rpm_corpus.py``
  with ``rpmbuild``, with ``createrepo_c`` repodata (about 70-90 s on two cores).

Each corpus is generated in a temporary sibling directory and renamed into place when the
generator succeeds, so an interrupted generation never looks like a corpus.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable

DISTRO = ("distro-60k", "distro-10k")
RPMS = "rpms-2k"
ALL = (*DISTRO, RPMS)
SYSTEM_PYTHON = "/usr/bin/python3"
APT_LISTS = "/var/lib/apt/lists"
PACKAGES_GLOB = "*bookworm_main_binary-amd64_Packages*"


class CorpusError(Exception):
    """A corpus is missing and cannot be generated here; the message says what to install."""


def shared_bench_dir(repo_root: str) -> str:
    """``$AUDITOR_BENCH_SHARED`` or ``<project>/../shared/bench``."""
    return os.environ.get("AUDITOR_BENCH_SHARED") or os.path.normpath(
        os.path.join(repo_root, os.pardir, "shared", "bench")
    )


def is_complete(corpora: str, name: str) -> bool:
    root = os.path.join(corpora, name)
    if name == RPMS:
        return all(
            os.path.isfile(os.path.join(root, sub, "repodata", "repomd.xml")) for sub in ("RPMS", "SRPMS")
        )
    return os.path.isfile(os.path.join(root, "repodata", "repomd.xml"))


def ensure(corpora: str, names: Iterable[str], shared: str) -> None:
    """Generate every corpus of ``names`` that ``corpora`` does not hold yet."""
    missing = [name for name in dict.fromkeys(names) if not is_complete(corpora, name)]
    if not missing:
        return
    os.makedirs(corpora, exist_ok=True)
    if any(name in DISTRO for name in missing):
        _generate_distro(corpora, shared)
    if RPMS in missing:
        _generate_rpms(corpora, shared)


def _log(message: str) -> None:
    print(f"[corpora] {message}", file=sys.stderr, flush=True)


def _require(path: str, hint: str) -> None:
    if not os.path.exists(path):
        raise CorpusError(f"{path} is missing: {hint}")


def system_python_has_solv() -> bool:
    """Whether Debian's python3 (the generators' and solv_closure.py's shebang) has python3-solv."""
    if not os.path.exists(SYSTEM_PYTHON):
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import solv"], capture_output=True, check=False)
    return probe.returncode == 0


def _require_solv() -> None:
    _require(SYSTEM_PYTHON, "the generators run under Debian's python3")
    if not system_python_has_solv():
        raise CorpusError(
            "Debian's python3-solv is needed to generate distro-10k: apt-get install python3-solv"
        )


def _packages_list() -> str:
    found = sorted(glob.glob(os.path.join(APT_LISTS, PACKAGES_GLOB)))
    if found:
        return found[0]
    if os.geteuid() != 0:
        raise CorpusError("the Debian package index is empty: run `apt-get update` once (as root)")
    _log("the Debian package index is empty: apt-get update")
    subprocess.run(["apt-get", "update"], check=True)
    found = sorted(glob.glob(os.path.join(APT_LISTS, PACKAGES_GLOB)))
    if not found:
        raise CorpusError(
            f"apt-get update gave no {PACKAGES_GLOB} in {APT_LISTS}: is bookworm main a source?"
        )
    return found[0]


def _fresh(path: str) -> str:
    if os.path.lexists(path):
        shutil.rmtree(path)
    return path


def _generate_distro(corpora: str, shared: str) -> None:
    _require_solv()
    helper = "/usr/lib/apt/apt-helper"
    _require(helper, "apt's apt-helper reads the compressed package index")
    packages = os.path.join(corpora, "bookworm-main-amd64.Packages")
    if not os.path.isfile(packages):
        source = _packages_list()
        _log(f"{helper} cat-file {source} > {packages}")
        with open(packages + ".tmp", "wb") as out:
            subprocess.run([helper, "cat-file", source], stdout=out, check=True)
        os.replace(packages + ".tmp", packages)
    big, small = (_fresh(os.path.join(corpora, f".tmp-{name}")) for name in DISTRO)
    command = [
        SYSTEM_PYTHON,
        os.path.join(shared, "deb2repodata.py"),
        "--packages",
        packages,
        "--out",
        big,
        "--subset",
        "10000",
        "--subset-out",
        small,
    ]
    _run_generator(command)
    for name, tmp in zip(DISTRO, (big, small), strict=True):
        _fresh(os.path.join(corpora, name))
        os.replace(tmp, os.path.join(corpora, name))


def _generate_rpms(corpora: str, shared: str) -> None:
    for tool in ("/usr/bin/rpmbuild", "/usr/bin/createrepo_c"):
        _require(tool, "apt-get install rpm createrepo-c")
    tmp = _fresh(os.path.join(corpora, f".tmp-{RPMS}"))
    jobs = str(max(1, os.cpu_count() or 1))
    command = [
        SYSTEM_PYTHON,
        os.path.join(shared, "gen_rpm_corpus.py"),
        "--out",
        tmp,
        "-n",
        "2000",
        "--jobs",
        jobs,
        "--batch",
        "50",
    ]
    _run_generator(command)
    _fresh(os.path.join(corpora, RPMS))
    os.replace(tmp, os.path.join(corpora, RPMS))


def _run_generator(command: list[str]) -> None:
    _log(" ".join(command))
    start = time.perf_counter()
    subprocess.run(command, check=True)
    _log(f"done in {time.perf_counter() - start:.1f} s")


def rpm_files(corpora: str) -> list[str]:
    """Every binary and source RPM of rpms-2k, sorted."""
    root = os.path.join(corpora, RPMS)
    found: list[str] = []
    for sub in ("RPMS", "SRPMS"):
        for directory, dirs, files in os.walk(os.path.join(root, sub)):
            dirs[:] = sorted(d for d in dirs if d != "repodata")
            found.extend(os.path.join(directory, f) for f in sorted(files) if f.endswith(".rpm"))
    return found


def scan_targets(corpora: str, name: str, workdir: str) -> list[str]:
    """What the auditor scans for a corpus: the repository, or rpms-2k's RPM files.

    rpms-2k's ``RPMS/`` and ``SRPMS/`` each hold ``repodata/``, and the auditor reads a directory
    holding ``repodata/repomd.xml`` as a repository (its metadata, not its package files). The
    cases measure reading the 4,000 files, so they scan symlink trees ``RPMS/`` and ``SRPMS/``
    in ``workdir`` that hold only the RPM files.
    """
    if name != RPMS:
        return [os.path.join(corpora, name)]
    root = os.path.join(corpora, RPMS)
    view = os.path.join(workdir, "rpms-2k-files")
    for path in rpm_files(corpora):
        link = os.path.join(view, os.path.relpath(path, root))
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if not os.path.lexists(link):
            os.symlink(os.path.abspath(path), link)
    return [os.path.join(view, "RPMS"), os.path.join(view, "SRPMS")]


def add_options(parser: argparse.ArgumentParser, default_corpora: str, repo_root: str) -> None:
    """``--corpora DIR`` and ``--shared DIR``, for run.py and profile.py."""
    parser.add_argument(
        "--corpora",
        default=default_corpora,
        metavar="DIR",
        help="directory of the corpora, generated there when missing (default: benchmarks/corpora)",
    )
    parser.add_argument(
        "--shared",
        default=shared_bench_dir(repo_root),
        metavar="DIR",
        help="the shared generators and reference tools (default: ../shared/bench)",
    )


def prime_page_cache(corpora: str, names: Iterable[str]) -> None:
    """Read every file of the corpora once, so no tool pays for the first disk read."""
    for name in names:
        for directory, _, files in os.walk(os.path.join(corpora, name)):
            for file in files:
                with open(os.path.join(directory, file), "rb") as stream:
                    while stream.read(1 << 20):
                        pass
