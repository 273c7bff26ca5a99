"""Every report format: registered, deterministic; and the text pieces they share.

Each format has its own test file (test_report_*.py), checked by what reads it.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli.main import main
from auditor.gate.baseline import Baseline, BaselineEntry
from auditor.reports.render import FORMATS
from auditor.reports.text import chain_text
from auditor.reports.why import render_why
from auditor.rpm.gaps import GapKind
from tests.paths import ROOT
from tests.report_cases import CITRIX, WAIVER, audit_of, gate_view, view_of, waiver


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_same_input_gives_the_same_bytes(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    outputs = []
    for run in range(2):
        target = tmp_path / f"report-{run}.{fmt}"
        assert main(["scan", "tests/data/rpms", "--format", fmt, "-o", str(target), "-q"]) == 1
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert FORMATS[fmt](gate_view(hostile=True)) == FORMATS[fmt](gate_view(hostile=True))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_reports_do_not_depend_on_time_zone_or_locale(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    view = gate_view()
    first = FORMATS[fmt](view)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    monkeypatch.setenv("LC_ALL", "C")
    assert FORMATS[fmt](view) == first


def test_hops_say_whether_every_provider_is_tainted() -> None:
    audit = audit_of(
        [
            {"name": "xenlicense", **CITRIX, "provides": ["licensing", "vendorlib"]},
            {"name": "xenlicense2", **CITRIX, "provides": ["vendorlib"]},
            {"name": "freelicense", "provides": ["licensing"]},
            {"name": "chooser", "requires": ["licensing"]},
            {"name": "above", "requires": ["chooser"]},
            {"name": "stuck", "requires": ["vendorlib"]},
        ]
    )
    view = view_of(audit)
    (chooser,) = view.by_name("chooser")
    (above,) = view.by_name("above")
    (stuck,) = view.by_name("stuck")
    assert "(for licensing, 1 of 2 providers tainted)" in chooser.why
    assert "all 2 providers tainted" not in render_why(view, "chooser")[0]
    assert "(for vendorlib, all 2 providers tainted)" in stuck.why
    # Every hop counts its own tainted providers.
    assert "1 of 2 providers tainted" in chain_text(above.package, above.chain, view.packages)


def test_readme_documents_every_format() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Output formats") : readme.index("### Exit codes")]
    documented = set(re.findall(r"^\| `([a-z]+)`(?:, `([a-z]+)`)?", section, re.M))
    assert {name for pair in documented for name in pair if name} == set(FORMATS)


def test_pre_commit_hook_runs_the_installed_command() -> None:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: auditor-check\n" in hooks
    entry = re.search(r"^  entry: (.+)$", hooks, re.M)
    assert entry is not None
    command, subcommand = entry.group(1).split()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[command] == "auditor.cli.main:console_main" and subcommand == "scan"
    assert re.search(r"^  pass_filenames: false$", hooks, re.M)


def test_the_schema_names_every_gap_kind() -> None:
    """A package's gap has one of the kinds the auditor knows, each named in the schema."""
    schema = json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text())
    assert schema["$defs"]["gap_kind"]["enum"] == [kind.value for kind in GapKind]


def test_table_and_json_say_which_packages_were_waived() -> None:
    view = gate_view()
    table = FORMATS["table"](view)
    assert re.search(r"^xapi-tools-1\.0-1\.noarch +depends \(waived\) ", table, re.M)
    assert re.search(r"^xapi-1\.0-1\.noarch +depends \* ", table, re.M)
    # The universe's binaries name no source package: each is a gap, said after the counts.
    assert table.rstrip().endswith("; 5 blocking, 1 waived; incomplete: 8 source-not-audited")
    document = json.loads(FORMATS["json"](view))
    jsonschema.validate(document, json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text()))
    packages = {package["nevra"]: package for package in document["packages"]}
    assert packages["xapi-tools-1.0-1.noarch"]["waived_by"] == [WAIVER]
    assert packages["xapi-tools-1.0-1.noarch"]["blocking"] is False
    assert packages["xapi-1.0-1.noarch"]["waived_by"] == []
    assert document["summary"]["waived"] == 1


def test_the_reason_a_blocking_row_shows_is_a_fact_that_blocks() -> None:
    """A Citrix package with a proprietary licence, its vendor fact waived: every row said
    "origin, blocking: [citrix-vendor] vendor: Citrix... (+1 more)", naming the fact accepted
    and hiding the one that blocks among "+1 more"."""
    audit = audit_of([{"name": "fw", **CITRIX, "license": "Proprietary"}])
    view = view_of(audit, [waiver("fw", "vendor-ok", rule="citrix-vendor")])
    [row] = view.rows
    assert row.why == "[proprietary-license] license: Proprietary (+1 more) (1 of 2 waived by vendor-ok)"
    assert re.search(r"^fw-1\.0-1\.noarch +origin \* +\[proprietary-license\] ", FORMATS["table"](view), re.M)
    assert "| `fw-1.0-1.noarch` | **origin** (blocking) | `[proprietary-license] " in FORMATS["markdown"](
        view
    )
    [package] = json.loads(FORMATS["json"](view))["packages"]
    assert package["why"].startswith("[proprietary-license] ")


