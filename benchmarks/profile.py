"""Profile one auditor run in-process under cProfile and print where the time goes.

usage: python benchmarks/profile.py CASE [--corpora DIR] [--warm] [--top N] [--save FILE.prof] [--stages]

CASE is a corpus (distro-60k, distro-10k, rpms-2k) or a case of run.py (distro-60k-cold,
rpms-2k-warm, ...). The auditor runs as ``auditor.cli.main.main([...])`` with the same arguments as
in run.py, with this checkout's code and an empty cache (XDG_CACHE_HOME in a fresh temporary
directory); ``--warm`` (or a ``-warm`` case) first runs it once in a child process, so that
only the cache on disk is warm (not this process's memoised functions), then profiles a second
run with the same cache. The report goes to a temporary file. Prints the top lines by
cumulative time and by internal (total) time; ``--save`` keeps the stats for snakeviz or pstats.

A ``-check`` case (distro-10k-check) profiles its later check, as `benchmarks.check_case` runs
it: a first check in a child process keeps BASE's audit in the store, and the check profiled
is of another spec against the same BASE.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
# This file is named profile.py and cProfile imports the standard `profile` module: with this
# directory first on sys.path (as when run as a script) it would import this file instead.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]
sys.path.insert(0, REPO_ROOT)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks import corpus  # noqa: E402
from benchmarks.cases import CASES  # noqa: E402
from benchmarks.results import scan_args  # noqa: E402
from benchmarks.run import compile_bytecode  # noqa: E402

# a corpus, or a case of run.py, names the corpus to profile
CORPORA = {name: name for name in corpus.ALL} | {case.name: case.corpora[0] for case in CASES}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/profile.py", description="Profile one in-process auditor run with cProfile."
    )
    parser.add_argument("case", choices=sorted(CORPORA), metavar="CASE", help=", ".join(sorted(CORPORA)))
    corpus.add_options(parser)
    parser.add_argument(
        "--warm", action="store_true", help="profile a second run with the cache of the first"
    )
    parser.add_argument("--top", type=int, default=25, metavar="N", help="lines per listing (default: 25)")
    parser.add_argument("--save", metavar="FILE", help="also write the raw stats (pstats format) to FILE")
    parser.add_argument(
        "--stages",
        action="store_true",
        help="no cProfile: print the wall time of each stage of the audit as it ends",
    )
    return parser.parse_args(argv)


# (module, attribute, what it does): the stages --stages times
STAGES = [
    ("auditor.cli.session", "start", "start: project and policy"),
    ("auditor.cli.replay", "report_key", "the replay key"),
    ("auditor.sources.repodata", "_read_primary_tail", "read primary.xml's tail"),
    ("auditor.engine", "load_inputs", "read the inputs"),
    ("auditor.audit.pipeline", "required_files", "file requirements"),
    ("auditor.deps.resolve", "Resolver.__init__", "index the provides"),
    ("auditor.deps.resolve", "Resolver.resolve_all", "resolve every requirement"),
    ("auditor.deps.graph", "DependencyGraph.__init__", "build the graph"),
    ("auditor.audit.pipeline", "classify", "classify"),
    ("auditor.audit.pipeline", "propagate", "propagate"),
    ("auditor.audit.pipeline", "_results", "state the facts"),
    ("auditor.gate.decision", "decide", "decide (the gate)"),
    ("auditor.reports.view", "build_view", "build the report view"),
    ("auditor.cli.commands.scan", "write_outputs", "render and write the reports"),
    # A check's own: BASE's record taken from the store, the two sides compared, the report.
    ("auditor.cli.checkbase", "StoredBase.get", "BASE's record from the store"),
    ("auditor.reports.check_report", "check_view", "compare the two sides"),
    ("auditor.cli.commands.check", "write_output", "render and write the check"),
    # This process waiting for a child's answer and taking it in (its pool's thread unpickles
    # it): wall beyond CPU is time idle on the critical path.
    ("auditor.runtime.parallel", "Background.result", "  a forked child's answer"),
]


def _resident_megabytes() -> int:
    """This process's resident set now, in megabytes of a million bytes as the benchmarks'
    table counts them (Linux; 0 elsewhere): where the peak is reached."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1_000_000
    except (OSError, ValueError, IndexError):
        return 0


