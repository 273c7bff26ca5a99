"""One verdict on random audits: every output renders the gate's one decision, whatever it is.

test_one_verdict holds every format (`auditor.reports.render.FORMATS`) to the decision on one
fixed audit: it finds what its author thought of. Here a seeded generator (`random.Random`)
draws universes of 5-25 packages (binaries and sources, Citrix and proprietary evidence, a
URL on a host the policy notes below the taint severity, requirements between them and ones
nothing provides, gaps of every kind of a package and of the inputs, two copies of one NEVRA,
names holding ``<``, ``&``, ``"``, ``]]>``, non-ASCII letters or 200 characters) and gate
set-ups (waivers of a package, a rule, a status, a category or a gap kind, some expired, some
stale; a baseline of a random subset of the facts, with entries fixed since; policy allows;
``--strict``; ``--fail-on`` subsets; stale waivers that block; ``--roots``). Each audit is
rendered in every format, and each output must say what the decision says: the blocking set
and the exit code (`tests.reports.verdict_readers`), no blocking package shown with another
status, every gap the decision counts named or counted, and the counts the JSON report gives.
"""

from __future__ import annotations

import dataclasses
import datetime
import html
import json
import random
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pytest
from packageurl import PackageURL

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.audit.result import AuditResult
from auditor.cli.commands.baseline import _entry
from auditor.core.errors import InputError
from auditor.gate.baseline import Baseline, BaselineEntry, needed
from auditor.gate.decision import Disposition
from auditor.gate.options import GateOptions
from auditor.gate.waivers import Waiver, load_waivers
from auditor.origin.findings import DEFAULT_FAIL_ON, Verdict
from auditor.origin.policy import load_policy
from auditor.reports import markdown
from auditor.reports.render import FORMATS, render_pieces
from auditor.reports.view import ReportView
from auditor.rpm.gaps import Gap, GapKind
from auditor.sources.interface import ConfigUrl, LoadResult
from tests.report_cases import CITRIX, NOTED, TODAY, view_of
from tests.reports.verdict_readers import CODE_SPAN, READERS, _nevra, table_code
from tests.universe import universe

SEEDS = range(100)
SIZES = (5, 25)
"""How many packages a universe draws (more only to explore by hand: the run stays short)."""
ODD = (
    "lt<gt",
    "amp&er",
    'qu"ote',
    "cd]]>ata",
    "ünïcødé-ß",
    "l" + "o" * 200 + "ng",
    "bq`tick",
    "pi|pe",
    "sc</script>x",
)
"""Name parts each format must escape (or carry as they are) and still be read back."""
INPUT_KINDS = tuple(
    kind
    for kind in GapKind
    if kind.value
    in {"empty-input", "file-outside-metadata", "file-missing", "url-not-followed", "repository-not-read"}
)
PACKAGE_KINDS = tuple(
    kind for kind in GapKind if list(GapKind).index(kind) < list(GapKind).index(GapKind.NOTHING_AUDITED)
)
DECIDING = sorted(set(FORMATS) - {"inventory", "model"})
"""The formats that render the gate's decision (the inventory and the model show what was read)."""


@dataclass(frozen=True)
class Case:
    specs: list[dict[str, Any]]
    run_gaps: list[Gap]
    allows: list[dict[str, Any]]
    roots: tuple[str, ...]
    seed: int
    context: tuple[dict[str, Any], ...] = ()
    """Packages read for their capabilities, not audited (a Citrix one among them, now and then)."""
    config: tuple[ConfigUrl, ...] = ()
    """Repository URLs the inputs configure: on a Citrix host they block, or not when disabled."""
    errors: tuple[InputError, ...] = ()


def _name(rng: random.Random, index: int) -> str:
    if rng.random() < 0.2:
        return f"{rng.choice(ODD)}{index}"
    return f"p{index}"


def _detail(rng: random.Random, token: str) -> str:
    """A gap's detail: a token no format changes, and now and then what each must escape."""
    return token + (f" {rng.choice(ODD)}" if rng.random() < 0.3 else "")


