"""Macros nested past rpm's ``max_macro_depth``: where rpm fails, the reader stops at once.

rpm (``rpmio/macro.c``, ``expandMacro``) counts a level for each expansion, the line's own
and a body without any ``%`` included, and fails the expansion past 64 ("Too many levels of
recursion in macro expansion"). The reader cuts the line there too, as a gap: reading on at
that depth was how a self-calling macro of a few bytes spent the spec's whole budget of
expansion on every line that named it.

Each chain below is compared with ``rpmspec -P`` (the authority) just below and at the
depth where rpm fails. ``%[...]`` is left out on purpose: rpm expands an expression's
macros in a fresh buffer, so a chain of expressions never fails there, where the reader
counts the levels on and cuts it at 32 (a gap, never a value rpm would not give).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.macros import MAX_WORK, WORK_PER_BYTE, MacroContext
from auditor.rpm.spec.parser import parse_spec

PREAMBLE = "Name: chain\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%define m0 1\n"
TAIL = "%description\nd\n%files\n"

CHAINS = {
    "a body naming the next": ("%define m{i} %{{m{j}}}", "%{{m{n}}}"),
    "a parametric body": ("%define m{i}() %{{m{j}}}", "%{{m{n}}}"),
    "an argument passed on": ("%define m{i}() %{{m{j} %1}}", "%{{m{n} x}}"),
    "a conditional expansion": ("%define m{i} %{{?m{j}:%{{m{j}}}}}", "%{{m{n}}}"),
    "an %{expand:}": ("%define m{i} %{{expand:%{{m{j}}}}}", "%{{m{n}}}"),
}
"""Each kind of nesting: its definition of level ``i`` and what the URL line names."""


def chain(kind: str, levels: int) -> str:
    definition, use = CHAINS[kind]
    lines = [definition.format(i=i, j=i - 1) for i in range(1, levels + 1)]
    return PREAMBLE + "\n".join(lines) + f"\nURL: https://example.org/{use.format(n=levels)}\n" + TAIL


def rpm_fails(tmp_path: Path, text: str) -> bool:
    tool = shutil.which("rpmspec")
    assert tool, "rpmspec is the authority here: install rpm (Debian package rpm)"
    spec = tmp_path / "chain.spec"
    spec.write_text(text)
    done = subprocess.run(
        [tool, "-P", str(spec)],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LC_ALL": "C"},
        check=False,
    )
    return "Too many levels of recursion" in done.stderr


def too_deep(text: str) -> list[str]:
    return [
        gap.detail
        for gap in parse_spec(text, "chain.spec").gaps
        if gap.kind is GapKind.SPEC_UNREADABLE and "max_macro_depth" in gap.detail
    ]


@pytest.mark.parametrize("kind", sorted(CHAINS))
def test_the_reader_cuts_a_chain_where_rpm_fails_it(kind: str, tmp_path: Path) -> None:
    failing = next(n for n in range(20, 80) if rpm_fails(tmp_path, chain(kind, n)))
    for levels in (failing - 1, failing, failing + 1):
        text = chain(kind, levels)
        assert bool(too_deep(text)) == rpm_fails(tmp_path, text), (kind, levels)
    assert too_deep(chain(kind, failing))[0].startswith("chain.spec:")


def test_a_self_calling_macro_costs_its_depth_not_the_spec_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fifty lines naming a macro that calls itself: each is cut at rpm's depth, a gap apiece,
    and together they spend a small part of what the spec's size allows (before, the first
    line spent the whole of it, about two seconds, and every later line went unread)."""
    lines = "".join("Requires: %{f -a x y}\n" for _ in range(50))
    text = PREAMBLE + "%define f(a:b) %{-a*}%{1}%{2}%{f %{1} %{2}}\n" + lines + TAIL
    contexts: list[MacroContext] = []
    allow = MacroContext.allow

    def remember(self: MacroContext, size: int) -> None:
        allow(self, size)
        contexts.append(self)

    monkeypatch.setattr(MacroContext, "allow", remember)
    assert len(too_deep(text)) == 50
    context = contexts[-1]
    assert not context.exhausted
    budget = MAX_WORK + WORK_PER_BYTE * (len(text) + 1)
    assert budget - context.work_left < budget // 20
