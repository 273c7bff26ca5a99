"""A package's value plants no link in a SARIF message.

In a SARIF message's plain text, ``[text](target)`` is an embedded link (SARIF 2.1.0, 3.11.6),
which a viewer may show as a link named by the package's author, to wherever they like. Where
one could form, the brackets are escaped with a backslash, as the standard writes literal
ones; other messages keep their brackets as they are. The package is built by rpmbuild.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.rpmbuild import binary_of

SPEC = """\
Name: planted
Version: 1.0
Release: 1
Summary: a vendor whose name holds a link
License: MIT
Vendor: Citrix Systems [the fix](https://evil.example/fix)
URL: https://example.org/planted
BuildArch: noarch
%description
x
%files
"""
LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")
"""An embedded link's start, its brackets unescaped."""


def test_a_value_that_spells_a_link_is_shown_with_its_brackets_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = binary_of(SPEC, tmp_path)
    assert main(["scan", "--format", "sarif", str(binary)]) == 1
    (run,) = json.loads(capsys.readouterr().out)["runs"]
    texts = [result["message"]["text"] for result in run["results"]]
    texts += [note["message"]["text"] for note in run["invocations"][0]["toolExecutionNotifications"]]
    vendor = [text for text in texts if "Citrix Systems" in text]
    assert vendor and all(r"\[the fix\](https://evil.example/fix)" in text for text in vendor), vendor
    assert not [text for text in texts if LINK.search(text)]
    # the value itself, in the result's properties, is as the package gives it
    values = [result["properties"].get("value") for result in run["results"]]
    assert "Citrix Systems [the fix](https://evil.example/fix)" in values
