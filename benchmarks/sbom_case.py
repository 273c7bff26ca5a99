"""The bill of materials of a whole distribution against the JSON report of the same audit.

A release manager publishes an SBOM of the repository: the case writes the audit of distro-60k
as CycloneDX and as SPDX, each with an empty cache, beside the same audit's JSON report, and
puts each SBOM's ratio to it and its peak RSS on record (no anchor writes one: no target).
A gate publishes several reports: one run writing every report a release gate publishes
(JSON, SARIF, JUnit, HTML, CycloneDX and SPDX: ``-o`` given for each) is on record the same way.
Apart from `benchmarks.cases`, which lists it, as `benchmarks.check_case` and
`benchmarks.repo_sources` are: that module had passed 400 lines.
"""

from __future__ import annotations

import os

from benchmarks.measure import Sample, run_child
from benchmarks.results import CaseResult, Context, ToolResult, record, scan_args

SBOM_FORMATS = ("cyclonedx", "spdx")
GATE_REPORTS = (".json", ".sarif", ".xml", ".html", ".cdx.json", ".spdx.json")
"""The reports of a release gate, by the extension that names each one's format."""
GATE = "auditor, six reports in one run"


def distro_sbom(ctx: Context, name: str) -> CaseResult:
    """The bill of materials a release manager publishes, of the whole distribution, against
    the JSON report of the same audit: wall, RSS and the ratio on record."""
    repo = os.path.join(ctx.corpora, name)
    case = CaseResult(
        f"{name} sbom",
        f"audit of {name} (--metadata-only) written as CycloneDX and as SPDX vs the JSON report",
    )
    tools = {fmt: ToolResult(case.name, f"auditor --format {fmt}", "") for fmt in ("json", *SBOM_FORMATS)}
    gate = ToolResult(case.name, GATE, "")
    case.tools += [*tools.values(), gate]
    for _ in range(ctx.runs):
        for fmt, result in tools.items():
            _format_run(ctx, result, repo, fmt)
        _gate_run(ctx, gate, repo)
    for fmt in SBOM_FORMATS:
        case.ratio(f"auditor --format {fmt}", "auditor --format json", None, f"{fmt} / json")
        case.rss(f"auditor --format {fmt}", None)
    case.ratio(GATE, "auditor --format json", None, "six reports / json")
    case.rss(GATE, None)
    return case


def _gate_run(ctx: Context, result: ToolResult, repo: str) -> Sample:
    """One audit written as every report of `GATE_REPORTS`."""
    out, err = ctx.outputs(f"{result.case}-gate")
    documents = [out[: -len(".out")] + extension for extension in GATE_REPORTS]
    # scan_args's audit, without --format: each -o file's extension names its report's
    outputs = [item for document in documents for item in ("-o", document)]
    args = ["scan", repo, "--metadata-only", *outputs, "--fail-on", "none"]
    return _run(ctx, result, args, (out, err), documents)


def _format_run(ctx: Context, result: ToolResult, repo: str, fmt: str) -> Sample:
    out, err = ctx.outputs(f"{result.case}-{fmt}")
    document = out[: -len(".out")] + f".{fmt}"
    args = scan_args([repo], document, metadata_only=True, fmt=fmt)
    return _run(ctx, result, args, (out, err), [document])


def _run(
    ctx: Context, result: ToolResult, args: list[str], streams: tuple[str, str], documents: list[str]
) -> Sample:
    """``auditor ARGS`` with an empty cache, its output and errors to ``streams``; each of
    ``documents`` checked written and removed (the 60k documents are 150-250 MB)."""
    argv = [ctx.python, "-m", "auditor", *args]
    result.command = "XDG_CACHE_HOME=$TMP/cache-* " + ctx.shown(["auditor", *args])
    child = run_child(
        argv,
        stdout=streams[0],
        stderr=streams[1],
        env=ctx.auditor_env(ctx.fresh_dir("cache")),
        cwd=ctx.auditor_root or ctx.repo_root,
    )
    sample = record(ctx, result, child, [0])
    for document in documents:
        if sample.exit_code == 0 and (not os.path.exists(document) or os.path.getsize(document) == 0):
            result.errors.append(f"{os.path.basename(document)}: not written, or empty")
        if os.path.exists(document):
            os.unlink(document)
    return sample
