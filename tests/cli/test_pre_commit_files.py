"""The pre-commit hook runs on a commit that touches a file its `auditor scan .` reads by itself
and that decides the verdict: ``auditor.toml`` did, ``.auditor-baseline.json`` did not (gate58).

A commit dropping a baseline entry whose fact still blocks (or a merge leaving the file one the
scan refuses, exit 2) left every package file as it was: pre-commit skipped the hook ("no files
to check") and the commit passed, where the same scan run by hand failed.
"""

from __future__ import annotations

import re

import pytest

from auditor.gate.baseline import BASELINE_FILE
from tests.paths import ROOT


def _files_pattern() -> re.Pattern[str]:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    found = re.search(r"^  files: '([^']+)'$", hooks, re.M)
    assert found is not None
    return re.compile(found.group(1))  # pre-commit matches it with re.search on each path


@pytest.mark.parametrize(
    "path",
    [
        "auditor.toml",
        BASELINE_FILE,
        "x.spec",
        "SPECS/x.spec",
        "RPMS/x-1-1.noarch.rpm",
        "repo/repodata/repomd.xml",
    ],
)
def test_the_hook_runs_when_a_file_the_scan_reads_changes(path: str) -> None:
    assert _files_pattern().search(path), path


@pytest.mark.parametrize("path", ["README.md", "notes/auditor.toml.orig", "x.auditor-baseline.json.bak"])
def test_the_hook_skips_other_files(path: str) -> None:
    assert not _files_pattern().search(path), path
