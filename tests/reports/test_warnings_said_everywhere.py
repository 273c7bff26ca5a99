"""The run's warnings are said by every format that renders the gate's decision, not by the JSON alone.

A project policy file that gives a rule the id of a shipped one replaces it whole: the warning
that says so (`auditor.origin.policy`) is what tells a reviewer why a Citrix package now passes.
Only standard error and the JSON report's ``warnings`` said it: the Markdown a bot posts on the
pull request, the HTML page, SARIF, JUnit, the SBOMs and a table written with ``-o`` (what a CI
job keeps) said "passed" and nothing else, as they said nothing of a mirror read in place of the
baseurl that failed, or a redirect ``--resolve-urls`` could not follow.
"""

from __future__ import annotations

import dataclasses
import html
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from auditor.cli.main import main
from auditor.reports import markdown
from auditor.reports.render import FORMATS
from tests.deps.built import CITRIX, build_repository
from tests.report_cases import audit_of, view_of

WEAKER = """\
[[rule]]
id = "citrix-vendor"
kind = "field"
severity = "high"
fields = ["vendor"]
pattern = "never-matches"
message = "weakened"
"""
SAID = "rule citrix-vendor replaces the one of"
DECISION_FORMATS = ("txt", "md", "json", "sarif", "xml", "html", "cdx.json", "spdx.json", "dot", "graphml")


def test_a_replaced_rule_is_said_by_every_report_of_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = build_repository([{"name": "xl", **CITRIX}], tmp_path / "built")
    policy = tmp_path / "weaker.toml"
    policy.write_text(WEAKER)
    out = {ext: tmp_path / f"r.{ext}" for ext in DECISION_FORMATS}
    outputs = [item for path in out.values() for item in ("-o", str(path))]
    code = main(
        ["scan", "-q", "--no-cache", str(repo), str(repo.parent / "SRPMS"), "--policy", str(policy), *outputs]
    )
    assert code == 0  # what the warning is about: the Citrix package passes
    assert SAID in capsys.readouterr().err
    text = {ext: path.read_text() for ext, path in out.items()}
    assert [SAID in warning for warning in json.loads(text["json"])["warnings"]] == [True]
    assert any(line.startswith("warning: ") and SAID in line for line in text["txt"].splitlines())
    assert f"- `{policy}: rule[0]: {SAID}" in text["md"]
    assert SAID in html.unescape(text["html"].split('id="auditor-data"')[0])
    run = json.loads(text["sarif"])["runs"][0]
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["level"] for n in notifications if SAID in n["message"]["text"]] == ["warning"]
    suite = ET.fromstring(text["xml"]).find("testsuite")
    assert suite is not None
    assert [p.get("name") for p in suite.iter("property") if SAID in (p.get("value") or "")] == ["warning"]
    cyclonedx = json.loads(text["cdx.json"])["metadata"]["properties"]
    assert [p["name"] for p in cyclonedx if SAID in p["value"]] == ["auditor:warning"]
    spdx = json.loads(text["spdx.json"])["annotations"]
    assert [a["comment"].split("=", 1)[0] for a in spdx if SAID in a["comment"]] == ["auditor:warning"]
    # The graphs of a clean run draw no package: the note and the graph's attributes say it.
    dot = text["dot"].splitlines()
    assert [
        line for line in dot if line.startswith("  graph [exitcode=") and SAID in line.split("warnings=")[1]
    ]
    assert [line for line in dot if line.startswith("  verdict [") and f"\\nwarning: {policy}" in line]
    graphml = nx.read_graphml(out["graphml"]).graph
    assert SAID in graphml["warnings"] and SAID in graphml["verdict"]


def test_the_markdown_lists_some_warnings_and_counts_the_rest() -> None:
    """A directory of hard links makes a warning a file: the comment lists some and counts the rest."""
    audit = audit_of([{"name": "fine"}])
    many = [f"p{n}.rpm: the same file as p.rpm; read once" for n in range(markdown.MAX_LISTED + 5)]
    out = FORMATS["markdown"](view_of(dataclasses.replace(audit, warnings=many)))
    assert all(f"- `{line}`" in out for line in many[: markdown.MAX_LISTED])
    assert f"`{many[markdown.MAX_LISTED]}`" not in out
    assert "- ... and 5 more warnings (the JSON report lists them all)" in out


def test_the_check_report_says_the_policy_s_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check's JSON and Markdown, which a bot posts on the pull request, said the comparison's
    warnings and not the policy's: a Citrix package the weakened rule let in read as no change."""
    base = build_repository([{"name": "fine"}], tmp_path / "base")
    new = build_repository([{"name": "xl", **CITRIX}], tmp_path / "new")
    policy = tmp_path / "weaker.toml"
    policy.write_text(WEAKER)
    args = ["check", "-q", "--no-cache", str(new), "--against", str(base), "--policy", str(policy)]
    assert main([*args, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [SAID in warning for warning in document["warnings"]] == [True]
    assert main([*args, "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "**Warnings**" in markdown and f"- `{policy}: rule[0]: {SAID}" in markdown
