"""The contributor's check against a distribution: cold, and with BASE's audit in the store.

A contributor runs ``auditor check SPEC --against BASE`` again and again while editing the
spec. The first check audits BASE alone and BASE with the change; each later one takes what
it keeps of BASE alone from the store (the key leaves NEW out) and audits only BASE with the
change. The case times both, the later one with another spec than the first, as an edit
makes it; no anchor does this, so the ratio is on record, without a target.
"""

from __future__ import annotations

import json
import os

from benchmarks.measure import Sample, run_child
from benchmarks.results import CaseResult, Context, ToolResult, record

SPEC = """\
Name: contributed
Version: {version}
Release: 1
Summary: a contributor's package, checked before it is submitted
License: MIT
URL: https://example.org/contributed
Source0: https://example.org/contributed-%{{version}}.tar.gz
BuildRequires: {build}
Requires: {requires}
%description
A package the corpus does not hold, needing two that it does.
%files
/usr/share/contributed
"""


def _spec(ctx: Context, repo: str, version: str) -> str:
    return write_spec(ctx.fresh_dir("spec"), repo, version)


def write_spec(directory: str, repo: str, version: str) -> str:
    """A spec of ``version`` in ``directory`` that builds with one package of the corpus and
    requires another."""
    names = _names(repo)
    path = os.path.join(directory, "contributed.spec")
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(SPEC.format(version=version, build=names[0], requires=names[-1]))
    return path


def check_args(spec: str, repo: str, report: str) -> list[str]:
    """The check the case times: ``spec`` against ``repo``, its JSON report to ``report``."""
    return ["check", spec, "--against", repo, "--metadata-only", "--format", "json", "-o", report]


def _names(repo: str) -> list[str]:
    """Two package names of the corpus, read from the head of its primary.xml."""
    import gzip
    import re

    repodata = os.path.join(repo, "repodata")
    primary = next(name for name in sorted(os.listdir(repodata)) if name.endswith("primary.xml.gz"))
    with gzip.open(os.path.join(repodata, primary), "rt", encoding="utf-8") as stream:
        head = stream.read(1 << 20)
    found = re.findall(r"<name>([^<]+)</name>", head)
    return [found[0], found[min(len(found) - 1, 50)]]


def _check(ctx: Context, result: ToolResult, spec: str, repo: str, cache: str) -> Sample:
    out, err = ctx.outputs(f"{result.case}-{result.tool}")
    report = out[: -len(".out")] + ".json"
    args = check_args(spec, repo, report)
    if not result.command:
        result.command = "XDG_CACHE_HOME=$TMP/cache-* " + ctx.shown(["auditor", *args])
    child = run_child(
        [ctx.python, "-m", "auditor", *args],
        stdout=out,
        stderr=err,
        env=ctx.auditor_env(cache),
        cwd=ctx.auditor_root or ctx.repo_root,
    )
    sample = record(ctx, result, child, [0, 1])  # 1: the change makes something worse
    if sample.exit_code in (0, 1):
        with open(report, encoding="utf-8") as stream:
            if json.load(stream)["errors"]:
                result.errors.append("input errors in the check's report")
    return sample


def distro_check(ctx: Context, name: str) -> CaseResult:
    repo = os.path.join(ctx.corpora, name)
    case = CaseResult(
        f"{name} check",
        f"auditor check of one spec against {name} (--metadata-only): with an empty cache, and "
        "with another spec after it, BASE's audit then taken from the store",
    )
    cold = ToolResult(case.name, "auditor check cold", "")
    stored = ToolResult(case.name, "auditor check, BASE stored", "")
    case.tools += [cold, stored]
    first, edited = _spec(ctx, repo, "1.0"), _spec(ctx, repo, "1.1")
    for _ in range(ctx.runs):
        cache = ctx.fresh_dir("cache")
        _check(ctx, cold, first, repo, cache)
        _check(ctx, stored, edited, repo, cache)
    case.ratio("auditor check, BASE stored", "auditor check cold", None, "BASE stored / cold")
    case.rss("auditor check cold", None)
    case.rss("auditor check, BASE stored", None)
    return case
