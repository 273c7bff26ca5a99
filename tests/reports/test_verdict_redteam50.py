"""Red team 50 of one verdict: one ``scan`` of a repository rpmbuild made and createrepo_c
indexed, written in every format at once with ``-o``; each output read back with a real parser
into what it says of each package (its status, whether it blocks or was waived, and its reason)
and compared with the JSON report's, package by package; ``check`` held to ``scan`` on the same
packages; the page read in a browser for what blocks (`tests.browser`); and the waivers' ids,
by which every output names a waiver. The waiver of ``waived`` expires today, which it is valid
through (`on_one_day`)."""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
import pytest

from auditor.cli.main import main
from tests.browser import launched, opened
from tests.deps.built import CITRIX, build_repository
from tests.reports.test_verdict_redteam import purl_nevra

UNIVERSE: list[dict[str, Any]] = [
    {"name": "cx", "provides": ["libcx", "cap"], **CITRIX},
    {"name": "mid", "requires": ["libcx"]},
    {"name": "top", "requires": ["mid"]},  # a tainted chain of two hops
    {"name": "waived", "requires": ["libcx"]},
    {"name": "lapsed", "requires": ["libcx"]},  # its waiver expired yesterday
    {"name": "lonely", "requires": ["nothing-gives-this"]},
    {"name": "free", "provides": ["cap"]},
    {"name": "chooser", "requires": ["cap"]},  # may-depend: cx or free
    {"name": "fine"},
]


def _waivers(path: Path, today: datetime.date) -> Path:
    yesterday = today - datetime.timedelta(days=1)
    entries = [("waived", today), ("lapsed", yesterday), ("ghost", today)]
    path.write_text(
        "".join(
            f'[[waiver]]\nid = "{name}"\npackage = "{name}"\nreason = "r"\nowner = "o"\nexpires = {day}\n'
            for name, day in entries
        )
    )
    return path


T = TypeVar("T")


def on_one_day(waivers: Path, run: Callable[[Path], T]) -> T:
    """``run(waivers)``, the waiver file written for the day the run audits on: ``waived``'s
    waiver expires that day (valid through it), ``lapsed``'s the day before.

    The auditor reads the machine's date when it decides (`auditor.gate.options.clock`; no
    option or variable sets it), so a file written from the date at the start of the module
    judged ``waived`` expired in a run that crossed midnight after it was written. The date is
    read right before and right after the run: the same both times, the auditor's reading in
    between was that day too (a clock going back aside), and the run stands. Otherwise the run
    is made once more, its file written for the new day: another midnight cannot pass within
    one run, and if it did the test is skipped rather than judged on a day it was not written for.
    """
    for _ in range(2):
        today = datetime.date.today()  # the local date, as `clock` reads it
        result = run(_waivers(waivers, today))
        if datetime.date.today() == today:
            return result
    pytest.skip("the date changed during both runs: the waivers' expiry dates were not the audit's day")


