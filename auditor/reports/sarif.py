"""SARIF 2.1.0, as GitHub code scanning reads it.

One run. Its driver's ``rules`` hold every policy rule that produced a finding, the four
status rules (``status/depends``, ``status/may-depend``, ``status/build-depends``,
``status/unresolved``) and the gap rule (``status/gap``: evidence not seen). There is one
result per fact of the gate's decision (`auditor.gate.decision`): each piece of origin
evidence, each taint with its chain, each unresolved requirement, each gap. A fact that
does not block because a waiver, the baseline or a policy ``[[allow]]`` accepted it carries
an external suppression with its justification, so code scanning shows it as dismissed
instead of dropping it; a waiver suppresses exactly the facts it matches. Incompleteness, and
each run-level failure (a stale waiver that blocks, an audit of nothing), is also reported as
tool execution notifications. A run of more facts than code scanning shows lists those that
matter first and counts the rest per rule (`auditor.reports.sarif_bound`). No timestamps, no
absolute paths for files under the current directory: the same audit gives the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from auditor.audit.facts import FactKind
from auditor.audit.facttext import finding_text
from auditor.core.errors import ExitCode
from auditor.deps.hops import Hop
from auditor.gate.decision import Disposition
from auditor.origin.findings import Finding
from auditor.reports.chains import shown
from auditor.reports.jsonlines import indented, indented_array
from auditor.reports.rows import FactView, PackageView
from auditor.reports.sarif_bound import (
    Entry,
    Listing,
    entries,
    fact_count,
    listing,
    notification,
    summary_properties,
    summary_result,
)
from auditor.reports.sarif_limits import MAX_RESULTS
from auditor.reports.sarif_rules import fact_level, fact_rule, rules_of
from auditor.reports.text import chain_text, clean_text, json_utf8_text, sarif_text
from auditor.reports.view import ReportView
from auditor.rpm.model import Package

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/auditor-rpm/auditor"
FACT_FINGERPRINT = "auditorFact/v1"
"""The fact's fingerprint (rule, package name, capability), as the JSON report gives it."""


def render(view: ReportView, max_results: int = MAX_RESULTS) -> str:
    return "".join(render_chunks(view, max_results))


def render_chunks(view: ReportView, max_results: int = MAX_RESULTS) -> Iterator[str]:
    """`document`'s ``json.dumps(indent=2, ensure_ascii=False)`` bytes, its results written one
    at a time (`indented_array`): the whole document through the json module's indenting
    encoder took 20 s and 1.3 GB for 63,000 packages. json escapes control characters;
    `_json_clean` writes a file name's byte that is not UTF-8 ``\\xff`` (a lone surrogate) and
    makes what XML cannot carry U+FFFD. ``max_results`` bounds
    the results (`auditor.reports.sarif_bound`; 0: no bound)."""
    run, results = _run(view, max_results)
    yield f'{{\n  "$schema": "{SARIF_SCHEMA}",\n  "version": "{SARIF_VERSION}",\n  "runs": [\n    {{'
    for key in ("tool", "invocations"):
        yield _json_clean(f'\n      "{key}": {indented(run[key], 3, ascii_only=False)},')
    yield "\n      "
    for piece in indented_array("results", results, depth=3, ascii_only=False):
        yield _json_clean(piece)
    yield _json_clean(f',\n      "properties": {indented(run["properties"], 3, ascii_only=False)}')
    yield "\n    }\n  ]\n}\n"


def _json_clean(text: str) -> str:
    return clean_text(json_utf8_text(text))


def document(view: ReportView, max_results: int = MAX_RESULTS) -> dict[str, Any]:
    run, results = _run(view, max_results)
    whole = {"tool": run["tool"], "invocations": run["invocations"], "results": list(results)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{**whole, "properties": run["properties"]}],
    }


