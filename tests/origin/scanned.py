"""Real inputs for the rule tests: spec files written as a packager would, scanned by the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main


def write_spec(directory: Path, name: str, *tags: str) -> Path:
    """A noarch spec named ``name`` whose preamble adds ``tags`` (``"Vendor: X"``) to a clean one."""
    lines = [f"Name: {name}", "Version: 1.0", "Release: 1", "Summary: s", "BuildArch: noarch"]
    lines += [] if any(tag.lower().startswith("license:") for tag in tags) else ["License: MIT"]
    lines += [*tags, "%description", "d", "%files", ""]
    path = directory / f"{name}.spec"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def scan_report(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, dict[str, Any], str]:
    """``auditor scan ARGS --format json``: its exit code, its report (empty when it refused
    to run, exit 2) and what it said on standard error."""
    code = main(["scan", *map(str, args), "--format", "json", "--no-cache", "-q"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code != 2 else {}), captured.err


def scan(
    capsys: pytest.CaptureFixture[str], *args: str | Path
) -> tuple[int, dict[str, list[dict[str, Any]]], str]:
    """`scan_report`, with each binary package's findings by name in place of the report."""
    code, report, err = scan_report(capsys, *args)
    return code, binaries(report, "findings"), err


def binaries(report: dict[str, Any], key: str) -> dict[str, Any]:
    """``key`` of each binary package of a JSON report, by name."""
    return {
        package["name"]: package[key] for package in report.get("packages", ()) if package["kind"] == "binary"
    }


def rules_of(findings: list[dict[str, Any]]) -> list[str]:
    return sorted(finding["rule"] for finding in findings)


def sources(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The source packages of ``report``: a source RPM scanned alone is audited with the binaries
    its spec builds, each a row of its own."""
    return [package for package in report["packages"] if package["kind"] == "source"]