def test_the_requirements_a_blocking_row_names_first_are_those_that_block() -> None:
    """Four unresolved requirements the baseline accepts and a new one: the row said "nothing
    provides a-gone, b-gone, c-gone (+2 more)", the one that blocks among the two left out."""
    audit = audit_of([{"name": "app", "requires": ["a-gone", "b-gone", "c-gone", "d-gone", "z-new"]}])
    facts = [fact for result in audit.results for fact in result.facts if fact.rule == "status:unresolved"]
    entries = [
        BaselineEntry(fingerprint=f.fingerprint, kind=f.rule, package=f.subject, capability=f.capability)
        for f in facts
        if f.unmet != "z-new"
    ]
    [row] = view_of(audit, baseline=Baseline(entries)).rows
    assert row.why == "nothing provides z-new, a-gone, b-gone (+2 more) (4 of 5 accepted by the baseline)"


def test_the_table_lists_the_group_that_blocks_first() -> None:
    """One blocking package among many a waiver accepted: the table ordered groups by size
    alone, and the one that blocks sat in the middle (line 7,128 of 20,669 on distro-10k)."""
    specs: list[dict[str, Any]] = [{"name": "vendor", **CITRIX}, {"name": "culprit", **CITRIX}]
    specs += [{"name": f"app{n:02d}", "requires": ["vendor"]} for n in range(30)]
    view = view_of(audit_of(specs), [waiver("vendor", "v"), waiver("app*", "apps")])
    lines = FORMATS["table"](view).splitlines()
    assert lines[2] == "origin source culprit: 1 origin package(s), 0 flagged through it"
    assert re.match(r"culprit-1\.0-1\.noarch +origin \* ", lines[3])


def test_a_newline_in_package_metadata_starts_no_line_of_its_own() -> None:
    """A Vendor whose repodata copy has a newline for a blank (the header and the metadata
    then agree, whitespace aside) must not print a line that reads as another package's row."""
    forged = "Citrix Systems, Inc.\nok-9.9-9.noarch                            clean"
    view = view_of(audit_of([{"name": "evil2", "vendor": forged}, {"name": "ok"}]))
    table = FORMATS["table"](view)
    why, _ = render_why(view, "evil2")
    for text in (table, why):
        assert not re.search(r"^ok-9\.9-9\.noarch", text, re.M), text
    assert "Citrix Systems, Inc. ok-9.9-9.noarch" in table


@pytest.mark.parametrize("block", [True, False])
def test_the_tables_last_line_says_stale_waivers_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], block: bool
) -> None:
    """A clean package and a waiver that matches nothing: with --stale-waivers block the run
    exits 1, and the table's summary must not say "nothing blocking"."""
    waivers = tmp_path / "waivers.toml"
    waivers.write_text('[[waiver]]\nid = "gone"\npackage = "removed-pkg"\nreason = "r"\nowner = "o"\n'
                       "expires = 2099-01-01\n")  # fmt: skip
    target = str(ROOT / "tests" / "data" / "rpms" / "conflicts-obsoletes-2.0-1.noarch.rpm")
    stale = ["--stale-waivers", "block" if block else "warn"]
    code = main(["scan", target, "--waivers", str(waivers), *stale, "-q", "--no-cache"])
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert code == (1 if block else 0)
    assert ("1 clean; stale waivers block;" if block else "1 clean; nothing blocking;") in last, last


@pytest.mark.parametrize("case", ["unreadable", "nothing", "strict"])
def test_a_table_written_to_a_file_says_the_run_failed_and_what_it_could_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    """Exit 3 with no package blocking: the table (``-o report.txt``, what a CI job keeps) ended
    on "nothing blocking" and named no input it could not read; only standard error did."""
    clean = str(ROOT / "tests" / "data" / "rpms" / "conflicts-obsoletes-2.0-1.noarch.rpm")
    broken = tmp_path / "broken.rpm"
    broken.write_bytes(b"junk")
    empty = tmp_path / "empty"
    empty.mkdir()
    args = {
        "unreadable": [clean, str(broken), "--fail-on", "none"],
        "nothing": [str(empty)],
        "strict": [clean, "--strict", "--fail-on", "none"],
    }[case]
    report = tmp_path / "report.txt"
    code = main(["scan", *args, "-o", str(report), "-q", "--no-cache"])
    capsys.readouterr()
    lines = report.read_text().rstrip().splitlines()
    assert code == 3
    assert lines[-1].startswith("failed: ") and lines[-1].endswith("(exit code 3)"), lines
    if case == "unreadable":
        assert f"could not read: {broken}: " in "\n".join(lines)
