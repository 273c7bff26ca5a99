"""Benchmark the auditor against its anchors (dnf repoclosure, libsolv, rpm -qp).

usage: python benchmarks/run.py [--corpora DIR] [--runs N] [--only NAME...] [--json OUT] [--auditor DIR]

Run it with the interpreter of a virtualenv where the auditor's dependencies are installed
(``.venv/bin/python benchmarks/run.py``). The auditor is run as ``python -m auditor`` with this
checkout first on PYTHONPATH, so the figures are those of the code next to this file
(``--auditor DIR`` times the checkout in DIR instead, with this harness: an earlier version,
measured the same way).
Missing corpora are generated first with the project's generators (``benchmarks/generators``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == HERE:
    sys.path[0] = REPO_ROOT  # run as a script: import the package `benchmarks` from the project

from tabulate import tabulate  # noqa: E402

from benchmarks import corpus  # noqa: E402
from benchmarks.cases import CASES, cross_checks  # noqa: E402
from benchmarks.measure import median_wall, rss_source  # noqa: E402
from benchmarks.results import CaseResult, Check, Context  # noqa: E402

HEADERS = ["case", "tool", "median wall", "median CPU", "peak RSS", "ratio", "target", "result"]
BLANK = ["", "", "", "", ""]
CONTENTION_WARNING = 0.10


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    names = [case.name for case in CASES]
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Time the auditor and its anchors on the benchmark corpora, alternating runs.",
        epilog="cases: " + ", ".join(names),
    )
    corpus.add_options(parser)
    parser.add_argument("--runs", type=int, default=3, metavar="N", help="runs per tool (default: 3)")
    parser.add_argument("--only", nargs="+", choices=names, metavar="NAME", help="run only these cases")
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    parser.add_argument("--workdir", metavar="DIR", help="scratch directory (default: a fresh temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (tool outputs)")
    parser.add_argument(
        "--auditor",
        metavar="DIR",
        help="time the auditor of the checkout in DIR (say, an export of main) instead of this one's",
    )
    parser.add_argument(
        "--fail-on-target",
        action="store_true",
        help="exit 1 when a target is missed (default: only on errors)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def compile_bytecode(root: str) -> None:
    """Write the auditor's bytecode first, as ``pip install`` does: with PYTHONDONTWRITEBYTECODE
    set (as on some CI images) every timed run would otherwise compile all its modules again,
    a tenth of a second an installed auditor never pays. Then the code of its dataclasses'
    methods, which an installed auditor's first run writes beside that bytecode
    (`auditor.cli.process.keep_generated_methods`; a checkout from before it has none)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": ""}
    compile_all = [sys.executable, "-m", "compileall", "-q", os.path.join(root, "auditor")]
    subprocess.run(compile_all, check=True, env=env)
    write = (
        "from auditor.cli import process\n"
        "if hasattr(process, 'write_generated_methods'):\n"
        "    process.write_generated_methods()\n"
    )
    subprocess.run([sys.executable, "-c", write], check=True, env={**env, "PYTHONPATH": root}, cwd=root)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    selected = [case for case in CASES if not args.only or case.name in args.only]
    corpora = os.path.abspath(args.corpora)
    needed = [name for case in selected for name in case.corpora]
    try:
        corpus.ensure(corpora, needed)
    except (corpus.CorpusError, subprocess.CalledProcessError) as exc:
        print(f"benchmarks: cannot generate the corpora: {exc}", file=sys.stderr)
        return 2
    corpus.prime_page_cache(corpora, dict.fromkeys(needed))
    auditor_root = os.path.abspath(args.auditor) if args.auditor else REPO_ROOT
    if not os.path.isfile(os.path.join(auditor_root, "auditor", "__main__.py")):
        print(f"benchmarks: {auditor_root}: no auditor package here", file=sys.stderr)
        return 2
    compile_bytecode(auditor_root)
    workdir = args.workdir or tempfile.mkdtemp(prefix="auditor-bench-")
    os.makedirs(workdir, exist_ok=True)
    ctx = Context(
        corpora=corpora,
        workdir=os.path.abspath(workdir),
        repo_root=REPO_ROOT,
        python=sys.executable,
        runs=args.runs,
        log=lambda line: print(line, file=sys.stderr, flush=True),
        auditor_root=auditor_root,
    )
    results: list[CaseResult] = []
    load_before = os.getloadavg()
    try:
        for case in selected:
            ctx.log(f"{case.name}: {args.runs} run(s)")
            results.append(case.run(ctx))
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    extra = cross_checks(results)
    print(render(results, extra))
    print(f"load average (1, 5, 15 min): {_load(load_before)} before, {_load(os.getloadavg())} after")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as stream:
            json.dump(to_json(results, extra, args, corpora, auditor_root), stream, indent=2)
            stream.write("\n")
    errors = any(tool.errors for result in results for tool in result.tools)
    missed = any(check.passed is False for check in all_checks(results, extra))
    missed = missed or any(not c.equal for r in results for c in r.comparisons)
    return 1 if errors or (missed and args.fail_on_target) else 0


