"""A JSON report read a package line at a time means what it means read whole.

`auditor.gate.report_side` reads a report laid out as the auditor writes it (its head, then one
package a line) one package at a time, so that comparing two distributions' reports does not
hold every package's objects at once; any other layout is read whole. Both readings of the same
document must give the same side, and a file one reading refuses the other refuses too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.core.errors import InputError
from auditor.gate import report_side
from auditor.gate.sides import Side
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.json"
    main(["scan", "-q", str(EXAMPLE / "repo"), str(EXAMPLE / "srpms"), "--format", "json", "-o", str(path)])
    return path


def _read(path: Path) -> tuple[Side, int]:
    """The side, and how many packages were decoded one line at a time."""
    lines = 0
    real = report_side._packages

    def counted(*args: Any) -> Any:
        nonlocal lines
        for item in real(*args):
            lines += 1
            yield item

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_side, "_packages", counted)
        return report_side.side_of_report(str(path)), lines


def _compared(side: Side) -> tuple[Any, ...]:
    return (side.packages, side.present, side.run_facts, side.blocking, side.incomplete, side.unaccepted)


def test_a_report_read_a_line_at_a_time_is_the_report_read_whole(report: Path, tmp_path: Path) -> None:
    by_line, lines = _read(report)
    document = json.loads(report.read_bytes())
    assert lines == len(document["packages"]) == 31
    whole = tmp_path / "whole.json"
    whole.write_text(json.dumps(document, indent=1))  # another layout: read whole
    read_whole, none = _read(whole)
    assert none == 0
    assert _compared(by_line) == _compared(read_whole)
    for fingerprint in {fact.fingerprint for _, fact in by_line.keyed_facts()}:
        assert by_line.reach(fingerprint) == read_whole.reach(fingerprint)


def test_a_package_line_that_is_no_json_sends_the_file_to_the_whole_reading(
    report: Path, tmp_path: Path
) -> None:
    text = report.read_text()
    broken = tmp_path / "broken.json"
    head, packages = text.split('"packages": [', 1)
    broken.write_text(head + '"packages": [' + packages.replace('{"name"', '{"name" ', 1).replace("}", "", 1))
    with pytest.raises(InputError, match="not a JSON report"):
        report_side.side_of_report(str(broken))


def test_a_package_over_several_lines_is_read_whole(report: Path, tmp_path: Path) -> None:
    """A package an editor spread over lines holds the separator: its pieces are no JSON, so
    the file is read whole, and means the same."""
    document = json.loads(report.read_bytes())
    text = report.read_text()
    first = json.dumps(document["packages"][0], ensure_ascii=False, separators=(",", ":"))
    assert first in text
    spread_out = tmp_path / "spread.json"
    spread_out.write_text(text.replace(first, first.replace(',"version"', ',\n    "version"'), 1))
    side, _ = _read(spread_out)
    assert _compared(side) == _compared(_read(report)[0])


def test_a_head_that_names_packages_too_is_read_whole(report: Path, tmp_path: Path) -> None:
    """JSON takes the last of two keys: a head with a ``packages`` of its own is read whole,
    where the later array wins, as it does here."""
    text = report.read_text()
    doubled = tmp_path / "doubled.json"
    doubled.write_text(text.replace("{\n", '{\n  "packages": [],\n', 1))
    side, lines = _read(doubled)
    assert lines == 0
    assert _compared(side) == _compared(_read(report)[0])


@pytest.mark.parametrize(
    "encoded",
    [
        lambda line: b"\xef\xbb\xbf" + line,
        lambda line: line.decode().encode("utf-16-le"),
        lambda line: line.decode().encode("utf-32-be"),
    ],
    ids=["byte-order-mark", "utf-16", "utf-32"],
)
def test_a_package_line_in_another_encoding_is_refused_as_the_whole_reading_refuses_it(
    report: Path, tmp_path: Path, encoded: Any
) -> None:
    """Given bytes, `json.loads` guesses their encoding: each line guessed anew read a line in
    UTF-16, or after a byte-order mark, in a file that is no JSON read whole."""
    data = report.read_bytes()
    separator = b",\n    "
    first = data.index(separator, data.index(b'"packages": [')) + len(separator)
    end = data.index(separator, first)
    mixed = tmp_path / "mixed.json"
    mixed.write_bytes(data[:first] + encoded(data[first:end]) + data[end:])
    with pytest.raises(ValueError):
        json.loads(mixed.read_bytes())
    with pytest.raises(InputError, match="not a JSON report"):
        report_side.side_of_report(str(mixed))
