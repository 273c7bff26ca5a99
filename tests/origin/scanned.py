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


def scan(
    capsys: pytest.CaptureFixture[str], *args: str | Path
) -> tuple[int, dict[str, list[dict[str, Any]]], str]:
    """``auditor scan ARGS --format json``: its exit code, each binary package's findings (by
    name), and what it said on standard error."""
    code = main(["scan", *map(str, args), "--format", "json", "--no-cache", "-q"])
    captured = capsys.readouterr()
    if code == 2:
        return code, {}, captured.err
    report = json.loads(captured.out)
    findings = {
        package["name"]: package["findings"] for package in report["packages"] if package["kind"] == "binary"
    }
    return code, findings, captured.err


def rules_of(findings: list[dict[str, Any]]) -> list[str]:
    return sorted(finding["rule"] for finding in findings)