def _load(values: Sequence[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def all_checks(results: Sequence[CaseResult], extra: Sequence[Check]) -> list[Check]:
    return [check for result in results for check in result.checks] + list(extra)


def _verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "info"}[passed]


def _check_cells(check: Check) -> list[str]:
    limit = "" if check.limit is None else f" <= {check.limit:g}{'x' if check.unit == 'x' else ' MB'}"
    if check.unit == "x":
        cpu = "" if check.cpu is None else f" (CPU {check.cpu:.2f}x)"
        return [f"{check.value:.2f}x{cpu}", f"{check.label}{limit}", _verdict(check.passed)]
    return ["", f"{check.label}{limit}", _verdict(check.passed)]


def table_rows(results: Sequence[CaseResult], extra: Sequence[Check]) -> list[list[str]]:
    rows: list[list[str]] = []
    for result in results:
        for tool in result.tools:
            wall = f"{tool.median_wall:.2f} s" if tool.samples else "-"
            cpu = f"{tool.median_cpu:.2f} s" if tool.samples else "-"
            rss = f"{tool.peak_rss_mb:.0f} MB" if tool.samples else "-"
            checks = [check for check in result.checks if check.tool == tool.tool]
            lead = [result.name, tool.tool, wall, cpu, rss]
            if tool.errors:
                rows.append([*lead, "", "exit status", "ERROR"])
                lead = BLANK
            for check in checks:
                rows.append([*lead, *_check_cells(check)])
                lead = BLANK
            if lead[0]:
                rows.append([*lead, "", "", ""])
        for comparison in result.comparisons:
            counts = f"{len({p for p, _ in comparison.auditor})} pkgs, {len(comparison.auditor)} reqs"
            rows.append(
                [
                    result.name,
                    f"unresolved vs {comparison.reference.split()[0]}",
                    "",
                    "",
                    "",
                    counts,
                    "identical",
                    "PASS" if comparison.equal else "FAIL",
                ]
            )
    for check in extra:
        rows.append([check.case, check.tool, "", "", "", *_check_cells(check)])
    return rows


def render(results: Sequence[CaseResult], extra: Sequence[Check]) -> str:
    lines = [tabulate(table_rows(results, extra), headers=HEADERS, tablefmt="github"), ""]
    busy = [(r.name, t.tool, t.contention) for r in results for t in r.tools if t.samples]
    noisy = [f"{case} / {tool} {share:.0%}" for case, tool, share in busy if share > CONTENTION_WARNING]
    if noisy:
        lines.append(
            "WARNING: other processes took a share of the CPUs during the runs, so the wall times are "
            "noisy (compare the CPU times): " + ", ".join(noisy)
        )
    if rss_source() != "time":
        lines.append("peak RSS from the harness's wait4: an upper bound (install GNU time for exact figures)")
    for result in results:
        for comparison in result.comparisons:
            lines.append(f"{result.name}: unresolved requirements {comparison.summary()}")
            lines.extend(comparison.diff_lines())
        lines.extend(f"{result.name}: {note}" for note in result.notes)
        for tool in result.tools:
            lines.extend(f"{result.name}: {tool.tool}: ERROR {error}" for error in tool.errors)
            if tool.samples:
                walls = ", ".join(f"{s.wall:.2f}" for s in tool.samples)
                share = f"others' CPU share {tool.contention:.0%}"
                lines.append(f"{result.name}: {tool.tool}: walls [{walls}] s, {share}; {tool.command}")
    return "\n".join(lines)


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (done.stdout.strip().splitlines() or ["unknown"])[0]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def environment(auditor_root: str) -> dict[str, Any]:
    commit = _version(["git", "-C", auditor_root, "rev-parse", "HEAD"])
    dirty = _version(["git", "-C", auditor_root, "status", "--porcelain", "--untracked-files=no"])
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "auditor_root": auditor_root,
        "auditor_commit": commit + ("-dirty" if dirty not in ("", "unknown") else ""),
        "dnf": _version(["dnf", "--version"]),
        "rpm": _version(["rpm", "--version"]),
        "rss_source": rss_source(),
        "loadavg": os.getloadavg(),
    }


def to_json(
    results: Sequence[CaseResult],
    extra: Sequence[Check],
    args: argparse.Namespace,
    corpora: str,
    auditor_root: str,
) -> dict[str, Any]:
    return {
        "environment": environment(auditor_root),
        "runs": args.runs,
        "corpora": corpora,
        "table": {"headers": HEADERS, "rows": table_rows(results, extra)},
        "cases": [result.to_json() for result in results],
        "checks": [check.to_json() for check in all_checks(results, extra)],
        "medians": {
            f"{result.name}/{tool.tool}": round(median_wall(tool.samples), 4)
            for result in results
            for tool in result.tools
            if tool.samples
        },
    }


if __name__ == "__main__":
    raise SystemExit(main())