def draw(seed: int) -> Case:
    rng = random.Random(seed)
    count = rng.randint(*SIZES)
    # A tidy run now and then: every binary's source package in it, few gaps of packages, so
    # that what the inputs left unseen, a stale waiver or a narrow --fail-on decides alone.
    tidy = rng.random() < 0.35
    specs: list[dict[str, Any]] = [{"name": "base", "arch": "src", "evr": "1.0-1"}] if tidy else []
    sources: list[str] = ["base-1.0-1.src.rpm"] if tidy else []
    for index in range(count):
        spec: dict[str, Any] = {"name": _name(rng, index), "provides": [f"cap{index}"]}
        spec["evr"] = rng.choice(["1.0-1", "2:1.5-3", "0.9-0.rc1"])
        if rng.random() < 0.25:
            spec["arch"] = "src"
            sources.append(f"{spec['name']}-{spec['evr'].split(':')[-1]}.src.rpm")
        else:
            spec["arch"] = rng.choice(["noarch", "x86_64"])
        if rng.random() < 0.15:
            spec["vendor"] = CITRIX["vendor"] + rng.choice(["", " " + rng.choice(ODD)])
        if rng.random() < 0.1:
            spec["license"] = "Proprietary"
        if rng.random() < 0.1:
            spec["url"] = rng.choice(["https://noted.example/a.tar.gz", "https://www.citrix.com/x.tar.gz"])
        if rng.random() < 0.2:
            spec["provides"].append("shared-cap")
        specs.append(spec)
    for index, spec in enumerate(specs):
        requires = [f"cap{rng.randrange(count)}" for _ in range(rng.randint(0, 3))]
        requires = [req for req in requires if req != f"cap{index}"]
        if requires and rng.random() < 0.3:
            requires[0] += " >= 1.0"
        if rng.random() < 0.15:
            requires.append("shared-cap")
        if rng.random() < 0.15:
            requires.append(f"nothing-gives-{index}")
        spec["requires"] = requires
        if spec["arch"] != "src":
            roll = rng.random()
            if sources and (tidy or roll < 0.6):
                spec["sourcerpm"] = rng.choice(sources)
            elif roll < 0.8:
                spec["sourcerpm"] = f"ghost{index}-1.0-1.src.rpm"
        if rng.random() < (0.05 if tidy else 0.25):
            # now and then more of one kind than the human formats name one by one
            kinds = [rng.choice(PACKAGE_KINDS)] * rng.choice([1, 2, 5])
            spec["gaps"] = [
                (kind.value, _detail(rng, f"gap{seed}x{index}x{n}")) for n, kind in enumerate(kinds)
            ]
    if rng.random() < 0.4:  # a second copy of one NEVRA, its evidence its own
        copy = dict(rng.choice(specs))
        copy["vendor"] = rng.choice([None, CITRIX["vendor"]])
        copy["requires"] = rng.choice([[], [f"nothing-gives-copy{seed}"]])
        specs.append(copy)
    # A gap of an input may stand for many packages it could not see (`Gap.count`).
    run_gaps = [
        Gap(rng.choice(INPUT_KINDS), _detail(rng, f"rungap{seed}x{n}"), rng.choice([1, 1, 7]))
        for n in range(rng.choice([0, 0, 1, 2, 5]))
    ]
    context = tuple(
        {"name": f"ctx{n}", "provides": [f"ctxcap{n}"], **(CITRIX if rng.random() < 0.5 else {})}
        for n in range(rng.choice([0, 0, 2]))
    )
    for spec in specs if context else ():
        if rng.random() < 0.3:
            spec["requires"].append(f"ctxcap{rng.randrange(len(context))}")
    names = [spec["name"] for spec in specs]
    allows = [
        {
            "id": f"allow-{n}",
            "packages": [rng.choice(names)],
            "rules": [rng.choice(["citrix-vendor", "proprietary-license", "citrix-corporate-host"])],
            "reason": "reviewed",
        }
        for n in range(rng.choice([0, 0, 1, 2]))
    ]
    binaries = [spec["name"] for spec in specs if spec["arch"] != "src"]
    roots = tuple(rng.sample(binaries, min(len(binaries), 2))) if binaries and rng.random() < 0.15 else ()
    config = tuple(
        ConfigUrl(
            f"etc/yum.repos.d/{rng.choice(ODD)}.repo",
            f"repo{n}",
            rng.choice(["baseurl", "gpgkey"]),
            rng.choice(["https://updates.citrix.com/repo/", "https://mirror.example.org/os/"]),
            rng.random() < 0.8,
        )
        for n in range(rng.choice([0, 0, 0, 1, 2]))
    )
    errors = tuple(
        InputError(f"broken{n}-{rng.choice(ODD)}.rpm", "not an RPM") for n in range(rng.random() < 0.1)
    )
    return Case(specs, run_gaps, allows, roots, seed, context, config, errors)


