"""A file name that is not UTF-8 is written with its bytes as ``\\xff`` escapes, the same in every
format and on standard error (`auditor.core.pathtext`): as U+FFFD, ``a<0xff>.rpm`` and
``a<0xfe>.rpm`` read alike, and a reader could not tell which file a finding or an error is
about. SARIF's artifact URIs percent-encode the byte (``a%FF.rpm``), as a URI must."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.reports.render import FORMATS
from tests.conftest import RPMS, errors_of

GOOD = RPMS / "single-deps-1.0-1.noarch.rpm"
GOOD_NAMES = (b"a\xff.rpm", b"a\xfe.rpm")
DAMAGED_NAMES = (b"b\xfd.rpm", b"b\xfc.rpm")
JSON_FORMATS = {"json", "model", "sarif", "cyclonedx", "spdx"}
XML_FORMATS = {"junit", "graphml"}
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[str, ...]:
    """One real RPM under both good names, and a file that is no RPM under both damaged ones, as
    argv gives them to the auditor (``os.fsdecode``)."""
    directory = os.fsencode(tmp_path / "in")
    os.mkdir(directory)
    for name in GOOD_NAMES:
        shutil.copy(os.fsencode(GOOD), os.path.join(directory, name))
    for name in DAMAGED_NAMES:
        with open(os.path.join(directory, name), "wb") as stream:
            stream.write(b"\xed\xab\xee\xdb not an RPM")
    return tuple(os.fsdecode(os.path.join(directory, name)) for name in GOOD_NAMES + DAMAGED_NAMES)


def shown(path: str) -> str:
    """How a reader must see ``path``: its bytes that are not UTF-8 as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (*strings(key), *strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


def read(fmt: str, text: str) -> str:
    """What a reader of ``fmt`` reads in ``text``: the strings of a JSON document, the text and
    attributes of an XML one, a page's text, DOT's quoted strings unquoted, else the text."""
    if fmt in JSON_FORMATS:
        return "\n".join(strings(json.loads(text)))
    if fmt in XML_FORMATS:
        root = ET.fromstring(text)
        return "\n".join(
            [*root.itertext(), *(value for node in root.iter() for value in node.attrib.values())]
        )
    if fmt == "html":
        return html.unescape(text)
    if fmt == "dot":
        return "\n".join(re.sub(r"\\(.)", r"\1", quoted) for quoted in QUOTED.findall(text))
    return text


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_names_each_file_distinguishably(
    fmt: str, inputs: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / f"report.{fmt}"
    code = main(["scan", *inputs, "--format", fmt, "-o", str(report), "-q", "--no-cache"])
    err = capsys.readouterr().err
    assert code == 3  # the damaged files are input errors
    said = read(fmt, report.read_bytes().decode("utf-8"))  # strict: the whole report is UTF-8
    assert "\ufffd" not in said
    good, damaged = inputs[:2], inputs[2:]
    if fmt == "sarif":  # the packages are located by URI, the byte percent-encoded
        assert "a%FF.rpm" in said and "a%FE.rpm" in said
        good = ()
    if fmt == "inventory":  # a table of packages, naming no file (the damaged ones are counted)
        good = damaged = ()
    for path in (*good, *damaged):
        assert shown(path) in said, (fmt, shown(path))
    assert [line.partition(": truncated RPM: ")[0] for line in errors_of(err)] == [
        f"auditor: error: {shown(path)}" for path in inputs[2:]
    ]


def test_an_unreadable_file_is_one_error_line_naming_its_bytes(
    inputs: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = inputs[2:]
    code = main(["scan", *damaged, "-q", "--no-cache"])
    err = capsys.readouterr().err
    assert code == 3
    lines = errors_of(err)
    assert len(lines) == 2 and len(set(lines)) == 2
    for line, path in zip(lines, damaged, strict=True):
        assert line.startswith(f"auditor: error: {shown(path)}: ")
        assert shown(path).endswith(("b\\xfd.rpm", "b\\xfc.rpm"))
