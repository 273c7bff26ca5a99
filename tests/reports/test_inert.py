"""Machine reports keep every value, and hold no CI command (`auditor.reports.inert`).

The authorities are the formats' own readers: `json.loads` and ElementTree must read back the
very values written, whatever pieces the JSON came in (text or UTF-8 bytes, cut anywhere
between characters); and no line may hold what Azure Pipelines or GitHub Actions run.
"""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from auditor.core.pathtext import path_text
from auditor.reports.inert import json_inert, label_inert, markup_inert
from auditor.reports.text import clean_text

_PIECES = ["#", "##", "vso[", "VsO[", "[", "a", "\u00e9", "\u20ac", "\\", '"', "\n", "::", " ", "x"]
_RUNNERS_WHITE_SPACE = ["\r", "\u00a0", "\u3000", "\u2028", "\t"]
"""A carriage return ends a runner's line; GitHub's trims the others before ``::``."""
_HOSTILE = st.lists(
    st.sampled_from([*_PIECES, *_RUNNERS_WHITE_SPACE]),
    max_size=14,
).map("".join)
_AZURE = re.compile(r"##vso\[|##\[", re.IGNORECASE)


_LINE_BREAK = re.compile("\r\n|\r|\n")
"""Where the runners' .NET ``StreamReader.ReadLine`` ends a line of a job's output."""
_NET_WHITE_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""What .NET's ``string.TrimStart()`` trims (``char.IsWhiteSpace``): GitHub's runner trims it
before it looks for ``::`` (ActionCommand.TryParseV2)."""
_GITHUB = re.compile(f"[{_NET_WHITE_SPACE}]*::")


def ci_commands(text: str) -> list[str]:
    """The lines a CI runner would act on, split and trimmed as the runners do."""
    return [line for line in _LINE_BREAK.split(text) if _AZURE.search(line) or _GITHUB.match(line)]


@given(
    st.lists(_HOSTILE, min_size=1, max_size=5),
    st.booleans(),
    st.lists(st.tuples(st.floats(0, 1), st.booleans()), max_size=8),
)
def test_json_in_any_pieces_reads_back_the_same_values(
    values: list[str], ascii_only: bool, cuts: list[tuple[float, bool]]
) -> None:
    document = json.dumps({"values": values}, ensure_ascii=ascii_only, indent=2)
    positions = sorted({int(where * len(document)) for where, _ in cuts} | {0, len(document)})
    kinds = [as_bytes for _, as_bytes in cuts] + [False]
    pieces: list[str | bytes] = []
    for (start, end), as_bytes in zip(itertools.pairwise(positions), kinds, strict=False):
        text = document[start:end]
        pieces.append(text.encode("utf-8") if as_bytes else text)
    written = "".join(
        piece.decode("utf-8") if isinstance(piece, bytes) else piece for piece in json_inert(pieces)
    )
    assert json.loads(written) == {"values": values}
    assert ci_commands(written) == []


@given(st.lists(_HOSTILE, min_size=1, max_size=4))
def test_xml_reads_back_the_same_text_and_attributes(values: list[str]) -> None:
    root = ET.Element("suite", {"name": values[0]})
    for value in values:
        ET.SubElement(root, "case", {"message": value}).text = value
    written = markup_inert(ET.tostring(root, encoding="unicode"))
    read = ET.fromstring(written)
    assert read.get("name") == values[0]
    assert [(case.get("message"), case.text or "") for case in read] == [(value, value) for value in values]
    assert ci_commands(written) == []


def test_a_graphviz_label_keeps_its_colours() -> None:
    assert label_inert('"x ##vso[y] ##[error]"') == '"x &#35;#vso[y] &#35;#[error]"'
    assert label_inert('"#ff0000"') == '"#ff0000"'  # a colour: no run, nothing changed


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_clean_text_replaces_exactly_what_xml_and_utf8_cannot_carry(text: str) -> None:
    """`clean_text` passes printable ASCII through without its pattern: the result is always the
    pattern's, for any text (controls, tab and newlines, U+FFFE), a lone surrogate (a file name's
    byte that is not UTF-8) written as every format writes it (`path_text`)."""
    expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", path_text(text))
    assert clean_text(text) == expected
    for kept in ("status", "a b~", "tab\there", "line\nnext", "\r"):
        assert clean_text(kept) == kept