def audit(case: Case) -> AuditResult:
    policy = load_policy(project={"allow": case.allows, "rule": [NOTED]})
    packages, seen = universe(case.specs), set()
    for index, package in enumerate(packages):
        if package.nevra in seen:  # a second file of one NEVRA
            packages[index] = dataclasses.replace(package, location=f"copy/{package.location}")
        seen.add(package.nevra)
    return audit_packages(
        AuditOptions(targets=("universe",), roots=case.roots),
        policy,
        LoadResult(
            packages=packages,
            gaps=list(case.run_gaps),
            config_urls=list(case.config),
            errors=list(case.errors),
        ),
        LoadResult(packages=universe(list(case.context))),
    )


def _waivers(rng: random.Random, result: AuditResult) -> list[Waiver]:
    names = sorted({package.name for package in result.packages})
    entries: list[dict[str, Any]] = []
    for n in range(rng.randint(0, 5)):
        entry: dict[str, Any] = {"id": f"w{n}", "reason": "accepted", "owner": "release team"}
        entry["package"] = rng.choice([rng.choice(names), rng.choice(names)[:2] + "*", "*"])
        scope = rng.choice(["package", "rule", "status", "category", "gap"])
        if scope == "rule":
            entry["rule"] = rng.choice(
                [
                    "citrix-vendor",
                    "proprietary-license",
                    "citrix-corporate-host",
                    "status:depends",
                    "status:*",
                ]
            )
        elif scope == "status":
            entry["status"] = rng.choice([v.value for v in Verdict if v is not Verdict.CLEAN])
        elif scope == "category":
            entry["category"] = rng.choice(["citrix", "proprietary"])
        elif scope == "gap":
            entry["rule"] = rng.choice(["gap:*", f"gap:{rng.choice(list(GapKind)).value}"])
        if rng.random() < 0.15:
            entry["arch"] = rng.choice(["noarch", "x86_*", "src"])
        if rng.random() < 0.1:
            entry["versions"] = rng.choice([">= 1.0", "< 1.0", ">= 1:0"])
        if scope == "package" and rng.random() < 0.3:  # a taint only while what it reaches is named
            entry["reaches"] = [rng.choice(names)[:2] + "*"]
        roll = rng.random()
        if roll < 0.15:
            entry["package"] = f"no-such-package-{n}"  # stale
        expired = roll > 0.85
        entry["expires"] = TODAY - datetime.timedelta(days=3) if expired else datetime.date(2027, 1, 1)
        if rng.random() < 0.1:  # an instant: past or to come, against the gate's own clock
            entry["expires"] = rng.choice(["2026-11-20T12:00:00+02:00", "2099-01-01T00:00:00Z"])
        entries.append(entry)
    return load_waivers(entries, "random")


def _earlier(rng: random.Random, case: Case) -> Case:
    """The run a baseline was written on: a package it had that is gone since, a Citrix
    vendor that was another, a requirement met since or dropped."""
    specs = [dict(spec) for spec in case.specs]
    for spec in rng.sample(specs, min(len(specs), 3)):
        change = rng.choice(["vendor", "requires", "drop"])
        if change == "vendor":
            spec["vendor"] = None if spec.get("vendor") else CITRIX["vendor"]
        elif change == "requires":
            spec["requires"] = [*spec["requires"], f"was-needed-{rng.randrange(9)}"]
        else:
            specs.remove(spec)
    return dataclasses.replace(case, specs=specs, roots=())


def _baseline(rng: random.Random, result: AuditResult) -> Baseline | None:
    if rng.random() < 0.6:
        return None
    facts = [fact for fact in result.facts if fact.kind.value != "gap"]
    chosen = rng.sample(facts, rng.randint(0, len(facts)))
    entries = []
    for fact in chosen:
        package = result.packages[fact.package] if fact.package is not None else None
        when = needed(fact, package)
        entries.append(_entry(fact, result.origin_reach.names(fact), {when} if when else set()))
    entries += [
        BaselineEntry(fingerprint=f"fixed-{n}", kind="status:unresolved", package=name, capability=f"was-{n}")
        for n, name in enumerate(rng.sample(sorted({p.name for p in result.packages}), rng.randint(0, 2)))
    ]
    return Baseline(entries)


def _gate(rng: random.Random) -> GateOptions:
    fail_on = DEFAULT_FAIL_ON
    if rng.random() < 0.5:
        gated = [v for v in Verdict if v is not Verdict.CLEAN]
        fail_on = frozenset(rng.sample(gated, rng.randint(1, len(gated))))
    return GateOptions(
        fail_on=fail_on, strict=rng.random() < 0.3, stale_waivers_block=rng.random() < 0.3, today=TODAY
    )


