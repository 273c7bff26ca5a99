"""A parametric call's arguments are expanded once, with the call (red team 38).

rpm >= 4.17 defines ``%1``, ``%*``, ``%{-f*}``... as literal (``ME_LITERAL``): reading them
gives the text the call's expansion made, not expanded again. The reader expanded it again,
so ``%global junk %{g %%{undefine:h}}`` undefined ``h`` for the reader alone, and a Source on
``%{h}`` was read with the clean value ``h`` had before, exactly, where rpm reads the Citrix
host. An rpm before 4.17 (XCP-ng 8.x's) does expand it again: there the value is a build host's.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.macros import MacroContext
from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import HEADER, rpmspec

DEFINITIONS = ["%define h downloads.citrix.com", "%define g() [%1|%*|%{?1}]", "%define f(a:) [%{-a*}|%{-a}]"]
CALLS = ["%{g %%{h}}", "%{g a b}", "%{f -a %%{h}}", "%{f -a %{h}}", "%{g:%%{?h}x}"]


def test_an_argument_is_read_as_the_call_made_it(tmp_path: Path) -> None:
    command = ["rpm"]
    for text in [*DEFINITIONS, *(f"@{call}" for call in CALLS)]:
        command += ["--eval", text]
    environment = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LC_ALL": "C"}
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
    expected = [line[1:] for line in done.stdout.splitlines() if line.startswith("@")]
    assert expected[0] == "[%{h}|%{h}|%{h}]"  # the control: rpm expands an argument once
    macros = MacroContext()
    for text in DEFINITIONS:
        macros.expand(text)
    assert [macros.expand(call).text for call in CALLS] == expected


def test_what_expanding_an_argument_again_would_do_is_a_maybe(tmp_path: Path) -> None:
    text = (
        f"{HEADER}%define h example.org\n%define h downloads.citrix.com\n%define g() %1\n"
        "%global junk %{g %%{undefine:h}}\nSource1: https://%{h}/literal.tar.gz\n%description\nd\n%files\n"
    )
    assert "Source1: https://downloads.citrix.com/literal.tar.gz" in rpmspec(tmp_path, text, "-P")  # control
    spec = parse_spec(text, "case.spec")
    read = {source.value for source in spec.sources}
    assert "https://downloads.citrix.com/literal.tar.gz" in read
    assert "https://example.org/literal.tar.gz" in read  # what an rpm before 4.17 reads
    assert GapKind.UNEXPANDED_SOURCE in {gap.kind for gap in spec.gaps}
