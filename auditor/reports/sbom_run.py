"""What a bill of materials says of the run as a whole, whatever its format (CycloneDX's
``metadata`` properties, SPDX's document annotations): `auditor.reports.sbom` says the rest."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.reports.text import clean_text
from auditor.reports.view import ReportView


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def document_properties(view: ReportView) -> Iterator[tuple[str, str]]:
    """The run: the policy, the gate's options, completeness, headline and exit code."""
    for source in view.policy.sources:
        yield "policy", source
    for table in view.policy.tables:
        yield "policy-table", table
    yield "taint-severity", str(view.policy.taint_severity)
    for status in sorted(verdict.value for verdict in view.gate_options.fail_on):
        yield "fail-on", status
    yield "strict", _boolean(view.gate_options.strict)
    yield "complete", _boolean(view.decision.completeness.complete)
    for reason, count in view.decision.completeness.reasons:
        yield "incomplete", f"{count} {reason}"
    if view.decision.completeness.waived:  # which --strict then does not fail on
        yield "incomplete-waived", str(view.decision.completeness.waived)
    for item in view.run_gaps:
        yield "gap", item.text
    # With its configuration (``file [section]``) and, when it does not block, why (baselined...).
    for item in view.config:
        said = f"{item.fact.subject}: {item.text}" + ("" if item.blocks else f" ({item.reason})")
        yield "config-blocking" if item.blocks else "config", said
    for error in view.errors:
        yield "input-error", str(error)
    yield "headline", view.headline.text
    # Counted apart, as the JSON's ``blocking`` and ``blocking_config``: the headline adds both.
    yield "blocking-count", str(len(view.blocking))
    yield "blocking-config-count", str(len(view.blocking_config))
    yield "waived-count", str(len(view.waived))  # the gate eased by waivers, as the JSON's summary says
    # Stale waivers fail this run (the JSON report's gate.stale_waivers_block is the option).
    if view.decision.stale_blocks:
        yield "blocked-by-stale-waivers", "true"
    # What the waivers and the baseline did as a whole: an expired waiver no longer waives, and a
    # component blocking again says nothing of the waiver that stopped (red team 14).
    yield from (("gate", clean_text(line)) for line in view.gate_notes())
    yield from (("warning", clean_text(warning)) for warning in view.warnings)  # as the JSON lists them
    yield "exit-code", str(int(view.exit_code))
