"""JUnit XML, as GitLab, Jenkins and most CI systems show test reports.

One ``testsuite`` named ``auditor``. Each audited package is a ``testcase`` (``classname`` is
its status, ``name`` its NEVRA): it fails when any of its facts blocks (the message names
them), is skipped when nothing blocks and a waiver accepted what would have, and passes
otherwise (a flagged package says why in ``system-out``). Each configured repository URL on
a policy host and each gap of the inputs is a test case too, each input that could not be
read an ``error``, and so is each run-level failure (`RunFailure`): a stale waiver when stale
waivers block fails, an audit of nothing errs. Suite properties say whether the audit is
complete. No timestamps and no durations, so the same audit gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from auditor.core.errors import ExitCode
from auditor.reports.failures import RunFailure
from auditor.reports.rows import FactView, Gate, PackageView
from auditor.reports.text import clean_text
from auditor.reports.view import ReportView
from auditor.reports.why import explanation

SUITE = "auditor"


def render(view: ReportView) -> str:
    cases = [_testcase(row, view) for row in view.rows]
    cases += [_run_fact_case("configuration", item) for item in view.config]
    cases += [_run_fact_case("input", item) for item in view.run_gaps]
    cases += [_error_case(error.source, error.reason) for error in view.errors]
    cases += [_run_failure_case(failure) for failure in view.run_failures]
    failures = sum(1 for row in view.rows if row.blocking)
    failures += sum(1 for item in (*view.config, *view.run_gaps) if item.blocks)
    failures += sum(1 for failure in view.run_failures if failure.exit_code is not ExitCode.INPUT)
    errors = len(view.errors) + sum(1 for failure in view.run_failures if failure.exit_code is ExitCode.INPUT)
    counts = {
        "tests": str(len(cases)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(sum(1 for row in view.rows if row.gate is Gate.WAIVED)),
    }
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    properties = ET.SubElement(suite, "properties")
    completeness = view.decision.completeness
    for name, value in (
        ("auditor.version", view.version),
        ("fail-on", ",".join(sorted(verdict.value for verdict in view.gate_options.fail_on))),
        ("strict", str(view.gate_options.strict).lower()),
        ("exit-code", str(int(view.exit_code))),
        ("headline", view.headline.state),
        ("complete", str(completeness.complete).lower()),
        *((f"incomplete.{reason}", str(count)) for reason, count in completeness.reasons),
        *((f"status.{status}", str(count)) for status, count in view.counts().items()),
        *((f"category.{category}", str(count)) for category, count in view.category_counts().items()),
        # What the waivers and the baseline did as a whole (an expired waiver no longer waives),
        # as the text formats say it: a failing test case alone does not say its waiver expired.
        *(("gate", clean_text(line)) for line in view.gate_notes()),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    suite.extend(cases)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(row: PackageView, view: ReportView) -> ET.Element:
    case = ET.Element("testcase", {"classname": row.status.value, "name": clean_text(row.package.nevra)})
    details = clean_text("\n".join(explanation(row, view, whole=False)))
    if row.gate is Gate.BLOCKING:
        # The summary status is a blocking one, and `why` names every other kind that blocks.
        failure = ET.SubElement(case, "failure", {"message": clean_text(row.why), "type": row.status.value})
        failure.text = details
    elif row.gate is Gate.WAIVED:
        message = f"{row.status.value}, waived by {', '.join(row.waivers)}: {row.why}"
        ET.SubElement(case, "skipped", {"message": clean_text(message)})
    elif row.facts:
        output = ET.SubElement(case, "system-out")
        output.text = details
    return case


def _run_fact_case(classname: str, item: FactView) -> ET.Element:
    case = ET.Element(
        "testcase", {"classname": classname, "name": clean_text(f"{item.fact.subject}: {item.text}")}
    )
    if item.blocks:
        failure = ET.SubElement(
            case, "failure", {"message": clean_text(item.text), "type": item.fact.kind.value}
        )
        failure.text = clean_text(item.reason)
    else:
        output = ET.SubElement(case, "system-out")
        output.text = clean_text(item.reason)
    return case


def _run_failure_case(failure: RunFailure) -> ET.Element:
    case = ET.Element("testcase", {"classname": failure.kind, "name": clean_text(failure.subject)})
    # An audit that cannot be trusted is an error, as an unreadable input is; one that blocks fails.
    element = "error" if failure.exit_code is ExitCode.INPUT else "failure"
    ET.SubElement(case, element, {"message": clean_text(failure.text), "type": failure.kind})
    return case


def _error_case(source: str, message: str) -> ET.Element:
    case = ET.Element("testcase", {"classname": "input", "name": clean_text(source)})
    error = ET.SubElement(case, "error", {"message": clean_text(message), "type": "input-error"})
    error.text = clean_text(f"{source}: {message}; the audit is incomplete")
    return case
