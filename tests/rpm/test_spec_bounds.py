"""The spec reader's work and memory follow the spec's size, and what a bound cuts is a gap.

Each test counts what the reader does (expansion steps, characters scanned, frames looked
at, bytes held) against the bound, and fails as soon as the count passes it: a reader that
does quadratic work fails fast rather than running for minutes.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.rpm.spec import conditionals, macros, readline
from auditor.rpm.spec.macros import MAX_WORK, REFERENCE_COST, WORK_PER_BYTE, MacroContext
from auditor.rpm.spec.parser import parse_spec
from auditor.sources.specs import packages_from_spec

ROOT = Path(__file__).resolve().parents[2]
PREAMBLE = "Name: x\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
TAIL = "\n%description\nd\n%files\n"


def doubling(levels: int, leaf: str) -> str:
    """``%global aI %{aI-1}%{aI-1}``: ``a{levels}`` is 2**levels copies of ``leaf``."""
    lines = [f"%global a0 {leaf}\n"] + [
        f"%global a{i} %{{a{i - 1}}}%{{a{i - 1}}}\n" for i in range(1, levels + 1)
    ]
    return "".join(lines)


def budget(text: str) -> int:
    return MAX_WORK + WORK_PER_BYTE * (len(text) + 1)


def kinds(text: str) -> list[str]:
    return sorted({gap.kind.value for gap in parse_spec(text, "x.spec").gaps})


# -- %global bodies: held within the spec's budget (red-team 7, finding 01) -----------------------


def test_global_bodies_held_are_bounded_by_the_spec_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """20 doubling lines make a 1 MiB body; each `%global bI %{a20}` stored a fresh copy of it."""
    text = doubling(20, "x") + "".join(f"%global b{i} %{{a20}}\n" for i in range(40))
    text += PREAMBLE + "Source0: http://e/a.tar\n" + TAIL
    held = 0
    define = MacroContext.define

    def counting(self: MacroContext, name: str, body: str, *args: Any, **kwargs: Any) -> None:
        nonlocal held
        held += len(body)
        assert held <= budget(text), "the definitions hold more than the spec's budget"
        define(self, name, body, *args, **kwargs)

    monkeypatch.setattr(MacroContext, "define", counting)
    spec = parse_spec(text, "x.spec")
    assert [source.value for source in spec.sources] == ["http://e/a.tar"]
    unread = [gap.detail for gap in spec.gaps if gap.kind.value == "spec-unreadable"]
    assert unread and unread[0].startswith("x.spec:20: %global a19 %{a18}%{a18}: its expansion passes")


def test_a_global_too_large_is_unknown_not_undefined() -> None:
    """A test of a name whose definition was not made is undecided, not "undefined"."""
    text = (
        doubling(19, "x")
        + PREAMBLE
        + "%if 0%{?a19:1}\nSource0: http://e/a\n%else\nSource0: http://e/b\n%endif\n"
    )
    spec = parse_spec(text, "x.spec")
    assert [source.value for source in spec.sources] == ["http://e/a", "http://e/b"]
    assert {gap.kind.value for gap in spec.gaps} == {"spec-unreadable", "undecided-conditional"}


def _limit_memory() -> None:
    limit = 2 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_the_cli_reads_a_spec_of_global_copies_in_bounded_memory(tmp_path: Path) -> None:
    """The red-team's 104 KB spec: 5,000 copies of a 1 MiB body took 4 GB, then MemoryError (exit 4)."""
    spec = tmp_path / "copies.spec"
    copies = "".join(f"%global b{i} %{{a20}}\n" for i in range(5000))
    spec.write_text(doubling(20, "x") + copies + PREAMBLE + "Source0: http://e/a.tar\n" + TAIL)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            str(spec),
            "--format",
            "json",
            "--cache-dir",
            str(tmp_path / "c"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        preexec_fn=_limit_memory,
        timeout=600,
    )
    assert done.returncode != 4, done.stderr
    assert "spec-unreadable" in done.stdout


# -- the spec's budget of expansion (finding 02) ----------------------------------------------------