def time_stages() -> None:
    """Wrap each stage in a timer that prints its wall and CPU time when the stage ends (a stage
    run in a forked child, such as classification on a large run, prints from there). The CPU
    time is this process's: on a busy machine it is the steadier figure."""
    import functools
    import importlib

    parent = os.getpid()
    for module_name, attribute, title in STAGES:
        owner: Any = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)

        def timed(*args: Any, _original: Any = original, _title: str = title, **kwargs: Any) -> Any:
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                where = "" if os.getpid() == parent else "  (in a forked child)"
                wall, cpu = time.perf_counter() - start, time.process_time() - cpu
                rss = f"{_resident_megabytes():5d} MB after"
                print(f"  {_title:<28} {wall:6.2f} s wall {cpu:6.2f} s CPU {rss}{where}", flush=True)

        setattr(owner, name, functools.wraps(original)(timed))


def print_import_time() -> None:
    """The part of a cold run that the stages do not show, as they run in this process with
    everything imported: a fresh interpreter starting and importing what a cold scan loads
    (the stages' modules and the JSON renderer), beside one that imports nothing."""
    modules = {module for module, _, _ in STAGES} | {"auditor.cli.main", "auditor.reports.json_report"}
    path = os.pathsep.join(filter(None, [REPO_ROOT, os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)

    def wall(code: str) -> float:
        best = float("inf")
        for _ in range(3):  # the fastest of three: the page cache warm, no other noise
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
            best = min(best, time.perf_counter() - start)
        return best

    compile_bytecode(REPO_ROOT)  # else, with PYTHONDONTWRITEBYTECODE set, each import compiles
    # The command line's package first, as the command imports it: it sets up what the
    # other imports then use (`auditor.cli.process.keep_generated_methods`).
    bare, loaded = wall("pass"), wall("import " + ", ".join(["auditor.cli", *sorted(modules)]))
    print(f"  {'interpreter start':<28} {bare:6.2f} s wall")
    print(f"  {'imports of a cold scan':<28} {loaded - bare:6.2f} s wall")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    name = CORPORA[args.case]
    corpora = os.path.abspath(args.corpora)
    try:
        corpus.ensure(corpora, [name])
    except corpus.CorpusError as exc:
        print(f"benchmarks: cannot generate the corpora: {exc}", file=sys.stderr)
        return 2
    from auditor import __file__ as auditor_file
    from auditor.cli.main import main as auditor_main

    workdir = tempfile.mkdtemp(prefix="auditor-profile-")
    try:
        os.environ["XDG_CACHE_HOME"] = os.path.join(workdir, "cache")
        report = os.path.join(workdir, "report.json")
        if args.case == "rpms-2k-repository":  # the case's own target: rpms-2k as one repository
            from benchmarks.repo_sources import repository_in

            targets = [repository_in(corpora, workdir)]
        else:
            targets = corpus.scan_targets(corpora, name, workdir)
        auditor_argv = [*scan_args(targets, report, metadata_only=name in corpus.DISTRO), "--quiet"]
        first_argv = auditor_argv
        if args.case.endswith("-check"):
            from benchmarks.check_case import check_args, write_spec

            repo = os.path.join(corpora, name)
            os.makedirs(os.path.join(workdir, "first"))
            first = write_spec(os.path.join(workdir, "first"), repo, "1.0")
            first_argv = [*check_args(first, repo, report), "--quiet"]
            auditor_argv = [*check_args(write_spec(workdir, repo, "1.1"), repo, report), "--quiet"]
        print(f"auditor from {os.path.dirname(auditor_file)}: auditor {' '.join(auditor_argv)}")
        if args.warm or args.case.endswith(("-warm", "-check")):
            env = dict(
                os.environ,
                PYTHONPATH=os.pathsep.join(filter(None, [REPO_ROOT, os.environ.get("PYTHONPATH")])),
            )
            start = time.perf_counter()
            code = subprocess.run(
                [sys.executable, "-m", "auditor", *first_argv], env=env, check=False
            ).returncode
            print(
                f"warm-up run (child process, unprofiled): {time.perf_counter() - start:.2f} s, exit {code}"
            )
        if args.stages:
            print_import_time()
            time_stages()
            start = time.perf_counter()
            code = auditor_main(auditor_argv)
            print(f"whole run in this process: {time.perf_counter() - start:.2f} s, exit {code}")
            return 0 if code == 0 else 1
        profiler = cProfile.Profile()
        start = time.perf_counter()
        code = profiler.runcall(auditor_main, auditor_argv)
        wall = time.perf_counter() - start
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"profiled run: {wall:.2f} s under cProfile, exit {code}")
    if args.save:
        profiler.dump_stats(args.save)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs()
    for key, title in (("cumulative", "cumulative time"), ("tottime", "total (internal) time")):
        print(f"\n=== top {args.top} by {title} ===")
        stats.sort_stats(key).print_stats(args.top)
    return 0 if code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
