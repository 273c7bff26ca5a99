"""A side of a comparison (`auditor.gate.progress`) read from a JSON report an earlier run
wrote (``scan --format json``, schema version 2), so a release manager can compare the last
release's report with today's audit. Everything in the file is checked to the type it must
have: a damaged report is an input error naming it, never an internal one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason
from auditor.core.readlog import config_read
from auditor.gate.options import GateOptions
from auditor.gate.report_regate import (
    Regate,
    ReportSources,
    Waiting,
    as_fact,
    boolean,
    regate,
    report_package,
    ruled,
)
from auditor.gate.sides import FactRecord, PackageRecord, Side, reach_of_records
from auditor.gate.waivers import Waiver
from auditor.rpm.model import EVR

REPORT_SCHEMA_VERSION = 2
"""The JSON report version this reads (`auditor.reports.json_report.SCHEMA_VERSION`)."""


def side_of_report(
    path: str,
    gate: GateOptions | None = None,
    *,
    baseline: bool = False,
    waivers: Sequence[Waiver] = (),
    notes: list[str] | None = None,
) -> Side:
    """A side from a JSON report (``scan --format json``, schema version 2); with ``gate``, its
    facts ruled as that gate rules them (`Regate`), not as written: with no baseline, unless
    ``baseline`` (the comparing run has one: what the report's accepted stays accepted), and
    with the run's ``waivers`` asked of the facts the report did not gate. What the report
    cannot tell them goes to ``notes``, for the run to say."""
    try:
        with open_regular(path, path, "a JSON report") as stream:
            data = stream.read()
        config_read(path, data)  # a stored report is keyed on the bytes compared with
    except OSError as exc:
        raise InputError(path, os_reason(exc)) from None
    laid_out = _laid_out(data)
    if laid_out is not None:
        try:
            return _side(path, *laid_out, gate, baseline, waivers, notes)
        except _NotLaidOut:
            pass  # read whole below, which says what is wrong with it
    try:
        document: Any = json.loads(data)
    except (ValueError, RecursionError):
        # ValueError: bad JSON or bytes, and integers longer than Python converts (4,300 digits).
        raise InputError(path, "not a JSON report") from None
    if not isinstance(document, dict) or "packages" not in document:
        raise InputError(path, "not an auditor JSON report")
    return _side(path, document, document["packages"], gate, baseline, waivers, notes)


_OPENING = b',\n  "packages": ['
"""What `auditor.reports.jsonlines.opening` writes between the report's head and its packages."""
_SEPARATOR = b",\n    "
_CLOSING = b"\n  ]\n}\n"
_CLOSING_EMPTY = b"]\n}\n"


class _NotLaidOut(Exception):
    """A package's line is not one JSON value: the report is read whole instead."""


def _laid_out(data: bytes) -> tuple[dict[str, Any], Iterator[Any]] | None:
    """The report's head, and its packages decoded one at a time, when it is laid out as the
    auditor writes it (`auditor.reports.jsonlines`: the head indented, then one package a line,
    the last key); None for any other layout, which is read whole.

    A distribution's report read whole held every package's objects at once: 783 MB to compare
    two reports of distro-60k. One line at a time, each package is made into the records the
    comparison keeps and let go. It means what the whole document means: a raw line break
    cannot be inside a JSON string, so each separator is one; the head holds no other
    ``packages``; and a line that is no JSON value sends the whole file to the whole reading."""
    cut = data.find(_OPENING)
    if cut < 0 or not data.startswith(b"{") or data[1:2] == b"\x00":
        return None  # a second byte 0 is UTF-16 or UTF-32 to the whole reading
    try:
        head = json.loads(_text(data[:cut] + b"\n}"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(head, dict) or "packages" in head:
        return None
    start = cut + len(_OPENING)
    if data.endswith(_CLOSING_EMPTY) and start == len(data) - len(_CLOSING_EMPTY):
        return head, iter(())
    if not data.endswith(_CLOSING) or not data.startswith(b"\n    ", start):
        return None
    return head, _packages(data, start + len(b"\n    "), len(data) - len(_CLOSING))


def _packages(data: bytes, start: int, end: int) -> Iterator[Any]:
    while True:
        stop = data.find(_SEPARATOR, start, end)
        try:
            yield json.loads(_text(data[start : end if stop < 0 else stop]))
        except (ValueError, RecursionError):
            raise _NotLaidOut from None
        if stop < 0:
            return
        start = stop + len(_SEPARATOR)


def _text(piece: bytes) -> str:
    """A piece of the report decoded as the whole reading decodes the whole file (UTF-8, as
    `json.loads` takes bytes that begin with ``{`` and no 0). Given bytes, `json.loads` would
    guess each piece's encoding anew: a line in UTF-16, or after a UTF-8 byte-order mark, was
    read here while the whole file is no JSON."""
    return piece.decode("utf-8", "surrogatepass")


def _side(
    path: str,
    document: dict[str, Any],
    items: Iterable[Any],
    options: GateOptions | None,
    baseline: bool,
    waivers: Sequence[Waiver] = (),
    notes: list[str] | None = None,
) -> Side:
    """The side of a report whose head is ``document`` and whose packages are ``items``."""
    version = document.get("schema_version")
    if version != REPORT_SCHEMA_VERSION:
        raise InputError(
            path,
            f"report schema version {repr(version)[:40]}; this auditor compares version "
            f"{REPORT_SCHEMA_VERSION} (run `auditor scan --format json` again)",
        )
    try:
        gate = regate(document, options, baseline, waivers)
        packages: dict[tuple[str, str], list[PackageRecord]] = {}
        waiting: list[tuple[list[PackageRecord], int, Waiting]] = []
        sources = ReportSources()
        for item in items:
            sources.add(item)
            made = _package_record(item, gate)
            # A waiver's `versions` of a subpackage matched through its source's name read the
            # source package's version, which may come later in the report.
            record = made.record if isinstance(made, Waiting) else made
            kept = packages.setdefault((record.name, record.arch), [])
            if isinstance(made, Waiting):
                waiting.append((kept, len(kept), made))
            kept.append(record)
        for kept, index, asked in waiting:
            assert gate is not None
            facts = gate.waive(asked, sources.found)
            kept[index] = ruled(replace(asked.record, facts=facts), asked.written, gate)
        run_facts = tuple(_fact_record(fact, "input", gate) for fact in document["completeness"]["gaps"])
        run_facts += tuple(_config_record(item, gate) for item in document.get("config_findings", ()))
        blocking = _blocking_facts(packages, run_facts)
        audited = int(document["summary"]["audited"])
        incomplete = str(document["completeness"]["summary"])
        reasons = document["completeness"]["reasons"]
        unaccepted = sum(int(item["count"]) for item in reasons) - int(
            document["completeness"].get("waived", 0)
        )
        # The origin packages read but not audited, by name (a NEVRA's name: all before its
        # last two dashes).
        origins = frozenset(
            str(item["nevra"]).rsplit("-", 2)[0] for item in document.get("unaudited_origins", ())
        )
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, RecursionError) as exc:
        # Any value of the wrong type or size (a list for a package, an infinite epoch) is the
        # report's fault: an input error, never an internal one.
        raise InputError(path, f"malformed report ({type(exc).__name__}: {str(exc)[:200]})") from None
    if not audited:
        raise InputError(path, "the report audited no package: an audit of nothing is no release to compare")
    errors = document.get("errors")
    if errors:
        # As a side audited here would be refused for its first unreadable input: a release
        # whose audit could not read a package is no release to compare (its packages would
        # count as gone, and their blocking facts as fixed).
        if not isinstance(errors, list) or not isinstance(errors[0], dict):
            raise InputError(path, "malformed report (errors is not a list of objects)")
        said = f"{errors[0].get('input')}: {errors[0].get('message')}"
        raise InputError(path, f"its audit could not read {len(errors)} input(s); the first: {said[:300]}")
    if gate is not None and gate.unknown_reach and notes is not None:
        ids = ", ".join(dict.fromkeys(gate.unknown_reach))
        notes.append(
            f"{path}: {len(gate.unknown_reach)} taint(s) the report did not gate, matched by a waiver "
            f"with reaches ({ids}), are not accepted: the report records what a taint reaches only "
            "where it gated it (scan that release again under this --fail-on)"
        )
    present = frozenset(name for name, _arch in packages)
    return Side(
        {key: tuple(records) for key, records in packages.items()},
        present,
        run_facts,
        blocking,
        incomplete,
        reach_of_records(packages),
        unaccepted,
        origins,
    )


def _package_record(item: dict[str, Any], gate: Regate | None) -> PackageRecord | Waiting:
    """The report's package ``item`` ruled again, or, when a fact of it is to be asked of the
    run's waivers, what they need to rule it once the report's source packages are known."""
    name = str(item["name"])
    epoch = item.get("epoch")
    evr = EVR(int(epoch) if epoch is not None else None, str(item["version"]), str(item["release"]))
    facts = tuple(_fact_record(fact, name, gate) for fact in item["facts"])
    status = str(item["status"])
    statuses = _statuses(item.get("statuses", [status]))
    label = item.get("label", "")  # written only where another package has its NEVRA
    if not isinstance(label, str):
        raise TypeError(f"label is {type(label).__name__}, not a string")
    record = PackageRecord(name, str(item["arch"]), str(item["nevra"]), evr, status, statuses, facts, label)
    written = tuple(boolean(fact["blocks"], "blocks") for fact in item["facts"])
    if gate is not None and gate.waivers is not None:
        asked = tuple(
            (position, as_fact(fact, written_fact))
            for position, (fact, written_fact) in enumerate(zip(facts, item["facts"], strict=True))
            if fact.blocks and written_fact.get("disposition") == "not-gated"
        )
        if asked:
            return Waiting(record, written, report_package(item, evr), asked)
    return ruled(record, written, gate)


def _statuses(value: Any) -> tuple[str, ...]:
    """A package's ``statuses``, worst first: a non-empty list, as every package has a status
    (a string would be read a character at a time, and an empty list leaves a package ruled
    again with no status to show)."""
    if not isinstance(value, list):
        raise TypeError(f"statuses is {type(value).__name__}, not a list")
    if not value:
        raise ValueError("statuses is empty")
    return tuple(str(status) for status in value)


def _blocking_facts(
    packages: dict[tuple[str, str], list[PackageRecord]], run_facts: tuple[FactRecord, ...]
) -> int:
    """How many facts block in the report, counted from the facts the comparison reads.

    The count before and the facts that block now but did not before are both shown from one
    report: taken from its summary, a report whose facts say otherwise (edited, or pieced
    together) had the page say "no change" beside 33 facts newly blocking.
    """
    counted = sum(fact.blocks for records in packages.values() for record in records for fact in record.facts)
    return counted + sum(fact.blocks for fact in run_facts)


def _fact_record(fact: dict[str, Any], subject: str, gate: Regate | None = None) -> FactRecord:
    reaches = fact.get("reaches")
    blocks = boolean(fact["blocks"], "blocks")
    if gate is not None:
        blocks = gate.blocks(str(fact["kind"]), fact.get("disposition"), blocks)
    return FactRecord(
        str(fact["fingerprint"]),
        str(fact["kind"]),
        str(fact["rule"]),
        subject,
        str(fact["capability"]),
        str(fact["text"]),
        blocks,
        str(fact.get("ends_at", "")),
        _names(reaches) if reaches is not None else None,
    )


def _config_blocks(item: dict[str, Any], gate: Regate | None) -> bool:
    blocks = boolean(item["blocks"], "blocks")
    return gate.blocks("origin", item.get("disposition"), blocks) if gate is not None else blocks


def _names(value: Any) -> frozenset[str]:
    if not isinstance(value, list):
        raise TypeError(f"reaches is {type(value).__name__}, not a list")
    return frozenset(str(name) for name in value)


def _config_record(item: dict[str, Any], gate: Regate | None) -> FactRecord:
    subject = f"{item['file']} [{item['section']}]" if item["section"] else str(item["file"])
    return FactRecord(
        str(item["fingerprint"]),
        "origin",
        str(item["rule"]),
        subject,
        str(item["capability"]),
        f"[{item['rule']}] {item['key']}: {item['url']}",
        _config_blocks(item, gate),
    )