def counted_references(monkeypatch: pytest.MonkeyPatch, limit: int) -> list[int]:
    """Count `MacroContext._one` calls (one per macro reference expanded); fail past ``limit``."""
    calls = [0]
    one = MacroContext._one

    def counting(self: MacroContext, *args: Any) -> tuple[str, int]:
        calls[0] += 1
        assert calls[0] <= limit, "more expansion steps than the spec's budget allows"
        return one(self, *args)

    monkeypatch.setattr(MacroContext, "_one", counting)
    return calls


def test_lines_of_references_share_the_spec_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """a18 is 262,144 references to an undefined macro; each line reading it expanded them all."""
    text = doubling(18, "%{u}") + "%global c %{a18}\n" * 20 + PREAMBLE + "Source0: http://e/a\n" + TAIL
    calls = counted_references(monkeypatch, budget(text) // REFERENCE_COST + 1000)
    spec = parse_spec(text, "x.spec")
    assert calls[0] > 0
    assert [source.value for source in spec.sources] == ["http://e/a"]
    assert any("budget of macro expansion" in gap.detail for gap in spec.gaps)


def test_what_lies_behind_the_spent_budget_is_not_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Vendor and a Source defined after the budget is spent: not read, and the spec says so."""
    text = doubling(18, "%{u}") + "%global c %{a18}\n" * 30
    text += "%global vendor Citrix\n%global url https://citrix.example\n"
    text += PREAMBLE + "Source0: %{url}/a.tar\n" + TAIL
    counted_references(monkeypatch, budget(text) // REFERENCE_COST + 1000)
    spec = parse_spec(text, "x.spec")
    assert [source.value for source in spec.sources] == ["%{url}/a.tar"]
    assert spec.packages[0].vendor is None, "a cut text is no value"
    assert {gap.kind.value for gap in spec.gaps} == {"spec-unreadable", "unexpanded-source"}
    for package in packages_from_spec(spec, "x.spec"):
        assert "spec-unreadable" in {gap.kind.value for gap in package.gaps}, package.name


def test_the_budget_follows_the_spec_size() -> None:
    """A spec's own lines are never what spends it: 20,000 lines of macros are read whole."""
    text = (
        PREAMBLE
        + "%global base http://e\n"
        + "".join(f"Source{i}: %{{base}}/%{{name}}-{i}.tar\n" for i in range(20000))
    )
    spec = parse_spec(text + TAIL, "x.spec")
    assert spec.sources[-1].value == "http://e/x-19999.tar"
    assert spec.gaps == ()


# -- %if nesting (finding 03) ---------------------------------------------------------------------


class CountingFrames(list[Any]):
    looked_at = 0
    limit = 0

    def __iter__(self) -> Iterator[Any]:
        for frame in super().__iter__():
            CountingFrames.looked_at += 1
            assert CountingFrames.looked_at <= CountingFrames.limit, "every line looks at every frame"
            yield frame


def test_deep_if_nesting_costs_the_same_per_line(monkeypatch: pytest.MonkeyPatch) -> None:
    depth = 3000
    text = PREAMBLE + "%if 1\n" * depth + "Source0: http://e/a\n" + "%endif\n" * depth
    text += "%if 0%{?rhel}\n" * depth + "Source1: http://e/b\n" + "%endif\n" * depth + TAIL
    CountingFrames.looked_at, CountingFrames.limit = 0, 4 * len(text.split("\n"))
    init = conditionals.Conditionals.__init__

    def counting(self: conditionals.Conditionals, *args: Any) -> None:
        init(self, *args)
        self.frames = CountingFrames()

    monkeypatch.setattr(conditionals.Conditionals, "__init__", counting)
    spec = parse_spec(text, "x.spec")
    assert [source.value for source in spec.sources] == ["http://e/a", "http://e/b"]
    assert len(spec.undecided) == depth


# -- joining continued lines (finding 04) -----------------------------------------------------------


class CountingTokens:
    """`readline._LINE_TOKENS`, counting the characters it scans."""

    def __init__(self, limit: int) -> None:
        self.scanned = 0
        self.limit = limit
        self.pattern = readline._LINE_TOKENS

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        self.scanned += len(text)
        assert self.scanned <= self.limit, "lines scanned again and again"
        return self.pattern.finditer(text)


@pytest.mark.parametrize(
    "text",
    [
        PREAMBLE + "# %{\n" * 2000 + "Source0: http://e/a\n" + TAIL,  # never closed: rpm refuses it
        PREAMBLE + "Source0: http://e/a%{nil} " + " \\\n" * 20000 + "\n" + TAIL,
        PREAMBLE + "%if 1 %{?x: \\\n" + "%{?x} \\\n" * 20000 + "}\nSource0: http://e/a\n%endif\n" + TAIL,
    ],
    ids=["unclosed", "backslashes", "directive"],
)
def test_joining_lines_scans_each_about_once(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = CountingTokens(readline.MAX_UNCLOSED_READS * len(text) + 2 * len(text) + 65536)
    monkeypatch.setattr(readline, "_LINE_TOKENS", counter)
    spec = parse_spec(text, "x.spec")
    assert spec.sources[0].value.startswith("http://e/a")
    assert counter.scanned > 0


def test_lines_read_alone_past_the_budget_are_a_gap() -> None:
    text = PREAMBLE + "# %{\n" * 2000 + "Source0: http://e/a\n" + TAIL
    spec = parse_spec(text, "x.spec")
    assert [source.value for source in spec.sources] == ["http://e/a"]
    (gap,) = spec.gaps
    assert (
        gap.kind.value == "spec-unreadable" and "read one by one, not joined as rpm joins them" in gap.detail
    )


def whole_text_continues(text: str) -> bool:
    """The definition (rpm's ``copyNextLineFromOFI``), on the whole text joined so far."""
    depth = {"{": 0, "(": 0, "[": 0}
    closers = {"}": "{", ")": "(", "]": "["}
    for match in re.finditer(r"\\.?|%[{(\[%]|[{}()\[\]]", text, re.DOTALL):
        token = match.group()
        if token == "\\":
            return True
        if token[0] == "%":
            if token[1] != "%":
                depth[token[1]] += 1
        elif token in depth:
            if depth[token]:
                depth[token] += 1
        elif token in closers and depth[closers[token]]:
            depth[closers[token]] -= 1
    return any(depth.values())


def whole_text_logical_line(lines: list[str], index: int) -> tuple[str, int]:
    text = lines[index]
    end = index + 1
    while end < len(lines) and whole_text_continues(text):
        text += "\n" + lines[end]
        end += 1
    if end == len(lines) and end > index + 1 and whole_text_continues(text):
        return lines[index], index + 1
    return text, end


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="%{}()[]\\ a", max_size=8), min_size=1, max_size=12))
def test_lines_are_joined_as_the_whole_text_says(lines: list[str]) -> None:
    joiner = readline.LineJoiner(lines)
    for index in range(len(lines)):
        assert joiner.logical_line(index) == whole_text_logical_line(lines, index)


