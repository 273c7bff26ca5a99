"""A value that looks like a number is shown as the package gives it in every table for people.

tabulate, left to itself, reads a column whose every cell looks like a number as numbers and
prints them its own way: a licence "2.10" as 2.1, a vendor "1e5" as 100000, a packager "007" as 7.
The package is built by rpmbuild, so the values are what rpm writes into a header.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tabulate import tabulate

from auditor.cli.main import main
from auditor.reports.text import simple_table
from tests.rpmbuild import binary_of

SPEC = """\
Name: numbers
Version: 1.0
Release: 1
Summary: values that look like numbers
License: 2.10
Vendor: 1e5
Packager: 007
URL: https://example.org/numbers
BuildArch: noarch
%description
A package whose licence, vendor and packager read as numbers.
%files
"""


def test_inventory_shows_each_value_as_the_header_holds_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = binary_of(SPEC, tmp_path)
    main(["scan", "--format", "inventory", str(binary)])
    out = capsys.readouterr().out
    (row,) = [line.split() for line in out.splitlines() if line.startswith("numbers-")]
    vendor, packager, licence = row[5], row[6], row[8]
    assert (vendor, packager, licence) == ("1e5", "007", "2.10"), out


def test_counts_are_aligned_as_tabulate_aligns_numbers() -> None:
    counts = [["a", "7"], ["bb", "12"]]
    assert simple_table(counts, ["name", "count"], right=(1,)) == tabulate(
        counts, headers=["name", "count"], tablefmt="simple"
    )
    shown = simple_table([["a", "2.10"], ["bb", "1e5"]], ["name", "licence"])
    assert [line.split() for line in shown.splitlines()[2:]] == [["a", "2.10"], ["bb", "1e5"]]


def test_a_table_without_rows_aligns_no_header_right() -> None:
    assert simple_table([], ["#", "name"], right=(0,)) == tabulate(
        [], headers=["#", "name"], tablefmt="simple"
    )