def random_view(seed: int) -> ReportView:
    case = draw(seed)
    result = audit(case)
    rng = random.Random(seed * 7919 + 1)
    waivers, gate = _waivers(rng, result), _gate(rng)
    # a baseline of this run, or of an earlier one (its entries fixed, gone or superseded since)
    earlier = audit(_earlier(rng, case)) if rng.random() < 0.5 else result
    return view_of(result, waivers, gate, _baseline(rng, earlier))


# What each output shows, as a person or a program reads it.


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (*_strings(key), *_strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def plain(fmt: str, text: str) -> str:
    """The text an output shows, its format's escaping undone."""
    if fmt in ("json", "sarif", "cyclonedx", "spdx", "model"):
        return "\n".join(_strings(json.loads(text)))
    if fmt in ("junit", "graphml"):
        root = ET.fromstring(text)
        parts = []
        for element in root.iter():
            parts += [element.text or "", element.tail or "", *element.attrib.values()]
        return "\n".join(parts)
    if fmt == "html":
        return html.unescape(text.split('id="auditor-data"')[0])
    if fmt == "dot":
        # DOT strings' escapes undone, then the entities Graphviz draws as characters
        return html.unescape(re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text))
    return text


Shown = tuple[str, str, str]
"""A package as an output shows it: its NEVRA, its status, its state at the gate."""


def rows_shown(fmt: str, text: str, view: ReportView) -> tuple[list[Shown], bool] | None:
    """Each package an output shows with a status, and whether it shows every audited one."""
    labels = {view.name_of(row.index): row.package.nevra for row in view.rows}
    if fmt == "json":
        packages = json.loads(text)["packages"]
        return [(p["nevra"], p["status"], p["gate"]) for p in packages], True
    if fmt == "html":
        data = re.search(r'<script type="application/json" id="auditor-data">(.*?)</script>', text, re.S)
        assert data is not None
        packages = json.loads(data.group(1))["packages"]
        return [(labels.get(p["nevra"], p["nevra"]), p["status"], p["gate"]) for p in packages], True
    if fmt in ("cyclonedx", "spdx"):
        document = json.loads(text)
        if fmt == "cyclonedx":
            each = [
                ({p["name"]: p["value"] for p in c.get("properties", [])}, c["purl"])
                for c in document["components"]
            ]
        else:
            each = [
                (
                    dict(a["comment"].split("=", 1) for a in p.get("annotations", [])),
                    next(r["referenceLocator"] for r in p["externalRefs"] if r["referenceType"] == "purl"),
                )
                for p in document["packages"]
                if p.get("externalRefs")
            ]
        return [
            (
                _nevra(PackageURL.from_string(purl)),
                item["auditor:status"],
                item.get("auditor:gate", "").replace("none", ""),
            )
            for item, purl in each
            if item.get("auditor:audited") == "true"
        ], True
    if fmt == "junit":
        cases = ET.fromstring(text).iter("testcase")
        found = []
        for case in cases:
            name = case.get("name", "")
            if name not in labels:
                continue  # a test case of the run (an input, a gap of the inputs)
            gate = "blocking" if case.find("failure") is not None else ""
            out = case.find("system-out")
            if not gate and out is not None and "[accepted by the baseline]" in (out.text or ""):
                gate = "baselined"  # a test that passes, saying so
            skipped = case.find("skipped")
            if skipped is not None:
                gate = re.sub(
                    r"^[a-z-]+, (waived|baselined).*", r"\1", skipped.get("message", ""), flags=re.S
                )
            found.append((labels[name], case.get("classname", ""), gate))
        return found, True
    if fmt == "graphml":
        graph = nx.parse_graphml(text)
        return [
            (data["nevra"], data["status"], data.get("gate", ""))
            for _, data in graph.nodes(data=True)
            if data.get("status") not in (None, "unaudited")
        ], False
    if fmt == "dot":
        found = []
        for node in re.findall(r"^  n\d+ \[(.*)\];$", text, re.M):
            values = {
                k: re.sub(r"\\(.)", r"\1", v) for k, v in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', node)
            }
            if values.get("status") not in (None, "unaudited"):
                found.append((values["nevra"], values["status"], values.get("gate", "")))
        return found, False
    if fmt == "table":
        found = []
        for label, nevra in labels.items():
            for match in re.finditer(
                rf"^{re.escape(label)} +([a-z-]+)( \*| \((?:waived|baselined)\))?(?: |$)", text, re.M
            ):
                gate = {" *": "blocking", None: ""}.get(match.group(2), (match.group(2) or "")[2:-1])
                found.append((nevra, match.group(1), gate))
        return found, False
    if fmt == "markdown":
        found = []
        cell = r"(?:\*\*([a-z-]+)\*\* \((blocking)\)|([a-z-]+)(?: \((waived|baselined)\))?)"
        for match in re.finditer(rf"^\| {CODE_SPAN} \| {cell} \|", text, re.M):
            name, status = table_code(match.groups()), match.group(3) or match.group(5)
            found.append((labels.get(name, name), status, match.group(4) or match.group(6) or ""))
        return found, False
    return None


