"""An origin tag holding more than one string: every string rpm can show is judged.

rpmbuild writes Vendor, URL and the other origin tags as one STRING, but rpm reads a header
whose Vendor is an I18NSTRING with translations (``LANGUAGE=de rpm -qi`` then shows the "de"
one) or a STRING_ARRAY (``rpm -qp --qf '[%{URL}\\n]'`` lists them all). The auditor showed
the first and judged nothing else: a Citrix Vendor in German was a clean package, no gap.
Each case starts from a clean fixture rpmbuild made, changes one tag as rpm allows (digests
made true again), and asks rpm what the tag holds.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.differential import mutations as m

I18NTABLE, VENDOR, URL = 100, 1011, 1020
STRING_ARRAY, I18NSTRING = 8, 9
CITRIX_VENDOR = "Citrix Systems, Inc."
CITRIX_URL = "https://www.citrix.com/downloads/xenserver/"


def _vendor_translated(rpm: m.Rpm) -> None:
    rpm.main.set_strings(I18NTABLE, [b"C", b"de"], STRING_ARRAY)
    rpm.main.add_entry(VENDOR, I18NSTRING, b"Clean Vendor\0" + CITRIX_VENDOR.encode() + b"\0", 2)


def _url_array(rpm: m.Rpm) -> None:
    rpm.main.set_strings(URL, [b"https://fixtures.example.org/epochs", CITRIX_URL.encode()], STRING_ARRAY)


def _rpm_query(path: Path, query: str, language: str) -> str:
    environment = {"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8", "LANGUAGE": language}
    with path.open("rb") as stdin:
        done = subprocess.run(
            ["rpm", "-qp", "--qf", query, "-"], stdin=stdin, capture_output=True, text=True, env=environment
        )
    assert done.returncode == 0, done.stderr
    return done.stdout


CASES: dict[str, tuple[Callable[[m.Rpm], None], str, str, str, str]] = {
    # case: (change, rpm query, locale, what rpm shows, the field judged)
    "vendor-translated": (_vendor_translated, "%{VENDOR}", "de", CITRIX_VENDOR, "vendor"),
    "url-array": (_url_array, "[%{URL}\n]", "", CITRIX_URL, "url"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_string_rpm_shows_is_judged(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, query, language, shown, field = CASES[case]
    rpm = m.split_rpm((m.RPMS / "epochs-1.2-4.noarch.rpm").read_bytes())
    change(rpm)
    path = tmp_path / f"{case}.rpm"
    path.write_bytes(rpm.to_bytes())
    assert shown in _rpm_query(path, query, language)  # rpm reads the file and can show the value

    code = main(["scan", str(path), "--format", "json", "--no-cache", "-q"])
    package = json.loads(capsys.readouterr().out)["packages"][0]
    assert code == 1
    assert (field, shown) in {(finding["field"], finding["value"]) for finding in package["findings"]}


def test_a_repository_judges_them_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The metadata keeps the first string: the header's others come with the file's evidence."""
    rpm = m.split_rpm((m.RPMS / "epochs-1.2-4.noarch.rpm").read_bytes())
    _vendor_translated(rpm)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "epochs-1.2-4.noarch.rpm").write_bytes(rpm.to_bytes())
    subprocess.run(["createrepo_c", "-q", str(repo)], check=True)

    code = main(["scan", str(repo), "--format", "json", "--no-cache", "-q"])
    package = json.loads(capsys.readouterr().out)["packages"][0]
    assert code == 1
    assert ("vendor", CITRIX_VENDOR) in {
        (finding["field"], finding["value"]) for finding in package["findings"]
    }
