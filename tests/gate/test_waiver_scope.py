"""A waiver's ``arch`` is a glob as its ``package`` is, and a waiver whose rule, status and
category no fact has together is refused before the run (it would accept nothing and be
reported stale after a run its author believed it eased)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.origin.scanned import scan_report, write_spec


def _waiver(path: Path, *lines: str) -> Path:
    body = ["[[waiver]]", 'package = "vend"', 'reason = "r"', 'owner = "o"', "expires = 2099-01-01", *lines]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("arch", "waived"),
    [("noarc*", {"noarch"}), ("noarch", {"noarch"}), ("?oarch", {"noarch"}), ("*", {"noarch", "src"}),
     ("[ns]*", {"noarch", "src"}), ("x86_*", set()), ("NOARCH", set())],
)  # fmt: skip
def test_a_waivers_arch_is_a_glob(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arch: str, waived: set[str]
) -> None:
    spec = write_spec(tmp_path, "vend", "Vendor: Citrix Systems, Inc.")
    waivers = _waiver(tmp_path / "w.toml", f'arch = "{arch}"', 'status = "origin"')
    got, report, err = scan_report(capsys, spec, "--waivers", waivers)
    assert {p["arch"] for p in report["packages"] if p["waived_by"] == ["vend#0"]} == waived
    assert got == (0 if waived == {"noarch", "src"} else 1), err
    stale = [waiver["id"] for waiver in report["gate"]["stale_waivers"]]
    assert stale == ([] if waived else ["vend#0"])


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        (['rule = "gap:*"', 'status = "depends"'], "the facts it names are gaps (no status, no category)"),
        (['status = "unresolved"', 'category = "citrix"'], "unresolved (no category)"),
        (['rule = "citrix-vendor"', 'category = "proprietary"'], "the facts it names are origin (citrix)"),
        (
            ['rule = "status:unresolved"', 'status = "depends"'],
            "the facts it names are unresolved (no category)",
        ),
    ],
)
def test_a_waiver_no_fact_can_match_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], said: str
) -> None:
    spec = write_spec(tmp_path, "vend", "Vendor: Citrix Systems, Inc.")
    got, _, err = scan_report(capsys, spec, "--waivers", _waiver(tmp_path / "w.toml", *lines))
    assert got == 2
    assert "waiver vend#0: no fact has" in err and "so it would accept nothing" in err
    assert said in err
    assert err.count("\n") == 1  # one line, no traceback


@pytest.mark.parametrize(
    "lines",
    [
        ['rule = "gap:*"'],
        ['rule = "status:*"', 'category = "proprietary"'],
        ['status = "origin"', 'category = "citrix"'],
        ['rule = "citrix-*"', 'status = "origin"', 'category = "citrix"'],
    ],
)
def test_a_waiver_some_fact_can_match_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> None:
    spec = write_spec(tmp_path, "vend", "Vendor: Citrix Systems, Inc.")
    got, _, err = scan_report(capsys, spec, "--waivers", _waiver(tmp_path / "w.toml", *lines))
    assert got in (0, 1), err
