"""The pre-commit hook runs on every commit: what its `auditor scan .` reads is not told by file
names. A filter on names skipped a commit touching only ``.auditor-baseline.json`` (gate58: a
commit dropping a baseline entry whose fact still blocks passed, where the same scan run by hand
failed), and any commit touching only a spec's Source file (``SOURCES/xs.repo``, installed and
judged), an RPM named otherwise than ``*.rpm`` (read by its first bytes: ``x.RPM``,
``x.rpm.1``), or a policy or waiver file named elsewhere: pre-commit said "no files to check".
"""

from __future__ import annotations

import re

from tests.paths import ROOT


def _hook() -> str:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    found = re.search(r"^- id: auditor-check\n((?:  .*\n)+)", hooks, re.M)
    assert found is not None
    return found.group(1)


def test_the_hook_runs_on_every_commit() -> None:
    hook = _hook()
    assert re.search(r"^  always_run: true$", hook, re.M), hook
    assert re.search(r"^  pass_filenames: false$", hook, re.M), hook


def test_no_file_name_filter_leaves_a_commit_unread() -> None:
    """pre-commit runs an ``always_run`` hook whatever ``files`` says, but a ``files`` or
    ``exclude`` here would read as a promise the hook keeps to them."""
    hook = _hook()
    assert not re.search(r"^  (files|exclude|types|types_or):", hook, re.M), hook
