"""The JSON report's package encoder gives the bytes the json module gives, whatever the text."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.reports.jsonlines import encode_item


def reference(item: dict[str, Any]) -> bytes:
    text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode("utf-8")


@pytest.mark.parametrize(
    "item",
    [
        {"name": "plain", "epoch": 0, "blocking": False, "gate": None, "facts": [], "waived_by": ()},
        {"summary": 'quotes " and \\ back\\slash, tab\t, newline\n, NUL\x00, DEL\x7f, \x1b[31m'},
        {"vendor": "Ünïcödé ✓ 漢字 \U0001f600", "line separators": "\u2028\u2029", "bidi": "\u202e"},
        {"epoch": 2**40, "buildtime": -1, "nested": {"deep": [[1, "x"], {"y": None}]}},
    ],
)
def test_the_fast_encoder_writes_what_the_json_module_writes(item: dict[str, Any]) -> None:
    assert encode_item(item) == reference(item)


def test_a_file_name_that_is_not_utf8_is_written_as_the_replacement_character() -> None:
    item = {"location": "Packages/caf\udce9.rpm"}  # os.fsdecode of b"caf\xe9.rpm"
    assert encode_item(item) == '{"location":"Packages/caf\ufffd.rpm"}'.encode()
    assert json.loads(encode_item(item)) == {"location": "Packages/caf\ufffd.rpm"}