def _run(view: ReportView, max_results: int) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The run's tool, invocations and properties, and its results, made as they are read.
    A run of more facts than ``max_results`` lists those that matter first and counts the rest
    (`auditor.reports.sarif_bound`): its properties and a notification say so."""
    rules = rules_of(view)
    rule_index = {rule["id"]: position for position, rule in enumerate(rules)}
    driver = {
        "name": "auditor",
        "version": view.version,
        "semanticVersion": view.version,
        "informationUri": INFORMATION_URI,
        "rules": rules,
    }
    completeness = view.decision.completeness
    listed = listing(entries(view), max_results) if max_results and fact_count(view) > max_results else None
    invocation = _invocation(view)
    properties: dict[str, Any] = {
        "headline": view.headline.state,
        "statuses": view.counts(),
        "categories": view.category_counts(),
        "blocking": len(view.blocking),
        "blockingConfig": len(view.blocking_config),  # the headline counts both, as the JSON's summary
        "waived": len(view.waived),
        "failOn": sorted(verdict.value for verdict in view.gate_options.fail_on),
        "strict": view.gate_options.strict,
        "complete": completeness.complete,
        "incomplete": [{"reason": reason, "count": count} for reason, count in completeness.reasons],
    }
    run = {"tool": {"driver": driver}, "invocations": [invocation], "properties": properties}
    if listed is None:
        return run, _results(view, rule_index)
    invocation["toolExecutionNotifications"].append(notification(listed))
    properties["resultsListed"] = summary_properties(listed)
    return run, _listed_results(listed, view, rule_index)


def _results(view: ReportView, rule_index: dict[str, int]) -> Iterator[dict[str, Any]]:
    for row in view.rows:
        for item in row.facts:
            yield _result(row, item, view, rule_index)
    for item in view.config:
        yield _config_result(item, view, rule_index)


def _listed_results(
    listed: Listing, view: ReportView, rule_index: dict[str, int]
) -> Iterator[dict[str, Any]]:
    """The facts listed, those that matter first, then a summary result per rule of those left out."""
    for entry in listed.listed:
        yield _entry_result(entry, view, rule_index)
    for rule, left_out in listed.summaries().items():
        # Located where the first of them is.
        locations = _entry_result(left_out[0], view, rule_index)["locations"]
        yield summary_result(rule, left_out, listed, rule_index[rule], locations)


def _entry_result(entry: Entry, view: ReportView, rule_index: dict[str, int]) -> dict[str, Any]:
    if entry.row is None:
        return _config_result(entry.item, view, rule_index)
    return _result(entry.row, entry.item, view, rule_index)


# -- results --------------------------------------------------------------------------------


def _result(row: PackageView, item: FactView, view: ReportView, rule_index: dict[str, int]) -> dict[str, Any]:
    fact = item.fact
    package = row.package
    rule_id, severity = fact_rule(item)
    if fact.finding is not None:
        message = _finding_message(package, fact.finding, item, view)
        line = _spec_line(package, fact.finding)
    else:
        line = None
        message = _fact_message(row, item, view)
    ruling = item.ruling
    if ruling.blocks_though_accepted:
        # A fact of a fingerprint the baseline lists, or a waiver with `reaches` matches, that blocks
        # all the same (it reaches one more origin package, or is needed otherwise): its fingerprint
        # is the accepted one's, so the message says why it blocks, as every other format does
        # (red team 36).
        message += f" ({item.reason})"
    data: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": rule_index[rule_id],
        "level": fact_level(item, severity),
        "message": {"text": sarif_text(message)},
        "locations": [_location(package, row.path, line)],
        "partialFingerprints": {FACT_FINGERPRINT: fact.fingerprint},
        "properties": {
            "nevra": package.nevra,
            "status": row.status.value,
            "kind": fact.kind.value,
            "gate": row.gate.value,
            "blocks": item.blocks,
            "disposition": item.disposition.value,
            **({"category": fact.category.value} if fact.category is not None else {}),
            **(
                {"field": fact.finding.field, "value": fact.finding.value, "severity": str(severity)}
                if fact.finding is not None
                else {}
            ),
            **(_chain_properties(fact.chain, view) if fact.chain else {}),
        },
    }
    suppression = _suppression(item, view)
    if suppression is not None:
        data["suppressions"] = [suppression]
    return data


def _config_result(item: FactView, view: ReportView, rule_index: dict[str, int]) -> dict[str, Any]:
    config = item.fact.config
    assert config is not None
    finding = config.finding
    text = f"{item.fact.subject}: {config.key} {config.url}: {finding.message.rstrip('. ')}"
    data: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "level": fact_level(item, finding.severity),
        "message": {"text": sarif_text(text)},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(config.file)}}}],
        "partialFingerprints": {FACT_FINGERPRINT: item.fact.fingerprint},
        "properties": {
            "section": config.section,
            "key": config.key,
            "url": config.url,
            "blocks": item.blocks,
            "disposition": item.disposition.value,
            "category": finding.category.value,
        },
    }
    suppression = _suppression(item, view)
    if suppression is not None:
        data["suppressions"] = [suppression]
    return data


def _finding_message(package: Package, finding: Finding, item: FactView, view: ReportView) -> str:
    text = f"{package.nevra}: {finding.message.rstrip('. ')}. {finding.field}: {finding.value}"
    if finding.inherited_from:
        text += f" (from {finding.inherited_from})"
    if finding.replacement:
        text += f". Replaced in XCP-ng by {finding.replacement}"
    if finding.allowed_by:
        text += f". Allowed by {finding.allowed_by}"
    elif not finding.taints:
        text += f". Evidence only: below the policy's taint severity ({view.policy.taint_severity})"
    return text


def _fact_message(row: PackageView, item: FactView, view: ReportView) -> str:
    fact = item.fact
    nevra = row.package.nevra
    if fact.kind is FactKind.UNRESOLVED:
        return f"{nevra}: {fact.text}"
    if fact.kind is FactKind.GAP:
        return f"{nevra}: evidence not seen: {fact.gap}"
    head = {
        FactKind.DEPENDS: "depends on origin packages",
        FactKind.MAY_DEPEND: "may depend on origin packages (a requirement has tainted and clean providers)",
        FactKind.BUILD_DEPENDS: "cannot be built without origin packages",
    }[fact.kind]
    # One fact per category of origin packages: each says its own, and that category's evidence
    # at the chain's end (as `why` does), or the two alerts of one origin package read the same.
    category = f" ({fact.category.value})" if fact.category is not None else ""
    text = f"{nevra} {head}{category}: {chain_text(row.package, fact.chain, view.packages)}"
    evidence = view.chain_evidence(fact.chain, fact.category)
    if evidence is not None and evidence.fact.finding is not None:
        text += f"; which is origin: {finding_text(evidence.fact.finding)}"
    return text


def _chain_properties(chain: Sequence[Hop], view: ReportView) -> dict[str, Any]:
    """The packages a chain reaches; of a shortened one, those of its first hops and the origin
    package at its end, with its length and the hops left out (`auditor.reports.chains`)."""
    part = shown(chain)
    packages = view.packages
    found: dict[str, Any] = {"chain": [packages[hop.target].nevra for hop in part.head]}
    if part.shortened:
        found["chain"] += [part.note, *(packages[hop.target].nevra for hop in part.end)]
        found["chainHops"] = part.length
        found["chainHopsLeftOut"] = part.left_out
    return found


def _suppression(item: FactView, view: ReportView) -> dict[str, Any] | None:
    disposition = item.disposition
    if disposition is Disposition.ALLOWED:
        allowed_by = item.fact.finding.allowed_by if item.fact.finding is not None else ""
        allow = next((entry for entry in view.policy.allows if entry.id == allowed_by), None)
        justification = f"allowed by {allowed_by}" + (f": {allow.reason}" if allow and allow.reason else "")
    elif disposition is Disposition.WAIVED or disposition is Disposition.BASELINED:
        justification = item.reason
    else:
        return None
    return {"kind": "external", "state": "accepted", "justification": justification}


def _invocation(view: ReportView) -> dict[str, Any]:
    code = view.exit_code
    notifications = [
        {"level": "error", "message": {"text": sarif_text(f"{error.source}: {error.reason}")}}
        for error in view.errors
    ]
    # Unreadable inputs have their own notifications above; say what else was not seen.
    completeness = view.decision.completeness
    unseen = [(reason, n) for reason, n in completeness.reasons if reason != "input-error"]
    if unseen:
        what = ", ".join(f"{count} {reason}" for reason, count in unseen)
        # as every other output says it: --strict set, incomplete and exit 0 is no contradiction
        what += f" ({completeness.waived} accepted by waivers)" if completeness.waived else ""
        notifications.append(
            {
                "level": "error" if code is ExitCode.INPUT else "warning",
                "message": {
                    "text": f"the audit is incomplete: {what}: a clean verdict covers only what was seen"
                },
                "descriptor": {"id": "auditor/incomplete"},
            }
        )
    # Each gap of the inputs: an error when it blocks (``--strict``), as its fact's fingerprint says.
    notifications += [
        {
            "level": "error" if item.blocks else "warning",
            "message": {"text": sarif_text(f"input: {item.fact.gap}")},
            "properties": {"auditorFact/v1": item.fact.fingerprint},
        }
        for item in view.run_gaps
    ]
    notifications += [
        {
            "level": "error",
            "message": {"text": sarif_text(failure.text)},
            "descriptor": {"id": f"auditor/{failure.kind}"},
        }
        for failure in view.run_failures
    ]
    # What the waivers and the baseline did as a whole, as the text formats say it: an expired
    # waiver no longer waives, and its facts' results say only that they block (a stale waiver
    # that blocks is a run failure above).
    stale_blocks = view.decision.stale_blocks
    notifications += [
        {"level": "warning", "message": {"text": sarif_text(line)}, "descriptor": {"id": "auditor/gate"}}
        for line in view.gate_notes()
        if not (stale_blocks and line.startswith("stale waiver"))
    ]
    notifications += [
        {
            "level": "warning",
            "message": {"text": sarif_text(warning)},
            "descriptor": {"id": "auditor/warning"},
        }
        for warning in view.warnings
    ]
    # A run that blocks (findings, or stale waivers that block) ran to its end: its results are
    # whole, so its execution succeeded; only exit 3 says the results cannot be trusted.
    return {
        "executionSuccessful": code is not ExitCode.INPUT,
        "exitCode": int(code),
        "exitCodeDescription": {
            0: "passed",
            1: "blocking findings",
            3: "input error: the audit is incomplete",
        }.get(int(code), code.name.lower()),
        "toolExecutionNotifications": notifications,
    }


# -- locations ------------------------------------------------------------------------------


def _location(package: Package, path: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(path)}}
    if line:
        physical["region"] = {"startLine": line}
    return {
        "physicalLocation": physical,
        "logicalLocations": [{"name": package.nevra, "fullyQualifiedName": package.nevra, "kind": "package"}],
    }


def artifact_uri(path: str) -> str:
    """A relative URI for a path under the current directory (what code scanning maps to the
    repository), a ``file:`` URI for any other local path, a URL as it is."""
    if "://" in path:
        return path
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, os.getcwd())
    if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
        # The file's own bytes, percent-encoded as `Path.as_uri` encodes them below: a name that
        # is not UTF-8 holds surrogates (os.fsdecode) that quote() cannot encode as text.
        return quote(os.fsencode(relative.replace(os.sep, "/")))
    return Path(absolute).as_uri()


def _spec_line(package: Package, finding: Finding) -> int | None:
    """The spec line of a ``sourceN``/``patchN`` finding found on this package's own spec."""
    if finding.inherited_from:
        return None
    for source in package.sources:
        number = "" if source.number is None else str(source.number)
        if f"{source.kind.value}{number}" == finding.field and source.line:
            return source.line
    return None
