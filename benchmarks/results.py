"""What a benchmark run records: its context, each tool's samples, the checks of a case.

Shared by every case module (`benchmarks.cases`, `benchmarks.repo_sources`), which only run
tools and compare them.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks import closure
from benchmarks.measure import Sample, median_cpu, median_wall, peak_rss_mb, tail

RSS_LIMIT_MB = 300.0
"""In megabytes of a million bytes, as the issue states it (before, 300 MiB: 315 MB)."""


@dataclass
class Context:
    corpora: str
    workdir: str
    repo_root: str
    """This checkout: the harness and its generators."""
    python: str
    """Interpreter that runs the auditor (``-m auditor``, with the project on PYTHONPATH)."""
    runs: int
    log: Callable[[str], None]
    auditor_root: str = ""
    """The checkout whose auditor is timed (default: ``repo_root``), to time another version."""
    _serial: int = 0

    def fresh_dir(self, prefix: str) -> str:
        return tempfile.mkdtemp(prefix=prefix + "-", dir=self.workdir)

    def outputs(self, label: str) -> tuple[str, str]:
        self._serial += 1
        slug = "".join(c if c.isalnum() or c in ".-" else "-" for c in label)
        base = os.path.join(self.workdir, f"{self._serial:03d}-{slug}")
        return base + ".out", base + ".err"

    def shown(self, argv: Sequence[str]) -> str:
        """A command as the report shows it: scratch paths as ``$TMP``."""
        return shlex.join(argv).replace(self.workdir, "$TMP")

    def auditor_env(self, cache: str) -> dict[str, str]:
        env = dict(os.environ)
        env["XDG_CACHE_HOME"] = cache
        root = self.auditor_root or self.repo_root
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        return env

    def dnf_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["XDG_CACHE_HOME"] = os.path.join(self.workdir, "dnf-cache")
        return env


@dataclass
class ToolResult:
    case: str
    tool: str
    command: str
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def median_wall(self) -> float:
        return median_wall(self.samples)

    @property
    def median_cpu(self) -> float:
        return median_cpu(self.samples)

    @property
    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.samples)

    @property
    def contention(self) -> float:
        """Share of the machine's CPU time that other processes took during these runs."""
        cores = os.cpu_count() or 1
        wall = sum(s.wall for s in self.samples)
        return sum(s.others for s in self.samples) / (wall * cores) if wall else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "tool": self.tool,
            "command": self.command,
            "median_wall_s": round(self.median_wall, 4),
            "median_cpu_s": round(self.median_cpu, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "walls_s": [round(s.wall, 4) for s in self.samples],
            "maxrss_kib": [s.maxrss_kib for s in self.samples],
            "user_s": [round(s.user, 3) for s in self.samples],
            "system_s": [round(s.system, 3) for s in self.samples],
            "others_cpu_s": [round(s.others, 2) for s in self.samples],
            "exit_codes": [s.exit_code for s in self.samples],
            "errors": self.errors,
        }


@dataclass(frozen=True)
class Check:
    """One target: ``value <= limit`` (``limit`` None: shown for information only)."""

    case: str
    tool: str
    """The table row the check is shown on."""
    label: str
    value: float
    limit: float | None
    unit: str
    """``x`` (a ratio) or ``MB``."""
    cpu: float | None = None
    """For a ratio of wall times: the same ratio of CPU times (user + system), less sensitive
    to other processes on the machine; for information."""

    @property
    def passed(self) -> bool | None:
        return None if self.limit is None else self.value <= self.limit

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "tool": self.tool,
            "label": self.label,
            "value": round(self.value, 4),
            "limit": self.limit,
            "unit": self.unit,
            "passed": self.passed,
            "cpu_ratio": None if self.cpu is None else round(self.cpu, 4),
        }


@dataclass
class CaseResult:
    name: str
    description: str
    tools: list[ToolResult] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    comparisons: list[closure.Comparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def tool(self, name: str) -> ToolResult:
        return next(t for t in self.tools if t.tool == name)

    def ratio(self, numerator: str, denominator: str, limit: float | None, label: str) -> None:
        top, bottom = self.tool(numerator), self.tool(denominator)
        if top.samples and bottom.samples and not top.errors and not bottom.errors:
            value = top.median_wall / bottom.median_wall
            cpu = top.median_cpu / bottom.median_cpu if bottom.median_cpu else None
            self.checks.append(Check(self.name, denominator, label, value, limit, "x", cpu))

    def rss(self, tool: str, limit: float | None = RSS_LIMIT_MB) -> None:
        result = self.tool(tool)
        if result.samples and not result.errors:
            self.checks.append(Check(self.name, tool, "peak RSS", result.peak_rss_mb, limit, "MB"))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "tools": [t.to_json() for t in self.tools],
            "checks": [c.to_json() for c in self.checks],
            "unresolved_comparisons": [c.to_json() for c in self.comparisons],
            "notes": self.notes,
        }


def record(ctx: Context, result: ToolResult, sample: Sample, expected: Sequence[int]) -> Sample:
    result.samples.append(sample)
    ctx.log(
        f"  {result.case:16} {result.tool:20} {sample.wall:7.2f} s wall {sample.cpu:7.2f} s cpu "
        f"{sample.maxrss_kib * 1024 / 1e6:7.1f} MB  exit {sample.exit_code}  "
        f"(others: {sample.others:.1f} cpu s)"
    )
    if sample.exit_code not in expected:
        result.errors.append(f"exit code {sample.exit_code}: {tail(sample.stderr)}")
    return sample


def scan_args(
    targets: Sequence[str], report: str, *, metadata_only: bool = False, fmt: str = "json"
) -> list[str]:
    """The audit every case times: ``auditor scan TARGETS`` with a JSON report (or ``fmt``) and no gate.

    ``metadata_only`` for the distro corpora: they hold repodata and no package files, and
    dnf repoclosure reads only the metadata too. Without it the auditor looks for every
    package's file and reports each one missing (an incomplete audit of other work).
    """
    extra = ["--metadata-only"] if metadata_only else []
    return ["scan", *targets, *extra, "--format", fmt, "-o", report, "--fail-on", "none"]
