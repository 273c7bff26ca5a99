"""The benchmark cases: the auditor and its anchors on the same corpus, alternating.

Every case runs its tools in turn (auditor, anchor, auditor, anchor, ...) ``runs`` times, so a
slow patch of the machine hits both sides. "Cold" means an empty cache: the auditor gets a
fresh ``XDG_CACHE_HOME`` and dnf's metadata cache is emptied (``dnf_closure.prepare``); the
operating system's page cache is warm for every run (the corpora are read once before).
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks import closure, corpus
from benchmarks.generators import dnf_closure
from benchmarks.measure import Sample, combine, run_child
from benchmarks.results import RSS_LIMIT_MB, CaseResult, Check, Context, ToolResult, record, scan_args
from benchmarks.sbom_case import distro_sbom

DNF_CLOSURE = os.path.join("benchmarks", "generators", "dnf_closure.py")
SOLV_CLOSURE = os.path.join("benchmarks", "generators", "solv_closure.py")


def _auditor(
    ctx: Context, result: ToolResult, targets: Sequence[str], cache: str, *, metadata_only: bool = False
) -> tuple[Sample, dict[str, Any] | None, set[closure.Pair]]:
    """One auditor run; returns its sample, its report's summary and its unresolved pairs."""
    out, err = ctx.outputs(f"{result.case}-auditor")
    report = out[: -len(".out")] + ".json"
    argv = [ctx.python, "-m", "auditor", *scan_args(targets, report, metadata_only=metadata_only)]
    if not result.command:
        result.command = "XDG_CACHE_HOME=$TMP/cache-* " + ctx.shown(["auditor", *argv[3:]])
    # From the checkout timed: ``python -m`` puts the working directory first on sys.path,
    # before PYTHONPATH, so a harness run from another checkout would time that one's auditor.
    child = run_child(
        argv, stdout=out, stderr=err, env=ctx.auditor_env(cache), cwd=ctx.auditor_root or ctx.repo_root
    )
    sample = record(ctx, result, child, [0])
    if sample.exit_code != 0 or not os.path.exists(report):
        return sample, None, set()
    with open(report, encoding="utf-8") as stream:
        document = json.load(stream)
    pairs = closure.from_auditor_report(document)
    os.unlink(report)  # the 60k report is about 70 MB
    if document["errors"]:
        result.errors.append(f"input errors: {document['errors'][:3]}")
    unexpected = _unexpected_gaps(document, metadata_only)
    if unexpected:
        result.errors.append(f"the audit did not see what it should have: {unexpected}")
    return sample, document["summary"], pairs


EXPECTED_GAPS = frozenset({"source-not-audited"})
"""Gaps every case has and that are no fault of the run: the distro corpora hold no source
packages, and rpms-2k's binaries are scanned as files (their SRPMs are other inputs)."""


def _unexpected_gaps(document: dict[str, Any], metadata_only: bool) -> list[str]:
    """The reasons the audit is incomplete beyond what the case expects (files missing...)."""
    expected = EXPECTED_GAPS | ({"metadata-only"} if metadata_only else set())
    reasons = document.get("completeness", {}).get("reasons", [])
    return [f"{r['count']} {r['reason']}" for r in reasons if r["reason"] not in expected]


def _dnf(ctx: Context, result: ToolResult, repo: str, mode: str) -> Sample:
    """One dnf repoclosure: its scratch directory is prepared (emptied when cold) untimed, then
    dnf alone is timed."""
    out, err = ctx.outputs(f"{result.case}-dnf-{mode}")
    argv = dnf_closure.prepare(repo, mode, os.path.join(ctx.workdir, "dnf-cache"))
    result.command = ctx.shown(["python", DNF_CLOSURE, repo, mode]) + " (dnf alone timed)"
    return record(ctx, result, run_child(argv, stdout=out, stderr=err), [0, 1])


def _solv(ctx: Context, result: ToolResult, repo: str) -> Sample:
    out, err = ctx.outputs(f"{result.case}-solv")
    argv = [ctx.python, os.path.join(ctx.repo_root, SOLV_CLOSURE), repo, "-v"]
    result.command = ctx.shown(["python", SOLV_CLOSURE, repo, "-v"])
    return record(ctx, result, run_child(argv, stdout=out, stderr=err), [0])


def _compare_runs(
    case: CaseResult, reference: str, runs: list[tuple[set[closure.Pair], set[closure.Pair]]]
) -> None:
    """Keep the first comparison that differs, or the last one when every run agrees."""
    if not runs:
        return
    comparisons = [closure.compare(reference, mine, theirs) for mine, theirs in runs]
    case.comparisons.append(next((c for c in comparisons if not c.equal), comparisons[-1]))