def test_expansion_steps_are_counted_at_every_level() -> None:
    """The budget is spent by the references of nested bodies too, not only by a line's own."""
    context = MacroContext()
    context.allow(0)
    context.define("r", "%{u}" * 1000)
    context.define("s", "%{r}" * 1000)
    assert macros.TOO_LARGE in context.expand("%{s}").unexpanded
    assert context.exhausted and context.cut_counts == (1, 0)
    assert context.expand("%{nil}").text == "%{nil}", "once spent, a text with a macro stays as written"
    assert context.expand("plain").unexpanded == []


def test_gaps_every_package_carries_are_bounded_and_still_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each package of a spec carries the spec's gaps: 200 undecided ``%if`` lines and 50
    subpackages were 10,200 gap entries (a 1,000-line spec, 1,000 and 300 made a 119 MB report).
    Past `MAX_LISTED_PER_KIND` of a kind, one gap counts the rest, so every total is exact."""
    from auditor.cli.main import main
    from auditor.rpm.gaps import MAX_LISTED_PER_KIND

    conditionals = "".join(f"%if 0%{{?x{i}}}\nBuildRequires: b{i}\n%endif\n" for i in range(200))
    subpackages = "".join(
        f"%package p{j}\nSummary: s\n%description p{j}\nd\n%files p{j}\n" for j in range(50)
    )
    spec = tmp_path / "big.spec"
    spec.write_text(PREAMBLE + conditionals + TAIL + subpackages)
    code = main(["scan", str(spec), "--no-cache", "-q", "--strict", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 3
    assert len(report["packages"]) == 52  # the source package, the main one and 50 others
    for package in report["packages"]:
        undecided = [gap for gap in package["gaps"] if gap["kind"] == "undecided-conditional"]
        assert len(undecided) == MAX_LISTED_PER_KIND + 1
        assert sum(gap.get("count", 1) for gap in undecided) == 200
        assert "136 more, not listed one by one" in undecided[-1]["detail"]
    assert report["completeness"]["reasons"] == [{"reason": "undecided-conditional", "count": 200 * 52}]
    jsonschema.validate(report, json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text()))


# -- the entries of one dependency line ------------------------------------------------------------


def test_the_entries_of_a_dependency_line_are_told_apart_without_comparing_each_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A macro of n names, required by a line: each entry was looked for in the list of those
    before it, n x n / 2 comparisons (2,000 names required by 300 subpackages: 137 s). Entries
    are equal only when their hashes are, so a dict compares the few written twice."""
    from auditor.rpm.model import Dependency

    n = 3000
    compared = 0
    equal = Dependency.__eq__

    def counting(self: Dependency, other: object) -> bool:
        nonlocal compared
        compared += 1
        assert compared <= 4 * n, "entries compared pair by pair"
        return equal(self, other)

    monkeypatch.setattr(Dependency, "__eq__", counting)
    names = " ".join(f"n{i}" for i in range(n))
    text = f"%global names {names}\n" + PREAMBLE + "Requires: %{names} n7 n7\n" + TAIL
    [package] = parse_spec(text, "x.spec").packages
    assert [dependency.name for dependency in package.requires] == [f"n{i}" for i in range(n)]