def marks_shown(fmt: str, text: str) -> list[tuple[str, str, str | None]]:
    """Where else an output marks a package with a status: the page's articles and the steps of
    its chains, the graph's boxes, the Markdown's details; each (label, status, gate or None)."""
    found: list[tuple[str, str, str | None]] = []
    if fmt == "html":
        article = r'<h3><span class="badge status-[a-z-]+">([a-z-]+)</span> (?:<span class="gate gate-[a-z]+">([a-z]+)</span> )?(.*?)</h3>'
        found += [(html.unescape(name), status, gate) for status, gate, name in re.findall(article, text)]
        for title in re.findall(r'<g class="step status-[a-z-]+"><title>(.*?)</title>', text, re.S):
            name, _, said = html.unescape(title).partition("\n")
            status, _, gate = said.split(":")[0].partition(" (")
            found.append((name, status, gate.rstrip(")")))
        # the drawing of what holds independence back: ``NAME\nSTATUS · role``, no gate
        for title in re.findall(
            r'<g class="node node-[a-z]+" data-nevra="[^"]*"><title>(.*?)</title>', text, re.S
        ):
            name, _, said = html.unescape(title).partition("\n")
            found.append((name, said.split(" \u00b7 ")[0], None))
    elif fmt == "dot":
        for label in re.findall(r'^  n\d+ \[label="((?:[^"\\]|\\.)*)"', text, re.M):
            label = html.unescape(
                re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), label)
            )
            name, _, said = label.partition("\n")
            status, _, gate = said.partition(" (")
            # a graph names a copy sharing its NEVRA ``NEVRA [file]`` (a row's label: ``(file)``)
            found.append((re.sub(r" \[([^\[]*)\]$", r" (\1)", name), status, gate.rstrip(")")))
    elif fmt == "markdown":
        for name, status in re.findall(
            r"^<details><summary><code>(.*?)</code>: ([a-z-]+)</summary>", text, re.M
        ):
            found.append((html.unescape(name), status, None))
    return [item for item in found if item[1] != "unaudited"]


def waived_gaps_said(fmt: str, text: str) -> int | None:
    """How many of the gaps waivers accepted, as an output says: ``(N accepted by waivers)``
    in words, a property of its own in JUnit and the SBOMs, a number in the JSON."""
    if fmt == "json":
        return int(json.loads(text)["completeness"]["waived"])
    if fmt in ("junit", "cyclonedx", "spdx"):
        pattern = {
            "junit": r'<property name="incomplete\.waived" value="(\d+)" />',
            "cyclonedx": r'"name": "auditor:incomplete-waived",\s*"value": "(\d+)"',
            "spdx": r'"comment": "auditor:incomplete-waived=(\d+)"',
        }[fmt]
    else:
        text, pattern = plain(fmt, text), r"\((\d+) accepted by waivers\)"
    found = set(re.findall(pattern, text))
    assert len(found) <= 1, (fmt, found)
    return int(found.pop()) if found else None


def headline_said(fmt: str, text: str) -> str | None:
    """The headline an output gives: its state (``passed``, ``blocking``...) or its words."""
    if fmt == "json":
        return str(json.loads(text)["summary"]["headline"])
    if fmt == "sarif":
        return str(json.loads(text)["runs"][0]["properties"]["headline"])
    if fmt == "junit":
        return next(
            p.get("value") for p in ET.fromstring(text).iter("property") if p.get("name") == "headline"
        )
    if fmt == "graphml":
        return str(nx.parse_graphml(text).graph["headline"])
    found = {
        "dot": r'^  graph \[exitcode="\d+", headline="([a-z]+)"',
        "html": r'id="headline" data-state="([a-z]+)">',
        "markdown": r"^## \S+ auditor: (.*)$",
        "cyclonedx": r'"name": "auditor:headline",\s*"value": "([^"]*)"',
        "spdx": r'"comment": "auditor:headline=([^"]*)"',
    }.get(fmt)
    if found is None:
        return None
    match = re.search(found, text, re.M)
    assert match is not None, fmt
    return match.group(1)


