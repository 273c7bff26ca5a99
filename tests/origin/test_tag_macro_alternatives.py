"""A macro a tag defines (``%{url}``) has each value the tag may have (red team rt3).

``URL: https://%{host}/p`` after ``%global host`` in both branches of an undecided ``%if`` has
two values, and both were judged; but ``Source1: %{url}/b.tar.gz`` read only the last branch's:
a policy that allows the URL field, or a host rule limited to Sources, left the Citrix reading of
Source1 unjudged.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.origin.scanned import scan_report

SPEC = """%if 0%{?rhel}
%global host downloads.citrix.com
%else
%global host example.org
%endif
Name: tm
Version: 1.0
Release: 1
Summary: s
License: MIT
BuildArch: noarch
URL: https://%{host}/p
Source1: %{url}/b.tar.gz

%description
d

%files
"""


def test_a_source_reading_a_tag_macro_has_each_value_of_the_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "tm.spec"
    spec.write_text(SPEC)
    # The authority: each way the build host decides the %if.
    expected = set()
    for defines in ([], ["--define", "rhel 8"]):
        printed = subprocess.run(
            ["rpmspec", "-P", *defines, str(spec)], capture_output=True, text=True, check=True
        ).stdout
        expected |= {line.split(": ", 1)[1] for line in printed.splitlines() if line.startswith("Source1:")}
    assert expected == {"https://example.org/p/b.tar.gz", "https://downloads.citrix.com/p/b.tar.gz"}
    code, report, _ = scan_report(capsys, spec)
    (source,) = (package for package in report["packages"] if package["kind"] == "source")
    assert {item["value"] for item in source["sources"] if item["number"] == 1} == expected
    assert ("source1", "https://downloads.citrix.com/p/b.tar.gz") in {
        (finding["field"], finding["value"]) for finding in source["findings"]
    }
    assert code == 1
