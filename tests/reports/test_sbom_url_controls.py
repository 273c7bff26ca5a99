"""A control character in a package's URL reaches the SBOMs percent-encoded as itself.

Written as U+FFFD first and then percent-encoded, ``https://example.org/a<BEL>b`` became
``https://example.org/a%EF%BF%BDb``: a valid URL to another page, with nothing to say it was
changed (rt29). As ``%07`` it is the package's own URL, which a reader can decode. The package
is built by rpmbuild (its Lua writes the character no spec line can hold).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.rpmbuild import binary_of

SPEC = """\
%global bel %{lua: print(utf8.char(7))}
Name: controls
Version: 1.0
Release: 1
Summary: a URL with a control character
License: MIT
URL: https://example.org/a%{bel}b
BuildArch: noarch
%description
x
%files
"""


def test_a_control_character_in_a_url_is_percent_encoded_as_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = binary_of(SPEC, tmp_path)
    main(["scan", "--format", "json", str(binary)])
    (package,) = json.loads(capsys.readouterr().out)["packages"]
    assert package["url"] == "https://example.org/a\x07b"  # as rpm wrote it
    main(["scan", "--format", "cyclonedx", str(binary)])
    (component,) = json.loads(capsys.readouterr().out)["components"]
    websites = [ref["url"] for ref in component["externalReferences"] if ref["type"] == "website"]
    assert websites == ["https://example.org/a%07b"]
    main(["scan", "--format", "spdx", str(binary)])
    (described,) = json.loads(capsys.readouterr().out)["packages"]
    assert described["homepage"] == "https://example.org/a%07b"