@dataclass(frozen=True)
class Counts:
    audited: int | None = None
    blocking: int | None = None
    waived: int | None = None
    statuses: dict[str, int] | None = None


def _summary_line(text: str) -> Counts:
    """`ReportView.summary_line` read back: ``N packages audited: 2 origin, 1 clean; ...``."""
    found = re.search(r"^(?:<p class=\"summary-line\">)?(\d+) packages? audited: ([^\n<]*)", text, re.M)
    assert found is not None, "no summary line"
    parts = found.group(2).split("; ")
    statuses = {status.value: 0 for status in Verdict}
    for part in parts[0].split(", "):
        if part != "none":
            number, status = part.split(" ", 1)
            statuses[status] = int(number)
    gate = next(part for part in parts[1:] if "blocking" in part or "stale waivers block" in part)
    blocking = re.match(r"(\d+) blocking", gate)
    waived = re.search(r", (\d+) waived$", gate)
    return Counts(
        int(found.group(1)),
        int(blocking.group(1)) if blocking else 0,
        int(waived.group(1)) if waived else 0,
        statuses,
    )


def counts_said(fmt: str, text: str) -> Counts | None:
    """The counts an output prints: audited packages, blocking ones, waived ones, per status."""
    if fmt in ("table", "html"):
        return _summary_line(html.unescape(text) if fmt == "html" else text)
    if fmt == "markdown":
        head = re.search(r"(\d+) packages? audited from .*?; (?:(\d+) blocking)?", text)
        assert head is not None
        rows = re.findall(r"^\| ([a-z-]+) \| (\d+) \| (\d+) \| (\d+) \|$", text, re.M)
        statuses = {status.value: 0 for status in Verdict} | {status: int(n) for status, n, _, _ in rows}
        return Counts(
            int(head.group(1)),
            int(head.group(2) or 0),
            sum(int(w) for *_, w in rows),
            statuses,
        )
    if fmt == "junit":
        suite = ET.fromstring(text).find("testsuite")
        assert suite is not None
        properties = {p.get("name", ""): p.get("value", "") for p in suite.iter("property")}
        statuses = {
            k.removeprefix("status."): int(v) for k, v in properties.items() if k.startswith("status.")
        }
        # The suite's counts (what a CI server shows) are those of the cases it holds.
        for element in (ET.fromstring(text), suite):
            cases = list(element.iter("testcase"))
            assert int(element.get("tests", -1)) == len(cases)
            for said in ("failures", "skipped", "errors"):
                tag = said.removesuffix("s") if said != "skipped" else said
                assert int(element.get(said, -1)) == sum(1 for case in cases if case.find(tag) is not None)
        return Counts(None, None, None, statuses)
    if fmt == "sarif":
        properties = json.loads(text)["runs"][0]["properties"]
        blocking = properties["blocking"] + properties["blockingConfig"]
        return Counts(None, blocking, properties["waived"], properties["statuses"])
    if fmt in ("cyclonedx", "spdx"):
        document = json.loads(text)
        if fmt == "cyclonedx":
            run = {p["name"]: p["value"] for p in document["metadata"]["properties"]}
            each = [{p["name"]: p["value"] for p in c.get("properties", [])} for c in document["components"]]
        else:
            run = dict(a["comment"].split("=", 1) for a in document["annotations"])
            each = [
                dict(a["comment"].split("=", 1) for a in p.get("annotations", []))
                for p in document["packages"]
            ]
        audited = [item for item in each if item.get("auditor:audited") == "true"]
        statuses = Counter(item["auditor:status"] for item in audited)
        return Counts(
            len(audited),
            int(run["auditor:blocking-count"]) + int(run["auditor:blocking-config-count"]),
            int(run["auditor:waived-count"]),
            {status.value: statuses[status.value] for status in Verdict},
        )
    return None


