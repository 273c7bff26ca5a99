"""A policy's field pattern is matched in linear time: a crafted value cannot hang a scan.

With Python's backtracking ``re``, ``^(\\w+\\s?)+$`` against forty letters and a ``!``
takes 2^40 steps. The scenarios run the real command in a child process (the timeout is
a hang guard, not a measurement) on spec files whose Vendor is crafted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.conftest import errors_of
from tests.paths import ROOT

CATASTROPHIC = r"^(\w+\s?)+$"
RULE = f"""
[[rule]]
id = "vendor-words"
kind = "field"
severity = "high"
message = "a vendor made of words"
fields = ["vendor"]
pattern = '{CATASTROPHIC}'
"""


def spec(directory: Path, name: str, vendor: str) -> Path:
    path = directory / f"{name}.spec"
    path.write_text(
        f"Name: {name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nVendor: {vendor}\n"
        "BuildArch: noarch\n\n%description\nd\n\n%files\n"
    )
    return path


def test_a_catastrophic_pattern_meets_a_crafted_vendor_and_the_scan_ends(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(RULE)
    crafted = spec(tmp_path, "crafted", "a" * 60 + "!")
    plain = spec(tmp_path, "plain", "Some Vendor")
    child = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(crafted), str(plain), "--policy", str(policy),
         "--no-default-policy", "--format", "json", "--fail-on", "none", "-q", "--no-cache"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a measurement: backtracking would take centuries
    )  # fmt: skip
    assert child.returncode == 0, child.stderr
    findings = {
        package["name"]: [finding["rule"] for finding in package["findings"]]
        for package in json.loads(child.stdout)["packages"]
    }
    assert findings == {"crafted": [], "plain": ["vendor-words"]}  # still matched, as RE2 reads it


@pytest.mark.parametrize(
    ("pattern", "detail"),
    [(r"(citrix)\1", "invalid escape sequence"), (r"(?<!not )citrix", "invalid perl operator")],
)
def test_a_pattern_the_linear_engine_cannot_run_is_a_policy_error_naming_the_rule(
    tmp_path: Path, pattern: str, detail: str, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(RULE.replace(CATASTROPHIC, pattern))
    code = main(["scan", str(spec(tmp_path, "plain", "x")), "--policy", str(policy)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    [line] = errors_of(captured.err)
    assert line.startswith(f"auditor: error: {policy}: rule[0].pattern: ")
    assert "RE2" in line and detail in line