@dataclass(frozen=True)
class DistroTargets:
    """The targets of a distro corpus's cold case (None: the ratio is shown for information)."""

    dnf: float | None = None
    libsolv: float | None = None
    rss: float | None = RSS_LIMIT_MB


def distro_cold(ctx: Context, name: str, targets: DistroTargets) -> CaseResult:
    repo = os.path.join(ctx.corpora, name)
    case = CaseResult(
        f"{name} cold",
        f"full audit of {name} (rpm-md, --metadata-only) with an empty cache vs dnf repoclosure "
        "cold and libsolv",
    )
    auditor = ToolResult(case.name, "auditor", "")
    dnf = ToolResult(case.name, "dnf repoclosure", "")
    solv = ToolResult(case.name, "solv_closure.py", "")
    case.tools += [auditor, dnf, solv]
    versus_dnf: list[tuple[set[closure.Pair], set[closure.Pair]]] = []
    versus_solv: list[tuple[set[closure.Pair], set[closure.Pair]]] = []
    for _ in range(ctx.runs):
        _, summary, mine = _auditor(ctx, auditor, [repo], ctx.fresh_dir("cache"), metadata_only=True)
        dnf_sample = _dnf(ctx, dnf, repo, "cold")
        solv_sample = _solv(ctx, solv, repo)
        if summary is None:
            continue
        if dnf_sample.exit_code in (0, 1):
            versus_dnf.append((mine, closure.from_dnf_output(dnf_sample.stdout)))
        if solv_sample.exit_code == 0:
            versus_solv.append((mine, closure.from_solv_output(solv_sample.stdout)))
    _compare_runs(case, "dnf repoclosure", versus_dnf)
    _compare_runs(case, "solv_closure.py", versus_solv)
    case.ratio("auditor", "dnf repoclosure", targets.dnf, "auditor / dnf cold")
    case.ratio("auditor", "solv_closure.py", targets.libsolv, "auditor / libsolv")
    case.rss("auditor", targets.rss)
    return case


def distro_warm(ctx: Context, name: str) -> CaseResult:
    repo = os.path.join(ctx.corpora, name)
    case = CaseResult(
        f"{name} warm",
        f"second audit of {name} with the cache of the first vs dnf repoclosure warm (after a warm-up)",
    )
    auditor = ToolResult(case.name, "auditor", "")
    dnf = ToolResult(case.name, "dnf repoclosure", "")
    case.tools += [auditor, dnf]
    cache = ctx.fresh_dir("cache")
    warmup_auditor = ToolResult(case.name, "auditor (warm-up)", "")
    warmup_dnf = ToolResult(case.name, "dnf (warm-up)", "")
    _auditor(ctx, warmup_auditor, [repo], cache, metadata_only=True)
    _dnf(ctx, warmup_dnf, repo, "cold")
    case.notes.append(
        f"warm-up: auditor {warmup_auditor.samples[0].wall:.2f} s, "
        f"dnf cold {warmup_dnf.samples[0].wall:.2f} s"
    )
    auditor.errors += warmup_auditor.errors
    dnf.errors += warmup_dnf.errors
    for _ in range(ctx.runs):
        _auditor(ctx, auditor, [repo], cache, metadata_only=True)
        _dnf(ctx, dnf, repo, "warm")
    case.ratio("auditor", "dnf repoclosure", 0.3, "auditor / dnf warm")
    case.rss("auditor")
    return case


DISTRO_200K_COPIES = 3


def distro_200k(ctx: Context) -> CaseResult:
    """The cost curve past a distribution: three renamed copies of distro-60k in one repository."""
    name = corpus.DISTRO_200K
    repo = os.path.join(ctx.corpora, name)
    case = CaseResult(
        f"{name} cold",
        f"full audit of {name} ({DISTRO_200K_COPIES} renamed copies of distro-60k as one repository, "
        "--metadata-only) with an empty cache; wall, RSS and growth on record",
    )
    auditor = ToolResult(case.name, "auditor", "")
    case.tools.append(auditor)
    for _ in range(ctx.runs):
        _auditor(ctx, auditor, [repo], ctx.fresh_dir("cache"), metadata_only=True)
    case.rss("auditor", None)
    return case