def _check(view: ReportView, outputs: dict[str, str]) -> None:
    blocking = {row.package.nevra for row in view.rows if row.blocking}
    facts = {ruling.fact.fingerprint: ruling.blocks for ruling in view.decision.rulings}
    for fmt, text in outputs.items():
        said = READERS[fmt](text, view)
        if said.exit_code is not None:
            assert said.exit_code == int(view.exit_code), fmt
        if said.blocking is not None:
            assert said.blocking == blocking, fmt
        if said.facts is not None:
            assert said.facts == facts, fmt
    # Every package shown with its own status and state at the gate: none the decision blocks
    # shown clean, waived or passed, none shown blocking that does not block.
    expected = Counter((row.package.nevra, row.status.value, row.gate.value) for row in view.rows)
    for fmt, text in outputs.items():
        found = rows_shown(fmt, text, view)
        if found is None:
            continue
        shown, every = found
        if every:
            assert Counter(shown) == expected, fmt
        else:
            assert set(shown) <= set(expected), fmt
    labels = {view.name_of(row.index): (row.status.value, row.gate.value) for row in view.rows}
    for fmt in ("html", "dot", "markdown"):
        for name, status, gate in marks_shown(fmt, outputs[fmt]):
            assert name in labels and labels[name][0] == status, (fmt, name, status)
            assert gate is None or gate == labels[name][1], (fmt, name, gate)
    # Every exit code an output states anywhere, in words or as an attribute, is the decision's.
    for fmt in DECIDING:
        stated = re.findall(r"exit code (\d+)|exit-?code\W+(\d+)", plain(fmt, outputs[fmt]), re.I)
        stated += re.findall(r'exitcode="(\d+)"()', outputs[fmt])
        assert {a or b for a, b in stated} <= {str(int(view.exit_code))}, fmt
    # One headline: its state in the formats a program reads, its words in the others.
    for fmt, text in outputs.items():
        headline = headline_said(fmt, text)
        if headline is not None:
            assert headline in (view.headline.state, view.headline.text), fmt
    # A run that a fact or a stale waiver fails is never said to have nothing blocking.
    if view.decision.blocking or view.decision.stale_blocks:
        for fmt in DECIDING:
            assert "nothing blocking" not in plain(fmt, outputs[fmt]), fmt
    # Every gap the decision counts is named, or counted among the ones a format leaves out.
    document = json.loads(outputs["json"])
    reasons = {item["reason"]: item["count"] for item in document["completeness"]["reasons"]}
    gaps = [ruling.fact.gap for ruling in view.decision.rulings if ruling.fact.gap is not None]
    for fmt in DECIDING:
        shown_text = plain(fmt, outputs[fmt])
        for reason, count in reasons.items():
            if fmt == "junit":  # a property each
                assert f'<property name="incomplete.{reason}" value="{count}" />' in outputs[fmt], reason
            elif fmt == "sarif" and reason == "input-error":  # a notification each
                notes = json.loads(outputs[fmt])["runs"][0]["invocations"][0]["toolExecutionNotifications"]
                assert sum(1 for note in notes if note["level"] == "error" and len(note) == 2) == count
            else:
                assert f"{count} {reason}" in shown_text, (fmt, reason)
        for gap in gaps:
            if fmt in ("json", "sarif"):
                continue  # read back fact by fact above
            token = gap.detail.split(" ")[0]
            if "gap" in token:  # one the generator wrote, with a detail no other gap has
                assert gap.detail in shown_text or f"more {gap.kind.value}" in shown_text, (fmt, gap)
    # How many of the gaps waivers accepted: in words, or as a property.
    if waived := view.decision.completeness.waived:
        for fmt in DECIDING:
            assert waived_gaps_said(fmt, outputs[fmt]) == waived, fmt
    # Every configured repository URL that blocks is named (a fact of no package).
    for item in view.blocking_config:
        config = item.fact.config
        assert config is not None
        for fmt in DECIDING:
            assert config.url in plain(fmt, outputs[fmt]), (fmt, config.url)
    # The JSON report's gate section lists what the decision ruled, fact by fact.
    gate = document["gate"]
    for key, disposition in (
        ("blocking", Disposition.BLOCKS),
        ("waived", Disposition.WAIVED),
        ("baselined", Disposition.BASELINED),
    ):
        listed = Counter(item["fingerprint"] for item in gate[key])
        assert listed == Counter(
            r.fact.fingerprint for r in view.decision.rulings if r.disposition is disposition
        )
    for key, waivers in (("expired_waivers", view.decision.expired), ("stale_waivers", view.decision.stale)):
        assert sorted(item["id"] for item in gate[key]) == sorted(waiver.id for waiver in waivers), key
    # The counts each format prints are the JSON report's.
    summary = document["summary"]
    for fmt in DECIDING:
        counts = counts_said(fmt, outputs[fmt])
        if counts is None:
            continue
        if counts.audited is not None:
            assert counts.audited == summary["audited"], fmt
        if counts.blocking is not None:
            assert counts.blocking == summary["blocking"] + summary["blocking_config"], fmt
        if counts.waived is not None:
            assert counts.waived == summary["waived"], fmt
        if counts.statuses is not None:
            assert counts.statuses == summary["statuses"], fmt