def test_a_dependency_list_of_many_macros_is_split_in_time_linear_in_it(tmp_path: Path) -> None:
    """``BuildRequires: x%{a0} x%{a1} ...``, none of the macros defined: rpm keeps each as
    written, one requirement a name (rpmspec says so below on three). Each macro the reader
    left as written was looked for, then replaced, in the whole list (fdff272f made every such
    macro a run kept whole): 40,000 of them took 13 seconds, 100,000 minutes."""
    few = "Name: m\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildRequires: x%{a0} x%{a1} x%{a2}\n"
    spec = tmp_path / "m.spec"
    spec.write_text(few + "%description\nd\n")
    done = subprocess.run(
        ["rpmspec", "-q", "--srpm", "--qf", "[%{REQUIRENAME}\\n]", str(spec)], capture_output=True, text=True
    )
    assert done.stdout.split() == ["x%{a0}", "x%{a1}", "x%{a2}"], done.stderr
    count = 40_000
    text = few.replace("x%{a0} x%{a1} x%{a2}", " ".join(f"x%{{a{number}}}" for number in range(count)))
    spec_read = parse_spec(text + "%description\nd\n", "m.spec")
    assert [item.name for item in spec_read.build_requires] == [f"x%{{a{number}}}" for number in range(count)]


# -- scriptlets of many subpackages (redteam62) ----------------------------------------------------


def test_a_scriptlet_finds_its_package_without_looking_at_every_subpackage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``%post qI`` of each of n subpackages: the package of each scriptlet was looked for in the
    list of every subpackage declared before it, n x n / 2 names read. A source RPM's spec is read
    as its rebuild's (one given alone): 20,000 such subpackages (a 2 MB spec) took 40 s a reading,
    4 MB of them minutes. Each scriptlet now finds its package by its name."""
    from auditor.rpm.spec import parser
    from auditor.rpm.spec.result import PackageDraft

    n = 2000
    read = 0

    class CountingDraft(PackageDraft):
        def __getattribute__(self, name: str) -> Any:
            nonlocal read
            if name == "name":
                read += 1
                assert read <= 20 * n, "each scriptlet looked at every subpackage"
            return super().__getattribute__(name)

    monkeypatch.setattr(parser, "PackageDraft", CountingDraft)
    subpackages = "".join(
        f"%package q{i}\nSummary: s\n%description q{i}\nd\n%post q{i}\ntrue\n%files q{i}\n" for i in range(n)
    )
    spec = parse_spec(PREAMBLE + TAIL + subpackages, "x.spec")
    assert [package.name for package in spec.packages[1:]] == [f"x-q{i}" for i in range(n)]
    assert all("/bin/sh" in {item.name for item in package.requires} for package in spec.packages[1:])