def _rpm_query(ctx: Context, result: ToolResult, files: Sequence[str]) -> Sample:
    """``rpm -qp`` over every file: one process when the command line fits in ARG_MAX."""
    head = ["rpm", "-qp", "--qf", "%{NAME} %{VERSION}\\n", "--nosignature", "--nodigest"]
    batches = _batches(head, files)
    result.command = shlex.join(head) + f" <{len(files)} files>"
    if len(batches) > 1:
        result.command += f" (in {len(batches)} processes: ARG_MAX)"
    samples = []
    lines = 0
    for batch in batches:
        out, err = ctx.outputs(f"{result.case}-rpm")
        samples.append(run_child([*head, *batch], stdout=out, stderr=err))
        with open(out, encoding="utf-8", errors="replace") as stream:
            lines += sum(1 for _ in stream)
    sample = record(ctx, result, combine(samples), [0])
    if lines != len(files):
        result.errors.append(f"rpm printed {lines} lines for {len(files)} files")
    return sample


def _batches(head: Sequence[str], files: Sequence[str]) -> list[list[str]]:
    """Split ``files`` so that each command line and the environment fit in ARG_MAX."""
    pointer = 8
    budget = os.sysconf("SC_ARG_MAX") - 4096
    budget -= sum(len(k) + len(v) + 2 + pointer for k, v in os.environ.items())
    budget -= sum(len(arg) + 1 + pointer for arg in head)
    batches: list[list[str]] = [[]]
    used = 0
    for path in files:
        cost = len(os.fsencode(path)) + 1 + pointer
        if batches[-1] and used + cost > budget:
            batches.append([])
            used = 0
        batches[-1].append(path)
        used += cost
    return batches


def _createrepo(ctx: Context, result: ToolResult, tree: str) -> Sample:
    """``createrepo_c --workers 2`` over the same files, into a fresh output directory: every
    header read and every file hashed (sha256), as a repository's metadata is made."""
    out, err = ctx.outputs(f"{result.case}-createrepo")
    output = ctx.fresh_dir("createrepo")
    argv = ["createrepo_c", "--workers", "2", "--outputdir", output, tree]
    result.command = ctx.shown(["createrepo_c", "--workers", "2", "--outputdir", "$TMP/createrepo-*", tree])
    return record(ctx, result, run_child(argv, stdout=out, stderr=err), [0])


def rpms_cold(ctx: Context) -> CaseResult:
    targets = corpus.scan_targets(ctx.corpora, corpus.RPMS, ctx.workdir)
    files = corpus.rpm_files(ctx.corpora)
    count = len(files)
    case = CaseResult(
        "rpms-2k cold",
        f"read and audit {count} RPM files (RPMS/ and SRPMS/, no repodata) with an empty cache, "
        "filling it, vs createrepo_c --workers 2 and one rpm -qp (the floor) over the same files",
    )
    auditor = ToolResult(case.name, "auditor", "")
    createrepo = ToolResult(case.name, "createrepo_c", "")
    rpm = ToolResult(case.name, "rpm -qp", "")
    case.tools += [auditor, createrepo, rpm]
    tree = os.path.dirname(targets[0])  # the symlink tree holding RPMS/ and SRPMS/
    for _ in range(ctx.runs):
        _, summary, _ = _auditor(ctx, auditor, targets, ctx.fresh_dir("cache"))
        if summary is not None and summary["packages"] != count:
            auditor.errors.append(f"read {summary['packages']} packages of {count}")
        _createrepo(ctx, createrepo, tree)
        _rpm_query(ctx, rpm, files)
    case.ratio("auditor", "createrepo_c", 1.0, "auditor / createrepo_c")
    case.ratio("auditor", "rpm -qp", None, "auditor / rpm -qp")
    case.rss("auditor")
    return case


def rpms_warm(ctx: Context) -> CaseResult:
    targets = corpus.scan_targets(ctx.corpora, corpus.RPMS, ctx.workdir)
    count = len(corpus.rpm_files(ctx.corpora))
    case = CaseResult(
        "rpms-2k warm",
        f"second audit of the {count} RPM files with the cache of the first vs that first (cold) run",
    )
    warm = ToolResult(case.name, "auditor warm", "")
    cold = ToolResult(case.name, "auditor cold", "")
    case.tools += [warm, cold]
    for _ in range(ctx.runs):
        cache = ctx.fresh_dir("cache")
        _auditor(ctx, cold, targets, cache)
        _auditor(ctx, warm, targets, cache)
    case.ratio("auditor warm", "auditor cold", 0.3, "warm / cold")
    case.rss("auditor warm")
    return case


def _repository(ctx: Context) -> CaseResult:
    from benchmarks.repo_sources import repository_with_sources  # it builds on this module

    return repository_with_sources(ctx)


