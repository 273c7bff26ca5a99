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


SEPARATED = [
    "%{g a\nb c}",
    "%{g a\rb\tc}",
    "%{g a\vb\fc}",
    "%{g a\xa0b  c}",
    "%{g \n a b\n}",
    "%{g a\x1fb c\x1f d}",
    "%{g \x1f\x1f b}",
    "%{g a \x1fb}",
]
"""rpm 4.18 splits a call's arguments at blanks and tabs only (``splitQuoted``): a line break or
another white space stays in its argument, and none between two unit separators (the marks of
``%{quote:}``), a last word whose mark is not closed being lost (specfuzz58)."""


def test_arguments_are_split_at_blanks_and_tabs_only(tmp_path: Path) -> None:
    definition = "%define g() [%1|%2|%3|%#]"
    command = ["rpm", "--eval", definition]
    for call in SEPARATED:
        command += ["--eval", f"@{call}@"]
    environment = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LC_ALL": "C.UTF-8"}
    done = subprocess.run(command, capture_output=True, check=True, env=environment)
    expected = [part for part in done.stdout.decode().split("@") if part.startswith("[")]
    assert expected[0] == "[a\nb|c|%3|2]"  # the control
    macros = MacroContext()
    macros.expand(definition)
    assert [macros.expand(call).text for call in SEPARATED] == expected


def test_a_line_break_in_an_argument_hides_no_citrix_host(tmp_path: Path) -> None:
    """``%{f example.org\\<newline>x code.citrite.net}``: rpm's %2 is the Citrix host; the
    reader, splitting at the line break too, read ``x``, a clean Source, with no gap."""
    text = (
        f"{HEADER}%define f() https://%2/x\n%global h %{{f example.org\\\nx code.citrite.net}}\n"
        "Source1: %{h}\n%description\nd\n%files\n"
    )
    assert "Source1: https://code.citrite.net/x" in rpmspec(tmp_path, text, "-P")  # the control
    spec = parse_spec(text, "case.spec")
    assert "https://code.citrite.net/x" in {source.value for source in spec.sources}
