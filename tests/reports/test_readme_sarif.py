"""What the README says of the SARIF report is what `--format sarif` writes.

Code scanning users filter and dismiss alerts by rule id, and read the run's notifications
by their descriptor: the README names each one the code can write. A gap of the inputs has
no package file to be located at: it is a tool notification carrying its fact's fingerprint,
not an alert, and the README says so rather than "one alert per ... gap".
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.cli.main import main
from auditor.origin.policy import load_policy
from auditor.reports import sarif
from auditor.reports.failures import RunFailureKind
from auditor.reports.sarif_rules import STATUS_RULES
from auditor.rpm.gaps import GapKind
from auditor.sources.interface import ConfigUrl, LoadResult
from tests.paths import ROOT
from tests.report_cases import CITRIX, audit_of, gate_view, view_of
from tests.universe import universe

README = (ROOT / "README.md").read_text(encoding="utf-8")
SARIF_SOURCES = sorted((ROOT / "auditor" / "reports").glob("sarif*.py"))


def written_descriptor_ids() -> set[str]:
    """The notification descriptor ids the SARIF modules write literally (``"auditor/..."``)."""
    ids = {
        match
        for path in SARIF_SOURCES
        for match in re.findall(r'"id": f?"(auditor/[a-z-]+)"', path.read_text(encoding="utf-8"))
    }
    return ids | {f"auditor/{kind.value}" for kind in RunFailureKind}


def test_the_readme_names_every_sarif_rule_and_notification_id() -> None:
    ids = {rule.id for rule in STATUS_RULES.values()} | written_descriptor_ids()
    assert {"status/gap", "auditor/incomplete", "auditor/results-not-listed"} <= ids
    missing = sorted(one for one in ids if f"`{one}`" not in README)
    assert not missing, f"README names no {missing}"


def test_a_gap_of_the_inputs_is_a_notification_as_the_readme_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "a gap of the inputs or of the run" in README and "is a tool notification" in README
    empty = tmp_path / "empty"
    empty.mkdir()
    report = tmp_path / "out.sarif"
    code = main(["scan", str(empty), "-q", "--cache-dir", str(tmp_path / "cache"), "-o", str(report)])
    capsys.readouterr()
    assert code == 3
    run = json.loads(report.read_text(encoding="utf-8"))["runs"][0]
    assert run["results"] == []
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    gap = [n for n in notifications if n["message"]["text"].startswith("input: empty-input")]
    assert len(gap) == 1 and "auditorFact/v1" in gap[0]["properties"]
    assert {"auditor/incomplete", "auditor/nothing-audited"} <= {
        n["descriptor"]["id"] for n in notifications if "descriptor" in n
    }


def test_the_readme_names_every_kind_of_gap() -> None:
    """Every gap is a `status/gap` alert or notification whose text starts with its kind, and a
    waiver names it as ``gap:<kind>``: the README says what each kind is."""
    missing = [
        kind.value
        for kind in GapKind
        if f"`{kind.value}`" not in README and f"`gap:{kind.value}`" not in README
    ]
    assert not missing, f"README names no gap kind {missing}"


def _paragraph(start: str) -> str:
    """The README's paragraph that begins with ``start``, up to the next blank line."""
    begin = README.index(start)
    return README[begin : README.index("\n\n", begin)]


def _property_keys() -> tuple[set[str], set[str], set[str], set[str]]:
    """The keys of the properties the SARIF report writes: of a fact's result (a package's, a
    configured URL's, a taint with a shortened chain), of the run, of ``resultsListed`` and of a
    summary result."""
    config = audit_packages(
        AuditOptions(targets=("universe",)),
        load_policy(),
        LoadResult(
            packages=universe([{"name": "fine"}]),
            config_urls=[ConfigUrl("x.repo", "xs", "baseurl", "https://repo.citrite.net/x/")],
        ),
        LoadResult(packages=universe([])),
    )
    chain: list[dict[str, Any]] = [{"name": f"p{i:02d}", "requires": [f"p{i + 1:02d}"]} for i in range(19)]
    chain.append({"name": "p19", **CITRIX})
    views = [gate_view(), view_of(config), view_of(audit_of(chain))]
    results, run = set(), set()
    for view in views:
        document = json.loads(sarif.render(view))["runs"][0]
        results |= {key for result in document["results"] for key in result["properties"]}
        run |= set(document["properties"])
    # A bound with room for a summary of each rule with facts (and for no fact), and one below
    # that, which leaves some rules' facts counted in `resultsListed` alone.
    whole = json.loads(sarif.render(gate_view()))["runs"][0]["results"]
    rules = len({result["ruleId"] for result in whole})
    bounded = json.loads(sarif.render(gate_view(), max_results=rules))["runs"][0]
    summaries = {
        key
        for result in bounded["results"]
        if result["properties"].get("summary")
        for key in result["properties"]
    }
    below = json.loads(sarif.render(gate_view(), max_results=1))["runs"][0]
    listed = set(bounded["properties"]["resultsListed"]) | set(below["properties"]["resultsListed"])
    assert "notSummarised" in listed
    return results, run | {"resultsListed"}, listed, summaries


def test_the_readme_names_every_property_the_sarif_report_writes() -> None:
    results, run, listed, summaries = _property_keys()
    assert {"chainHops", "section", "field", "chain"} <= results and "gaps" in summaries
    said = set(re.findall(r"`([^`]+)`", _paragraph("A SARIF result's `properties`")))
    missing = sorted((results | run | listed) - said)
    assert not missing, f"the README's SARIF properties paragraph names no {missing}"
    said = set(re.findall(r"`([^`]+)`", _paragraph("Code scanning rejects a file")))
    assert not summaries - said, f"the README names no summary result property {sorted(summaries - said)}"
