"""Time the RPM reader alone: every fixture RPM read ROUNDS times, headers only.

usage: python benchmarks/read_rpms.py [ROUNDS] [--repeat N] [--checksum]

Reads each file of tests/data/rpms through ``read_rpm_file(path, checksum=False)`` (lead,
signature and main header, their checks, the model; the payload only for a source RPM without
a SPEC tag) ROUNDS times (default 200) and prints the best wall time of ``--repeat`` runs
(default 5), so that a change to the header reader can be measured before and after.
``--checksum`` reads as a scan does, the file's SHA-256 included.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
sys.path.insert(0, REPO_ROOT)

from auditor.sources.rpmpackage import read_rpm_file  # noqa: E402


def one_run(paths: list[str], rounds: int, checksum: bool) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for path in paths:
            read_rpm_file(path, checksum=checksum)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", nargs="?", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--checksum", action="store_true", help="the file's SHA-256 too, as a scan reads")
    args = parser.parse_args()
    directory = os.path.join(REPO_ROOT, "tests", "data", "rpms")
    paths = sorted(os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(".rpm"))
    best = min(one_run(paths, args.rounds, args.checksum) for _ in range(args.repeat))
    reads = len(paths) * args.rounds
    print(f"{reads} reads of {len(paths)} files: {best:.3f} s best of {args.repeat}, "
          f"{best / reads * 1e6:.1f} µs per file")  # fmt: skip


if __name__ == "__main__":
    main()
