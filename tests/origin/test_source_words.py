"""A Source value with spaces in it is several URLs to rpmbuild: each is read (red team rt3).

rpm accepts ``Source0: https://a.example/x https://downloads.citrix.com/y.tar.gz`` and
records ``y.tar.gz``; to fetch it, rpmbuild runs its URL helper on ``curl ... -o TARGET VALUE``
split at spaces (rpmio's urlGetFile), so curl downloads from both hosts. Read as one URL,
the value was on ``a.example`` only: the audit was clean and complete.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tests.origin.scanned import scan_report, write_spec


def test_rpmbuild_fetches_every_word_of_a_source(tmp_path: Path) -> None:
    """The authority: rpmbuild's own download asks both servers."""
    (tmp_path / "decoy").mkdir()
    (tmp_path / "hidden").mkdir()
    (tmp_path / "hidden" / "y.tar.gz").write_bytes(b"")
    with LocalServer(tmp_path / "decoy") as decoy, LocalServer(tmp_path / "hidden") as hidden:
        spec = write_spec(tmp_path, "words", f"Source0: {decoy.url('/x')} {hidden.url('/y.tar.gz')}")
        defines = ["--define", f"_topdir {tmp_path / 'top'}", "--define", "_disable_source_fetch 0"]
        subprocess.run(["rpmbuild", "-bs", *defines, str(spec)], capture_output=True, check=False)
        assert hidden.paths() == ["/y.tar.gz"]


@pytest.mark.parametrize("separator", [" ", "\t", "  "])
@pytest.mark.parametrize("tag", ["Source0", "Patch1"])
def test_each_word_of_a_source_is_judged(
    tag: str, separator: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value = f"https://a.example/x{separator}https://downloads.citrix.com/y.tar.gz"
    spec = write_spec(tmp_path, "words", f"{tag}: {value}")
    code, report, _ = scan_report(capsys, spec)
    (source,) = (package for package in report["packages"] if package["kind"] == "source")
    assert [item["value"] for item in source["sources"]] == [value]
    values = [(finding["rule"], finding["value"]) for finding in source["findings"]]
    assert values == [("citrix-corporate-host", "https://downloads.citrix.com/y.tar.gz")]
    assert code == 1


def test_a_single_url_is_read_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec(tmp_path, "one", "Source0: https://downloads.citrix.com/y.tar.gz")
    _, report, _ = scan_report(capsys, spec)
    (source,) = (package for package in report["packages"] if package["kind"] == "source")
    assert len(source["findings"]) == 1


def test_a_word_without_a_host_is_a_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """curl fetches the second word as well, and no rule can say where ``https://:443/y`` leads."""
    value = "https://a.example/x https://:443/y.tar.gz"
    spec = write_spec(tmp_path, "words", f"Source0: {value}")
    _, report, _ = scan_report(capsys, spec)
    (source,) = (package for package in report["packages"] if package["kind"] == "source")
    gaps = [gap["detail"] for gap in source["gaps"] if gap["kind"] == "url-without-host"]
    assert gaps == [f"{spec}:7: Source0: {value} (no host can be read from it)"], gaps
