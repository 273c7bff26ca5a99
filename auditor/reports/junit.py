"""JUnit XML, as GitLab, Jenkins and most CI systems show test reports.

One ``testsuite`` named ``auditor`` with one ``testcase`` per audited package (``classname``
is the status, ``name`` the NEVRA): a blocking package fails, a waived one is skipped with
the waivers named, every other one passes (a flagged one says why in ``system-out``). An
input that could not be read is a test case with an ``error``: the audit is incomplete.
No timestamps and no durations, so the same audit gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from auditor import __version__
from auditor.audit.pipeline import AuditResult, PackageResult
from auditor.origin.findings import Verdict
from auditor.reports.view import clean_text, explanation, gate, reason, verdicts_by_index

SUITE = "auditor"


def render(audit: AuditResult) -> str:
    verdicts = verdicts_by_index(audit)
    cases = [_testcase(result, audit, verdicts) for result in audit.results]
    cases.extend(_error_case(error.source, error.reason) for error in audit.errors)
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(1 for result in audit.results if gate(result) == "blocking")),
        "errors": str(len(audit.errors)),
        "skipped": str(sum(1 for result in audit.results if gate(result) == "waived")),
    }
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("auditor.version", __version__),
        ("fail-on", ",".join(sorted(verdict.value for verdict in audit.options.fail_on))),
        ("exit-code", str(int(audit.exit_code()))),
        *((f"status.{status}", str(count)) for status, count in audit.counts().items()),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    suite.extend(cases)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(result: PackageResult, audit: AuditResult, verdicts: dict[int, Verdict]) -> ET.Element:
    case = ET.Element(
        "testcase", {"classname": result.verdict.value, "name": clean_text(result.package.nevra)}
    )
    state = gate(result)
    why = clean_text(reason(result, audit))
    details = clean_text("\n".join(explanation(result, audit, verdicts)))
    if state == "blocking":
        failure = ET.SubElement(case, "failure", {"message": why, "type": result.verdict.value})
        failure.text = details
    elif state == "waived":
        message = f"{result.verdict.value}, waived by {', '.join(result.waived_by)}: {why}"
        ET.SubElement(case, "skipped", {"message": clean_text(message)})
    elif result.verdict is not Verdict.CLEAN or result.findings:
        output = ET.SubElement(case, "system-out")
        output.text = details
    return case


def _error_case(source: str, message: str) -> ET.Element:
    case = ET.Element("testcase", {"classname": "input", "name": clean_text(source)})
    error = ET.SubElement(case, "error", {"message": clean_text(message), "type": "input-error"})
    error.text = clean_text(f"{source}: {message}; the audit is incomplete")
    return case
