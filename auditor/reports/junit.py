"""JUnit XML, as GitLab, Jenkins and most CI systems show test reports.

One ``testsuite`` named ``auditor``. Each audited package is a ``testcase`` (``classname`` is
its status, ``name`` its row's label: its NEVRA, with its input or file when another audited
package has that NEVRA, or marked as a spec's, since a CI system takes two cases of one name
for one): it fails when any of its facts blocks (the message names them), is skipped when
nothing blocks and a waiver accepted what would have, and passes otherwise (a flagged package
says why in ``system-out``). Each configured repository URL on
a policy host and each gap of the inputs is a test case too, each input that could not be
read an ``error``, and so is each run-level failure (`RunFailure`): a stale waiver when stale
waivers block fails, an audit of nothing errs. Suite properties say whether the audit is
complete. No timestamps and no durations, so the same audit gives the same bytes.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from auditor.core.errors import ExitCode
from auditor.reports.failures import RunFailure
from auditor.reports.jsonlines import SPOOL_PIECE
from auditor.reports.rows import FactView, Gate, PackageView
from auditor.reports.text import clean_text
from auditor.reports.view import ReportView
from auditor.reports.why import explanation

SUITE = "auditor"


def render(view: ReportView) -> str:
    return "".join(render_chunks(view))


_CASES_HERE = "auditor-cases-here"
"""An element that stands for the test cases in the document's skeleton: its text is cut there."""


def render_chunks(view: ReportView) -> Iterator[str]:
    """The document in pieces of about `SPOOL_PIECE` characters, a test case made and written at a
    time: the whole tree of distro-60k's 63,000 cases, and the list of small strings
    `ET.tostring` joins, raised the run's peak from 276 MB (the table's) to 509 MB. The bytes are
    those of the whole tree indented by `ET.indent`."""
    cases = _cases(view)
    rows = view.rows
    failures = sum(1 for row in rows if row.blocking)
    failures += sum(1 for item in (*view.config, *view.run_gaps) if item.blocks)
    failures += sum(1 for failure in view.run_failures if failure.exit_code is not ExitCode.INPUT)
    errors = len(view.errors) + sum(1 for failure in view.run_failures if failure.exit_code is ExitCode.INPUT)
    tests = len(rows) + len(view.config) + len(view.run_gaps) + len(view.errors) + len(view.run_failures)
    counts = {
        "tests": str(tests),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(sum(1 for row in rows if row.gate is Gate.WAIVED)),
    }
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    _properties(ET.SubElement(suite, "properties"), view)
    if tests:
        ET.SubElement(suite, _CASES_HERE)
    ET.indent(root, space="  ")
    skeleton = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    if not tests:
        yield skeleton
        return
    before, after = skeleton.split(f"<{_CASES_HERE} />")
    pending, size = [before], len(before)
    while batch := tuple(itertools.islice(cases, _INDENTED_AT_ONCE)):
        if size >= SPOOL_PIECE:  # before a batch: the last piece holds the last case
            yield "".join(pending)
            pending.clear()
            size = 0
        for case in _indented(batch):
            # Every case followed by the next's indentation: the last one's is cut below, where
            # the stand-in's own follows it.
            case.tail = _BETWEEN_CASES
            pending.append(ET.tostring(case, encoding="unicode"))
            size += len(pending[-1])
    yield "".join(pending).removesuffix(_BETWEEN_CASES) + after


_BETWEEN_CASES = "\n    "
"""What `ET.indent` puts between two cases of the whole tree."""

_INDENTED_AT_ONCE = 256
"""Cases `ET.indent` indents in one call. Each call leaves a reference cycle (its recursive
inner function holds itself) that only the cyclic collector frees, and the run pauses it
(`auditor.cli.process.collector_paused`): a call a case kept 44 MB on distro-60k."""


def _cases(view: ReportView) -> Iterator[ET.Element]:
    yield from (_testcase(row, view) for row in view.rows)
    yield from (_run_fact_case("configuration", item) for item in view.config)
    yield from (_run_fact_case("input", item) for item in view.run_gaps)
    yield from (_error_case(error.source, error.reason) for error in view.errors)
    yield from (_run_failure_case(failure) for failure in view.run_failures)


def _indented(cases: tuple[ET.Element, ...]) -> tuple[ET.Element, ...]:
    """``cases`` indented as `ET.indent` indents them in the whole tree (children of the suite,
    two levels down)."""
    holder = ET.Element("suite")
    holder.extend(cases)
    ET.indent(holder, space="  ", level=1)
    return cases


def _properties(properties: ET.Element, view: ReportView) -> None:
    completeness = view.decision.completeness
    for name, value in (
        ("auditor.version", view.version),
        ("fail-on", ",".join(sorted(verdict.value for verdict in view.gate_options.fail_on))),
        ("strict", str(view.gate_options.strict).lower()),
        ("exit-code", str(int(view.exit_code))),
        ("headline", view.headline.state),
        ("complete", str(completeness.complete).lower()),
        *((f"incomplete.{reason}", str(count)) for reason, count in completeness.reasons),
        # the gaps waivers accepted, which --strict then does not fail on (no gap kind is "waived")
        *((("incomplete.waived", str(completeness.waived)),) if completeness.waived else ()),
        *((f"status.{status}", str(count)) for status, count in view.counts().items()),
        *((f"category.{category}", str(count)) for category, count in view.category_counts().items()),
        # What the waivers and the baseline did as a whole (an expired waiver no longer waives),
        # as the text formats say it: a failing test case alone does not say its waiver expired.
        *(("gate", clean_text(line)) for line in view.gate_notes()),
        # The run's warnings, which standard error says too (a policy rule replaced whole).
        *(("warning", clean_text(warning)) for warning in view.warnings),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": value})


def _testcase(row: PackageView, view: ReportView) -> ET.Element:
    case = ET.Element("testcase", {"classname": row.status.value, "name": clean_text(row.label)})
    details = clean_text("\n".join(explanation(row, view, whole=False)))
    if row.gate is Gate.BLOCKING:
        # Typed by what blocks: the summary status when a fact of it blocks (`why` names every
        # other kind that does), else the first kind that blocks. A package whose one blocking
        # fact is a gap under --strict has the status `clean`, or one a waiver accepted.
        kinds = [item.fact.kind.value for item in row.facts if item.blocks]
        blocks = row.status.value if row.status.value in kinds else kinds[0]
        failure = ET.SubElement(case, "failure", {"message": clean_text(row.why), "type": blocks})
        failure.text = details
    elif row.gate is Gate.WAIVED:
        # A package whose one accepted fact is a gap has no why (a gap is no status): the facts,
        # as a failing case holds them, say what was accepted (the message alone said nothing).
        why = f": {row.why}" if row.why else ""
        message = f"{row.status.value}, waived by {', '.join(row.waivers)}{why}"
        ET.SubElement(case, "skipped", {"message": clean_text(message)}).text = details
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
