"""Offline ``dnf repoclosure`` over one local repository: the reference closure check.

usage: python benchmarks/generators/dnf_closure.py REPO_DIR [cold|warm]

Runs dnf 4's repoclosure plugin (``dnf-plugins-core``) on ``file://REPO_DIR`` alone, with an
empty configuration, no system repositories and its own install root and metadata cache
(``$XDG_CACHE_HOME/auditor-dnf-closure/ID``), so it reads nothing of the machine's dnf set-up
and uses no network. ``cold`` (the default) empties that cache first; ``warm`` keeps what the
last run stored. Prints dnf's output; exits with dnf's status (1 when requirements are
unresolved).

It imports only the standard library, so it runs as a file as well as a module.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from urllib.request import pathname2url

MODES = ("cold", "warm")
_PACKAGE = re.compile(r"^package: (\S+) from \S+$")
_ZERO_EPOCH = re.compile(r"(?<=[<>=] )0:")


def dnf() -> str | None:
    """dnf 4: ``dnf4`` where dnf 5 took the name ``dnf`` (Fedora 41 and later), else ``dnf``."""
    return shutil.which("dnf4") or shutil.which("dnf")


def cache_dir(repo: str, cache_root: str | None = None) -> str:
    """dnf's scratch directory for ``repo``: one per repository, under ``cache_root`` (default:
    the user's cache directory)."""
    if cache_root is None:
        cache_root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache_root, "auditor-dnf-closure", repo_id(repo))


def repo_id(repo: str) -> str:
    return "closure" + hashlib.md5(os.path.realpath(repo).encode()).hexdigest()[:8]


def prepare(repo: str, mode: str = "cold", cache_root: str | None = None) -> list[str]:
    """Set up dnf's scratch directory (emptied when ``mode`` is cold) and return the command.

    The preparation is kept out of the command so that a benchmark times dnf alone.
    """
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: cold or warm")
    program = dnf()
    if program is None:
        raise FileNotFoundError("dnf is not installed (Debian: apt-get install dnf dnf-plugins-core)")
    scratch = cache_dir(repo, cache_root)
    if mode == "cold":
        for sub in ("root", "cache"):
            shutil.rmtree(os.path.join(scratch, sub), ignore_errors=True)
    for sub in ("root", "cache"):
        os.makedirs(os.path.join(scratch, sub), exist_ok=True)
    config = os.path.join(scratch, "empty.conf")
    with open(config, "w", encoding="utf-8"):
        pass
    identifier = repo_id(repo)
    return [
        program,
        f"--config={config}",
        "--setopt=reposdir=/dev/null",
        f"--installroot={os.path.join(scratch, 'root')}",
        f"--setopt=cachedir={os.path.join(scratch, 'cache')}",
        "--releasever=12",
        "--forcearch=x86_64",
        "--disableplugin=*",
        "--enableplugin=repoclosure",
        "--setopt=skip_if_unavailable=False",
        "--setopt=metadata_expire=-1",
        # librepo hands the URL to curl, which refuses a space ("bad/illegal format"): quoted
        f"--repofrompath={identifier},file://{pathname2url(os.path.realpath(repo))}",
        f"--repo={identifier}",
        "repoclosure",
    ]


def normalise(requirement: str) -> str:
    """A requirement as dnf and libsolv print it: a zero epoch after an operator left out.

    The auditor writes ``git < 0:2.39.5``, dnf ``git < 2.39.5``; both mean the same.
    """
    return _ZERO_EPOCH.sub("", requirement.strip())


def unresolved(output: str) -> set[tuple[str, str]]:
    """(NEVRA, requirement) pairs of repoclosure's output.

    dnf prints ``package: NEVRA from REPO``, then ``  unresolved deps (N):`` and one
    requirement a line, indented by four spaces.
    """
    pairs: set[tuple[str, str]] = set()
    current: str | None = None
    for line in output.splitlines():
        match = _PACKAGE.match(line)
        if match:
            current = match.group(1)
        elif line.startswith("    ") and current is not None:
            pairs.add((current, normalise(line)))
        elif not line.startswith("  unresolved deps"):
            current = None
    return pairs


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0].startswith("-") or len(argv) > 2 or argv[1:] not in ([], ["cold"], ["warm"]):
        print("usage: dnf_closure.py REPO_DIR [cold|warm]", file=sys.stderr)
        return 2
    command = prepare(argv[0], argv[1] if len(argv) > 1 else "cold")
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