@pytest.fixture(scope="module")
def universe(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The repository (its source packages in SRPMS/ beside it) and where the waiver file is
    written for the day of each run (`on_one_day`)."""
    root = tmp_path_factory.mktemp("universe")
    return build_repository(UNIVERSE, root), root / "waivers.toml"


OUTPUTS = ("json", "sarif", "xml", "md", "html", "cdx.json", "spdx.json", "dot", "graphml", "txt")


@dataclass(frozen=True)
class Row:
    """What one output says of one package; None where it does not say."""

    status: str
    gate: str | None
    """blocking, waived, or none."""
    why: str | None = None


def _json(text: str) -> dict[str, Row]:
    return {
        p["nevra"]: Row(p["status"], p["gate"] or "none", p["why"] or None)
        for p in json.loads(text)["packages"]
    }


def _html(text: str) -> dict[str, Row]:
    data = re.search(r'<script type="application/json" id="auditor-data">(.*?)</script>', text, re.S)
    assert data is not None
    return {
        r["nevra"]: Row(r["status"], r["gate"] or "none", r["why"] or None)
        for r in json.loads(data.group(1))["packages"]
    }


def _cyclonedx(text: str) -> dict[str, Row]:
    rows = {}
    for component in json.loads(text)["components"]:
        properties = {p["name"]: p["value"] for p in component.get("properties", [])}
        if properties.get("auditor:audited") == "true":
            rows[purl_nevra(component["purl"])] = Row(
                properties["auditor:status"], properties["auditor:gate"], properties.get("auditor:why")
            )
    return rows


def _spdx(text: str) -> dict[str, Row]:
    rows = {}
    for package in json.loads(text)["packages"]:
        notes = dict(a["comment"].split("=", 1) for a in package.get("annotations", []))
        if notes.get("auditor:audited") == "true":
            [purl] = [r["referenceLocator"] for r in package["externalRefs"] if r["referenceType"] == "purl"]
            rows[purl_nevra(purl)] = Row(
                notes["auditor:status"], notes["auditor:gate"], notes.get("auditor:why")
            )
    return rows


def _junit(text: str) -> dict[str, Row]:
    suite = ET.fromstring(text).find("testsuite")
    assert suite is not None
    rows = {}
    for case in suite.iter("testcase"):
        if case.get("classname") in ("input", "config", "waiver", "stale-waiver"):
            continue
        gate = (
            "blocking"
            if case.find("failure") is not None
            else "waived"
            if case.find("skipped") is not None
            else "none"
        )
        rows[case.get("name", "")] = Row(case.get("classname", ""), gate)
    return rows


def _markdown(text: str) -> dict[str, Row]:
    rows = {}
    for label, status, note, why in re.findall(
        r"^\| `([^`]+)` \| (?:\*\*)?([a-z-]+)(?:\*\*)?(?: \((blocking|waived)\))? \| `(.*)` \|$", text, re.M
    ):
        rows[label] = Row(status, note or "none", why)
    return rows


def _table(text: str) -> dict[str, Row]:
    rows = {}
    for label, status, mark in re.findall(r"^(\S+-\S+)\s+([a-z-]+) ?(\*|\(waived\))?(?:\s|$)", text, re.M):
        gate = "blocking" if mark == "*" else "waived" if mark else "none"
        rows[label] = Row(status, gate)
    return rows


def _graphml(text: str) -> dict[str, Row]:
    graph = nx.parse_graphml(text)
    return {
        d["nevra"]: Row(d["status"], d.get("gate") or "none")
        for _, d in graph.nodes(data=True)
        if "nevra" in d
    }


READERS = {"json": _json, "html": _html, "cdx.json": _cyclonedx, "spdx.json": _spdx, "xml": _junit,
           "md": _markdown, "txt": _table, "graphml": _graphml}  # fmt: skip


def _run(args: list[str], stem: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, str]]:
    outputs = [item for suffix in OUTPUTS for item in ("-o", f"{stem}.{suffix}")]
    code = main(["scan", "--no-cache", "-q", *args, *outputs])
    capsys.readouterr()
    return code, {suffix: Path(f"{stem}.{suffix}").read_text() for suffix in OUTPUTS}


SETUPS = {
    "default": [],
    "strict": ["--strict"],
    "metadata-only": ["--metadata-only"],
    "metadata-only-strict": ["--metadata-only", "--strict"],
    "no-sources": ["--no-source-discovery", "--strict"],
    "wide": ["--fail-on", "origin,depends,may-depend,build-depends,unresolved"],
    "damaged": ["DAMAGED"],  # a directory holding a file that is no RPM
}
EXIT = {
    "damaged": 3,
    "default": 1,
    "strict": 1,
    "metadata-only": 1,
    "metadata-only-strict": 3,
    "no-sources": 3,
    "wide": 1,
}


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_every_output_says_each_package_s_status_gate_and_reason(
    setup: str, universe: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, waivers = universe
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "broken.rpm").write_bytes(b"not an rpm at all" * 20)
    extra = [str(damaged) if argument == "DAMAGED" else argument for argument in SETUPS[setup]]
    code, text = on_one_day(
        waivers, lambda day: _run([str(repo), *extra, "--waivers", str(day)], tmp_path / "report", capsys)
    )
    assert code == json.loads(text["json"])["summary"]["exit_code"] == EXIT[setup]
    truth = _json(text["json"])
    assert truth["lapsed-1.0-1.noarch"].gate == "blocking"
    assert truth["waived-1.0-1.noarch"].gate == ("blocking" if setup == "no-sources" else "waived")
    for suffix, read in READERS.items():
        said = read(text[suffix])
        for nevra, row in truth.items():
            if suffix in ("md", "txt", "graphml") and row.gate == "none" and row.status == "clean":
                continue  # these list flagged packages only
            if suffix == "graphml" and nevra not in said:
                continue
            assert nevra in said, (suffix, nevra)
            got = said[nevra]
            assert got.status == row.status, (suffix, nevra, got, row)
            assert got.gate == row.gate, (suffix, nevra, got, row)
            if got.why is not None:
                assert got.why == row.why, (suffix, nevra, got, row)
    # SARIF says it fact by fact: a package blocks where one of its alerts is an unsuppressed error.
    run = json.loads(text["sarif"])["runs"][0]
    assert run["invocations"][0]["exitCode"] == code
    blocking = {
        r["properties"]["nevra"] for r in run["results"] if r["level"] == "error" and "suppressions" not in r
    }
    assert blocking == {nevra for nevra, row in truth.items() if row.gate == "blocking"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as found:
        yield found


def test_the_page_shows_the_stale_waiver_that_blocks_without_a_click(
    browser: Any, universe: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stale waivers that block (``--stale-waivers block``), in a run where nothing else blocks:
    the page's headline said "stale waivers block", and the one line naming the waiver was in
    the collapsed "Waivers and baseline" section, hidden until opened, while every other
    format (the table, the Markdown, a failing JUnit case, a SARIF error notification) says
    which waiver it is on its face."""
    repo, _ = universe
    waivers = tmp_path / "stale.toml"
    waivers.write_text(
        '[[waiver]]\nid = "ghost"\npackage = "ghost"\nreason = "r"\nowner = "o"\nexpires = 2999-01-01\n'
    )
    page = tmp_path / "report.html"
    args = [str(repo), "--waivers", str(waivers), "--stale-waivers", "block", "--fail-on", "none"]
    code = main(["scan", "--no-cache", "-q", *args, "-o", str(page), "-o", str(tmp_path / "report.txt")])
    capsys.readouterr()
    assert code == 1
    line = "stale waiver ghost (ghost): matches nothing (blocking)"
    assert line in (tmp_path / "report.txt").read_text()
    with opened(browser, page.read_text()) as shown:
        assert shown.page.get_by_text(line, exact=True).is_visible()
        assert line in shown.page.evaluate("document.body.innerText")


def _waiver(waiver_id: str, package: str, expires: str) -> str:
    named = f'id = "{waiver_id}"\n' if waiver_id else ""
    return f'[[waiver]]\n{named}package = "{package}"\nreason = "r"\nowner = "o"\nexpires = {expires}\n'


@pytest.mark.parametrize(
    ("first", "second", "said"),
    [
        # one file given twice: the second copy of each waiver was stale ("an earlier waiver
        # accepts them", blocking under --stale-waivers block) beside "waived by a"
        (_waiver("a", "mid", "2999-01-01"), None, "waiver a (mid)"),
        # two files, one id: "expired waiver a (top): no longer waives" beside "waived by a"
        (_waiver("a", "mid", "2999-01-01"), _waiver("a", "top", "2020-01-01"), "waiver a (top)"),
        # two files whose first waivers name one package: both were mid#0
        (_waiver("", "mid", "2999-01-01"), _waiver("", "mid", "2020-01-01"), "waiver mid#0 (mid)"),
    ],
    ids=["one-file-twice", "one-id-in-two-files", "default-ids-of-two-files"],
)
def test_a_waiver_id_two_waivers_have_is_refused(
    first: str,
    second: str | None,
    said: str,
    universe: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every output names a waiver by its id alone ("waived by a", "expired waiver a", "stale
    waiver a", a JUnit case, a SARIF suppression, the JSON's ``waiver``): two waivers of one id
    made one report say that waiver ``a`` accepted a fact and that waiver ``a`` was expired or
    stale, and no reader could tell which file or entry accepted what."""
    repo, _ = universe
    one, two = tmp_path / "one.toml", tmp_path / "two.toml"
    one.write_text(first)
    two.write_text(second or "")
    files = [str(one), str(one)] if second is None else [str(one), str(two)]
    report = tmp_path / "report.json"
    args = [str(repo), "--waivers", files[0], "--waivers", files[1], "--stale-waivers", "block"]
    code = main(["scan", "--no-cache", "-q", *args, "-o", str(report)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and not report.exists()
    [line] = err.splitlines()
    assert line.startswith(
        f"auditor: error: {files[1]}: {said} at waiver[0]: its id is the id of {files[0]} waiver[0] too"
    )


ROWS_SHOWN = """() => Array.from(document.querySelectorAll("#package-rows tr"))
  .filter(row => !row.hidden).map(row => row.cells[0].textContent)"""


def test_the_flagged_filter_lists_the_packages_the_page_calls_flagged(
    browser: Any, universe: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under ``--strict`` with the source packages not audited, a clean binary whose source was
    not seen blocks: the page's "Flagged packages" explained it (clean, blocking), but the
    table's "flagged (not clean)" filter hid every clean row, so a reader narrowing the table
    to what is flagged lost a package that fails the run."""
    repo, waivers = universe
    page = tmp_path / "report.html"
    args = [str(repo), "--no-source-discovery", "--strict", "-o", str(page)]
    assert (
        on_one_day(waivers, lambda day: main(["scan", "--no-cache", "-q", *args, "--waivers", str(day)])) == 3
    )
    capsys.readouterr()
    text = page.read_text()
    explained = set(
        re.findall(
            r'<h3><span class="badge [^"]+">[a-z-]+</span> (?:<span class="gate [^"]+">[a-z]+</span> )?([^<]+)</h3>',
            text,
        )
    )
    assert {"fine-1.0-1.noarch", "waived-1.0-1.noarch"} <= explained
    with opened(browser, text, suffix="#status=flagged") as shown:
        assert set(shown.page.evaluate(ROWS_SHOWN)) == explained


CHANGE: list[dict[str, Any]] = [
    {"name": "fine", "evr": "1.0-2", "requires": ["libcx"]},  # newly tainted
    {"name": "lapsed", "evr": "1.0-2"},  # no longer needs cx
    {"name": "waived", "evr": "1.0-2", "requires": ["libcx"]},  # still waived
    {"name": "lonely", "evr": "1.0-2", "requires": ["nothing-gives-this", "also-missing"]},
]


def test_check_says_of_each_new_package_what_scan_says_of_it(
    universe: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check NEW --against BASE`` and ``scan`` of BASE with NEW in place of the packages it
    replaces, under the same waivers (one valid, one expired): each new package's status and
    reason, and which of its facts block, are the same in both."""
    repo, waivers = universe
    change = build_repository(CHANGE, tmp_path / "change")
    new = sorted(str(path) for path in (change / "noarch").glob("*.rpm"))
    replaced = {item["name"] for item in CHANGE}
    together = tmp_path / "together"
    together.mkdir()
    for path in [*(repo / "noarch").glob("*.rpm"), *map(Path, new)]:
        name = path.name.rsplit("-", 2)[0]
        if name not in replaced or path.parent != repo / "noarch":
            (together / path.name).symlink_to(path)

    def both(day: Path) -> tuple[dict[str, Any], dict[str, Any]]:
        """check and scan under the waivers of one day."""
        common = ["--no-cache", "-q", "--waivers", str(day), "--format", "json"]
        main(["check", *new, "--against", str(repo), *common])
        checked = json.loads(capsys.readouterr().out)
        main(["scan", str(together), str(repo.parent / "SRPMS"), *common])
        scanned = {p["nevra"]: p for p in json.loads(capsys.readouterr().out)["packages"]}
        return checked, scanned

    checked, scanned = on_one_day(waivers, both)
    assert {item["nevra"] for item in checked["new"]} == {
        "fine-1.0-2.noarch",
        "lapsed-1.0-2.noarch",
        "lonely-1.0-2.noarch",
        "waived-1.0-2.noarch",
    }
    for item in checked["new"]:
        package = scanned[item["nevra"]]
        assert (item["after"], item["why"]) == (package["status"], package["why"]), item["nevra"]
    # check lists the facts that changed, each a requirement nothing provides saying whether at
    # run time or to build; each blocks as the same fact of the scan does.
    ruled = {
        (p["name"], f["text"]): f["blocks"]
        for p in scanned.values()
        if p["kind"] == "binary"
        for f in p["facts"]
    }
    said = {
        (f["package"], re.sub(r" \(at run time\)$", "", f["text"])): f["blocks_after"]
        for f in checked["facts"]
        if f["change"] in ("new", "unchanged")
    }
    assert said and all(ruled[key] == blocks for key, blocks in said.items()), said
    assert scanned["waived-1.0-2.noarch"]["gate"] == "waived"


def test_every_output_says_how_many_gaps_waivers_accepted(
    universe: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Source packages not audited, under ``--strict``, every gap accepted by a waiver: the run
    passes. The JSON, the table, the Markdown, the page and the graphs said "incomplete: 9
    source-not-audited (9 accepted by waivers)"; SARIF, JUnit and the SBOMs said "incomplete",
    "strict" and exit code 0 and nothing of the waivers, which read as --strict not failing an
    incomplete audit."""
    repo, waivers = universe
    gaps = tmp_path / "gaps.toml"
    gaps.write_text(
        _waiver("gaps", "*", "2999-01-01").replace('reason = "r"', 'rule = "gap:*"\nreason = "r"')
    )
    args = [str(repo), "--no-source-discovery", "--strict", "--fail-on", "none"]
    code, text = on_one_day(
        waivers,
        lambda day: _run([*args, "--waivers", str(day), "--waivers", str(gaps)], tmp_path / "report", capsys),
    )
    completeness = json.loads(text["json"])["completeness"]
    waived = completeness["waived"]
    assert code == 0 and waived == 9 and not completeness["complete"]
    said = f"({waived} accepted by waivers)"
    assert said in text["txt"] and said in text["md"] and said in text["html"] and said in text["dot"]
    run = json.loads(text["sarif"])["runs"][0]
    [incomplete] = [
        n["message"]["text"]
        for n in run["invocations"][0]["toolExecutionNotifications"]
        if n.get("descriptor", {}).get("id") == "auditor/incomplete"
    ]
    assert said in incomplete
    suite = ET.fromstring(text["xml"]).find("testsuite")
    assert suite is not None
    assert {p.get("name"): p.get("value") for p in suite.iter("property")}["incomplete.waived"] == str(waived)
    bom = {p["name"]: p["value"] for p in json.loads(text["cdx.json"])["metadata"]["properties"]}
    assert bom["auditor:incomplete-waived"] == str(waived)
    notes = dict(a["comment"].split("=", 1) for a in json.loads(text["spdx.json"])["annotations"])
    assert notes["auditor:incomplete-waived"] == str(waived)
