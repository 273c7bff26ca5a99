"""What each output says about the gate's decision, read back: `READERS`, a reader per format
(`auditor.reports.render.FORMATS`), each taking the blocking set and the exit code the output
states (test_one_verdict, test_one_verdict_random)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
from packageurl import PackageURL

from auditor.reports.view import ReportView


@dataclass(frozen=True)
class Said:
    """What one output says about the decision; None where the format does not say."""

    exit_code: int | None
    blocking: set[str] | None
    """NEVRAs of the packages it shows as blocking."""
    facts: dict[str, bool] | None = None
    """Fingerprint -> blocks, where the format shows facts one by one."""


def _table(text: str, view: ReportView) -> Said:
    # A row is named by its label where another audited package has its NEVRA (`name_of`).
    blocking = {
        row.package.nevra
        for row in view.rows
        if re.search(rf"^{re.escape(view.name_of(row.index))}\s+\S+ \*", text, re.M)
    }
    return Said(None, blocking)


def _json(text: str, view: ReportView) -> Said:
    document = json.loads(text)
    facts = {fact["fingerprint"]: fact["blocks"] for p in document["packages"] for fact in p["facts"]}
    facts.update({f["fingerprint"]: f["blocks"] for f in document.get("config_findings", [])})
    facts.update({f["fingerprint"]: f["blocks"] for f in document["completeness"]["gaps"]})
    blocking = {p["nevra"] for p in document["packages"] if p["blocking"]}
    assert blocking == {p["nevra"] for p in document["packages"] if any(f["blocks"] for f in p["facts"])}
    return Said(document["summary"]["exit_code"], blocking, facts)


def _sarif(text: str, view: ReportView) -> Said:
    run = json.loads(text)["runs"][0]
    facts: dict[str, bool] = {}
    blocking: set[str] = set()
    for result in run["results"]:
        blocks = result["level"] == "error" and "suppressions" not in result
        facts[result["partialFingerprints"]["auditorFact/v1"]] = blocks
        if blocks and "nevra" in result["properties"]:
            blocking.add(result["properties"]["nevra"])
    for notification in run["invocations"][0]["toolExecutionNotifications"]:
        if "auditorFact/v1" in notification.get("properties", {}):  # a gap of the inputs
            facts[notification["properties"]["auditorFact/v1"]] = notification["level"] == "error"
    return Said(run["invocations"][0]["exitCode"], blocking, facts)


def _junit(text: str, view: ReportView) -> Said:
    suite = ET.fromstring(text).find("testsuite")
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    # A test case is named by its row's label where another audited package has its NEVRA.
    audited = {view.name_of(row.index): row.package.nevra for row in view.rows}
    failed = {case.get("name", "") for case in suite.iter("testcase") if case.find("failure") is not None}
    return Said(int(properties["exit-code"] or -1), {audited[name] for name in failed if name in audited})


def _markdown(text: str, view: ReportView) -> Said:
    # A row is named by its label where another audited package has its NEVRA.
    audited = {view.name_of(row.index): row.package.nevra for row in view.rows}
    named = re.findall(rf"^\| {CODE_SPAN} \| \*\*[a-z-]+\*\* \(blocking\) \|", text, re.M)
    blocking = {audited.get(name, name) for name in map(table_code, named)}
    code = re.search(r"exit code (\d+)\.", text)
    assert code is not None
    return Said(int(code.group(1)), blocking)


CODE_SPAN = r"((`+) ?.*? ?\2)"
"""A Markdown code span in a table cell (`auditor.reports.text.code_span`): its fence one
backtick longer than any run inside, padded with a space where the text starts or ends with one."""


def table_code(match: tuple[str, ...]) -> str:
    """The text of a `CODE_SPAN` matched in a table cell: fence, padding and ``\\|`` undone."""
    span, fence = match[0], match[1]
    text = span[len(fence) : -len(fence)]
    if text.startswith(" ") and text.endswith(" ") and text.strip(" "):
        text = text[1:-1]
    return text.replace("\\|", "|")


def _html(text: str, view: ReportView) -> Said:
    data = re.search(r'<script type="application/json" id="auditor-data">(.*?)</script>', text, re.S)
    assert data is not None
    packages = json.loads(data.group(1))["packages"]
    code = re.search(r"exit code (\d+)</p>", text)
    assert code is not None
    # The page's rows are named by their label where another audited package has its NEVRA.
    audited = {view.name_of(row.index): row.package.nevra for row in view.rows}
    return Said(
        int(code.group(1)), {audited.get(p["nevra"], p["nevra"]) for p in packages if p["gate"] == "blocking"}
    )


def _dot(text: str, view: ReportView) -> Said:
    nodes = re.findall(r"^  n\d+ \[(.*)\];$", text, re.M)
    blocking = {
        # a DOT string: its quotes and backslashes escaped (`auditor.reports.dot.quote`)
        re.sub(r"\\(.)", r"\1", re.search(r'nevra="((?:[^"\\]|\\.)*)"', node).group(1))  # type: ignore[union-attr]
        for node in nodes
        if 'gate="blocking"' in node
    }
    return Said(None, blocking)


def _graphml(text: str, view: ReportView) -> Said:
    graph = nx.parse_graphml(text)
    return Said(None, {data["nevra"] for _, data in graph.nodes(data=True) if data.get("gate") == "blocking"})


def _cyclonedx(text: str, view: ReportView) -> Said:
    document = json.loads(text)
    run = {p["name"]: p["value"] for p in document["metadata"]["properties"]}
    blocking = set()
    for component in document["components"]:
        properties = {(p["name"], p["value"]) for p in component.get("properties", [])}
        if ("auditor:blocking", "true") in properties:
            blocking.add(_nevra(PackageURL.from_string(component["purl"])))
    return Said(int(run["auditor:exit-code"]), blocking)


def _nevra(purl: PackageURL) -> str:
    qualifiers = purl.qualifiers
    assert isinstance(qualifiers, dict)
    epoch = f"{qualifiers['epoch']}:" if "epoch" in qualifiers else ""
    return f"{purl.name}-{epoch}{purl.version}.{qualifiers['arch']}"


def _spdx(text: str, view: ReportView) -> Said:
    document = json.loads(text)
    run = dict(a["comment"].split("=", 1) for a in document["annotations"])
    blocking = set()
    for package in document["packages"]:
        if any(a["comment"] == "auditor:blocking=true" for a in package.get("annotations", [])):
            [purl] = [r["referenceLocator"] for r in package["externalRefs"] if r["referenceType"] == "purl"]
            blocking.add(_nevra(PackageURL.from_string(purl)))
    return Said(int(run["auditor:exit-code"]), blocking)


def _no_decision(text: str, view: ReportView) -> Said:
    """The package inventory and model show what was read, not what the gate decided."""
    assert "blocking" not in text and "waived" not in text
    return Said(None, None)


READERS: dict[str, Callable[[str, ReportView], Said]] = {
    "table": _table,
    "json": _json,
    "sarif": _sarif,
    "junit": _junit,
    "markdown": _markdown,
    "html": _html,
    "dot": _dot,
    "graphml": _graphml,
    "cyclonedx": _cyclonedx,
    "spdx": _spdx,
    "inventory": _no_decision,
    "model": _no_decision,
}