@pytest.mark.parametrize("seed", SEEDS)
def test_every_format_says_what_the_decision_says_on_a_random_audit(seed: int) -> None:
    view = random_view(seed)
    _check(view, {fmt: written(fmt, view) for fmt in FORMATS})


def written(fmt: str, view: ReportView) -> str:
    """A format's text as ``scan`` writes it: in pieces, each made inert (`render_pieces`)."""
    pieces = render_pieces(fmt, view)
    return b"".join(piece if isinstance(piece, bytes) else piece.encode() for piece in pieces).decode()


@pytest.mark.parametrize("seed", range(40))
def test_the_markdown_cut_offs_count_what_they_leave_out(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comment's lists cut short at a few rows (as a distribution cuts them at 100): the
    blocking packages listed and those it says it left out are every one the decision blocks;
    the packages detailed and those left out too; and each package's facts listed and counted
    are all its facts, none that blocks among those left out."""
    monkeypatch.setattr(markdown, "MAX_ROWS", 3)
    monkeypatch.setattr(markdown, "MAX_DETAILS", 2)
    monkeypatch.setattr(markdown, "MAX_FACTS", 1)
    view = random_view(seed)
    text = written("markdown", view)
    flagged = text.partition("### Flagged packages")[2].partition("\n###")[0]
    listed = re.findall(
        r"^\| `.* \| (\*\*[a-z-]+\*\* \(blocking\)|[a-z-]+(?: \([a-z]+\))?) \|", flagged, re.M
    )
    more = re.search(r"\.\.\. and (\d+) more flagged packages \((\d+) blocking\)", flagged)
    rest, rest_blocking = (int(more.group(1)), int(more.group(2))) if more else (0, 0)
    assert len(listed) + rest == len(view.flagged)
    assert sum(1 for said in listed if said.endswith("(blocking)")) + rest_blocking == len(view.blocking)
    detailed = re.findall(
        r"^<details><summary><code>(.*?)</code>: [a-z-]+</summary>\n\n(.*?)</details>", text, re.M | re.S
    )
    left = re.search(r"\.\.\. and (\d+) more blocking packages not detailed", text)
    assert len(detailed) + (int(left.group(1)) if left else 0) == len(view.blocking)
    rows = {view.name_of(row.index): row for row in view.rows}
    for name, body in detailed:
        row = rows[html.unescape(name)]
        facts = re.findall(r"^- [a-z-]+: ", body, re.M)
        cut = re.search(r"^- \.\.\. and (\d+) more facts? \((\d+) blocking, (\d+) gaps?\)", body, re.M)
        assert len(facts) + (int(cut.group(1)) if cut else 0) == len(row.facts), name
        assert cut is None or cut.group(2) == cut.group(3) == "0", name


# Disagreements the generator found, each reduced to its smallest case.


def test_a_gap_of_the_inputs_that_blocks_is_never_nothing_blocking() -> None:
    """Found at random: ``--strict``, no package blocking, a gap of the inputs: exit 3, the JSON report
    counts the gap a blocking fact, and the table's and the page's summary line said "nothing
    blocking", the comment "0 blocking" (they counted the packages and configured URLs that
    block, not the inputs)."""
    tidy = [{"name": "fine", "arch": "src"}, {"name": "fine", "sourcerpm": "fine-1.0-1.src.rpm"}]
    result = audit(Case(tidy, [Gap(GapKind.EMPTY_INPUT, "empty/: nothing to read")], [], (), 0))
    view = view_of(result, gate=GateOptions(strict=True, today=TODAY))
    assert int(view.exit_code) == 3 and not view.blocking
    assert json.loads(FORMATS["json"](view))["summary"]["blocking_facts"] == 1
    for fmt in ("table", "html"):
        text = plain(fmt, FORMATS[fmt](view))
        assert "nothing blocking" not in text, fmt
        assert "2 clean; 1 gap of the inputs blocking (--strict); incomplete: 1 empty-input" in text, fmt
    # The comment counts the packages that block, and says the gap beside them.
    assert "0 blocking, 1 gap of the inputs blocking (--strict), 0 waived; exit code 3." in FORMATS[
        "markdown"
    ](view)
    # Without --strict the gap blocks nothing, and the line says so.
    passed = view_of(result)
    assert "2 clean; nothing blocking; incomplete: 1 empty-input" in FORMATS["table"](passed)
