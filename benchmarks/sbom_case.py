"""The bill of materials of a whole distribution against the JSON report of the same audit.

A release manager publishes an SBOM of the repository: the case writes the audit of distro-60k
as CycloneDX and as SPDX, each with an empty cache, beside the same audit's JSON report, and
puts each SBOM's ratio to it and its peak RSS on record (no anchor writes one: no target).
Apart from `benchmarks.cases`, which lists it, as `benchmarks.check_case` and
`benchmarks.repo_sources` are: that module had passed 400 lines.
"""

from __future__ import annotations

import os

from benchmarks.measure import Sample, run_child
from benchmarks.results import CaseResult, Context, ToolResult, record, scan_args

SBOM_FORMATS = ("cyclonedx", "spdx")


def distro_sbom(ctx: Context, name: str) -> CaseResult:
    """The bill of materials a release manager publishes, of the whole distribution, against
    the JSON report of the same audit: wall, RSS and the ratio on record."""
    repo = os.path.join(ctx.corpora, name)
    case = CaseResult(
        f"{name} sbom",
        f"audit of {name} (--metadata-only) written as CycloneDX and as SPDX vs the JSON report",
    )
    tools = {fmt: ToolResult(case.name, f"auditor --format {fmt}", "") for fmt in ("json", *SBOM_FORMATS)}
    case.tools += tools.values()
    for _ in range(ctx.runs):
        for fmt, result in tools.items():
            _format_run(ctx, result, repo, fmt)
    for fmt in SBOM_FORMATS:
        case.ratio(f"auditor --format {fmt}", "auditor --format json", None, f"{fmt} / json")
        case.rss(f"auditor --format {fmt}", None)
    return case


def _format_run(ctx: Context, result: ToolResult, repo: str, fmt: str) -> Sample:
    out, err = ctx.outputs(f"{result.case}-{fmt}")
    document = out[: -len(".out")] + f".{fmt}"
    args = scan_args([repo], document, metadata_only=True, fmt=fmt)
    argv = [ctx.python, "-m", "auditor", *args]
    result.command = "XDG_CACHE_HOME=$TMP/cache-* " + ctx.shown(["auditor", *args])
    child = run_child(
        argv,
        stdout=out,
        stderr=err,
        env=ctx.auditor_env(ctx.fresh_dir("cache")),
        cwd=ctx.auditor_root or ctx.repo_root,
    )
    sample = record(ctx, result, child, [0])
    if sample.exit_code == 0 and os.path.getsize(document) == 0:
        result.errors.append(f"{fmt}: an empty document")
    if os.path.exists(document):
        os.unlink(document)  # the 60k documents are 150-250 MB
    return sample
