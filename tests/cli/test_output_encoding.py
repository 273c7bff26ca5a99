"""A report on standard output is UTF-8 whatever the locale's encoding.

Under a locale whose encoding is not UTF-8 (``LANG=de_DE.ISO-8859-1``, or ``PYTHONIOENCODING``
naming such a codec), the Markdown report's first character (U+274C) could not be encoded, and
the run ended as an internal error (exit 4) with no report; a table with a package's Vendor
in another script did the same, and one that could be encoded was written in the locale's
encoding, so that standard output, ``-o FILE`` and a report replayed from the store (UTF-8
bytes) disagreed. The locale is given by ``PYTHONIOENCODING``: the machine that runs the tests
has no Latin-1 locale, and the interpreter takes its standard streams' encoding from either.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

SPEC = """\
Name: tool
Version: 1
Release: 1
Summary: Outil à configurer
License: GPLv2
Vendor: Citrix Systèmes, инструмент
%description
Déjà vu.
"""


def _scan(spec: Path, *more: str, cache: Path) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "latin-1"}
    return subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(spec), "--cache-dir", str(cache), *more],
        capture_output=True,
        env=environment,
        check=False,
    )


@pytest.mark.parametrize("output_format", ["markdown", "table", "json", "html"])
def test_a_report_on_standard_output_under_a_latin_1_locale_is_the_file_s_utf_8(
    output_format: str, tmp_path: Path
) -> None:
    spec = tmp_path / "tool.spec"
    spec.write_text(SPEC, encoding="utf-8")
    written = tmp_path / "report"
    to_file = _scan(spec, "--format", output_format, "-o", str(written), cache=tmp_path / "cache")
    fresh = _scan(spec, "--format", output_format, "--no-cache", cache=tmp_path / "cache")
    replayed = _scan(spec, "--format", output_format, cache=tmp_path / "cache")
    assert (to_file.returncode, fresh.returncode, replayed.returncode) == (1, 1, 1), fresh.stderr
    assert fresh.stdout == written.read_bytes() == replayed.stdout
    assert "Citrix Systèmes, инструмент" in fresh.stdout.decode("utf-8")