def _check(ctx: Context, name: str) -> CaseResult:
    from benchmarks.check_case import distro_check  # it builds on this module

    return distro_check(ctx, name)


def _remote_repository(ctx: Context) -> CaseResult:
    from benchmarks.repo_sources import remote_repository  # it builds on this module

    return remote_repository(ctx)


@dataclass(frozen=True)
class CaseSpec:
    name: str
    corpora: tuple[str, ...]
    run: Callable[[Context], CaseResult]


CASES: tuple[CaseSpec, ...] = (
    CaseSpec(
        "distro-60k-cold",
        ("distro-60k",),
        lambda ctx: distro_cold(ctx, "distro-60k", DistroTargets(dnf=0.5, libsolv=1.5)),
    ),
    CaseSpec("distro-60k-warm", ("distro-60k",), lambda ctx: distro_warm(ctx, "distro-60k")),
    CaseSpec(
        "distro-10k-cold",
        ("distro-10k",),
        lambda ctx: distro_cold(ctx, "distro-10k", DistroTargets(dnf=1.0)),
    ),
    CaseSpec("rpms-2k-cold", ("rpms-2k",), rpms_cold),
    CaseSpec("rpms-2k-warm", ("rpms-2k",), rpms_warm),
    CaseSpec("rpms-2k-repository", ("rpms-2k",), _repository),
    CaseSpec("rpms-2k-remote", ("rpms-2k",), _remote_repository),
    CaseSpec("distro-200k-cold", ("distro-200k",), distro_200k),
    CaseSpec("distro-60k-sbom", ("distro-60k",), lambda ctx: distro_sbom(ctx, "distro-60k")),
    CaseSpec("distro-10k-check", ("distro-10k",), lambda ctx: _check(ctx, "distro-10k")),
    # Every name in three versions (a repository beside its updates): what a walk holds is apart
    # from the other versions; on record beside dnf and libsolv, no target.
    CaseSpec(
        "versions-30k-cold",
        ("versions-30k",),
        lambda ctx: distro_cold(ctx, "versions-30k", DistroTargets(rss=None)),
    ),
    # i686 copies of x86_64 packages, some of an older version (an EL repository and its updates):
    # the multilib walk and libsolv's infarch rule; on record beside dnf and libsolv, no target.
    CaseSpec(
        "multilib-12k-cold",
        ("multilib-12k",),
        lambda ctx: distro_cold(ctx, "multilib-12k", DistroTargets(rss=None)),
    ),
    # The hostile shape: n distinct ranges over n versions of one name (quadratic before the
    # versions were bisected); on record beside dnf and libsolv, no target.
    CaseSpec(
        "ranges-5k-cold",
        ("ranges-5k",),
        lambda ctx: distro_cold(ctx, "ranges-5k", DistroTargets(rss=None)),
    ),
)


def _across(
    results: Sequence[CaseResult],
    cases: tuple[str, str],
    tools: tuple[str, str],
    label: str,
    limit: float | None,
) -> Check | None:
    """The ratio of one tool's median wall in one case to a tool's in another case."""
    by_name = {r.name: r for r in results}
    top_case, bottom_case = by_name.get(cases[0]), by_name.get(cases[1])
    if top_case is None or bottom_case is None:
        return None
    top, bottom = top_case.tool(tools[0]), bottom_case.tool(tools[1])
    if not top.samples or not bottom.samples or top.errors or bottom.errors:
        return None
    cpu = top.median_cpu / bottom.median_cpu if bottom.median_cpu else None
    value = top.median_wall / bottom.median_wall
    row = f"{cases[0].split()[0]} / {cases[1].split()[0]}"
    if cases[0].split()[0] == cases[1].split()[0]:
        row = f"{cases[0]} / {cases[1]}"
    return Check(row, tools[0], label, value, limit, "x", cpu)


def cross_checks(results: Sequence[CaseResult]) -> list[Check]:
    """The targets that compare cases: growth with the corpus (distro-60k has 6.3 times the
    packages of distro-10k, distro-200k 3 times distro-60k's) and warm against cold."""
    auditor, dnf = ("auditor", "auditor"), ("dnf repoclosure", "dnf repoclosure")
    checks = [
        _across(results, ("distro-60k cold", "distro-10k cold"), auditor, "wall growth", 7.0),
        _across(results, ("distro-60k cold", "distro-10k cold"), dnf, "wall growth", None),
        _across(results, ("distro-200k cold", "distro-60k cold"), auditor, "wall growth", None),
        _across(results, ("distro-60k warm", "distro-60k cold"), auditor, "warm / cold", 0.3),
    ]
    return [check for check in checks if check is not None]
