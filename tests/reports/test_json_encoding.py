"""The JSON writers give the bytes the json module gives, whatever the text: the JSON report's
compact package encoder, and the indented writer of the SBOMs, the model and SARIF."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.core.pathtext import path_text
from auditor.reports import jsonlines
from auditor.reports.jsonlines import SPOOL_PIECE, encode_item, indented, indented_array


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


def test_a_file_name_that_is_not_utf8_is_written_with_its_byte_escaped() -> None:
    """As every format writes it (`auditor.core.pathtext`): as U+FFFD, two names read alike."""
    item = {"location": "Packages/caf\udce9.rpm"}  # os.fsdecode of b"caf\xe9.rpm"
    assert encode_item(item) == b'{"location":"Packages/caf\\\\xe9.rpm"}'
    assert json.loads(encode_item(item)) == {"location": "Packages/caf\\xe9.rpm"}


@pytest.mark.parametrize(
    "hops",
    [
        [{"from": "a-1-1.noarch", "to": "b-1-1.noarch", "alternatives": 2, "tainted": True}],
        [{"from": "a", "to": "Ünïcödé ✓ \u2028", "n": -(2**40)}, {"from": "b", "to": 'q"\\\x00'}],
        [{"from": "a", "to": "b"}, {"from": "caf\udce9", "to": "b"}],  # one that cannot be held encoded
    ],
)
@pytest.mark.parametrize("surrogate", ["", "caf\udce9.rpm"])
def test_values_held_encoded_are_written_as_the_values(hops: list[dict[str, Any]], surrogate: str) -> None:
    """A value an item holds `encoded` (the JSON report's hops) is written as the value itself,
    on the fast path and on the json module's, which an item's lone surrogate takes."""
    item = {"location": f"Packages/{surrogate}", "chain": hops}
    held = {"location": item["location"], "chain": [jsonlines.encoded(hop) for hop in hops]}
    assert encode_item(held) == encode_item(item)  # which the tests above hold to the json module's
    if not surrogate and hops[-1]["from"] != "caf\udce9":  # all UTF-8: the json module's own bytes
        assert encode_item(held) == reference(item)


TEXTS: list[Any] = [
    {"name": "plain", "epoch": 0, "blocking": False, "gate": None, "facts": [], "nested": {}, "n": -(2**40)},
    {"summary": 'quotes " and \\ back\\slash, tab\t, newline\n, NUL\x00, DEL\x7f, \x1b[31m'},
    {"vendor": "Ünïcödé ✓ 漢字 \U0001f600", "line separators": "\u2028\u2029", "bidi": "\u202e"},
    {"z": 1, "a": {"c": [1, {"b": 2, "a": [[], {}]}], "b": None}, "é": "sorted by code point"},
    {"location": "Packages/caf\udce9.rpm", "list": ["\udcff", "ok"]},  # not UTF-8: json's path
    [],
    "a string alone",
]


def as_written(value: Any) -> Any:
    """``value`` with a file name's bytes that are not UTF-8 as every format writes them (``\\xff``)."""
    if isinstance(value, str):
        return path_text(value)
    if isinstance(value, list):
        return [as_written(item) for item in value]
    if isinstance(value, dict):
        return {key: as_written(item) for key, item in value.items()}
    return value


@pytest.mark.parametrize("value", TEXTS)
@pytest.mark.parametrize("depth", [0, 1, 3])
@pytest.mark.parametrize("sort_keys", [False, True])
@pytest.mark.parametrize("ascii_only", [True, False])
def test_the_indented_writer_writes_what_the_json_module_writes(
    value: Any, depth: int, sort_keys: bool, ascii_only: bool
) -> None:
    expected = json.dumps(as_written(value), indent=2, sort_keys=sort_keys, ensure_ascii=ascii_only)
    expected = expected.replace("\n", "\n" + "  " * depth)
    assert indented(value, depth, sort_keys=sort_keys, ascii_only=ascii_only) == expected


@pytest.mark.parametrize("count", [0, 1, 3])
@pytest.mark.parametrize("depth", [1, 3])
def test_an_array_written_in_pieces_is_the_json_modules_array(
    count: int, depth: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [dict(TEXTS[position % 4], position=position) for position in range(count)]
    expected = json.dumps({"items": items}, indent=2, ensure_ascii=False)[2:-2].replace(
        "\n", "\n" + "  " * (depth - 1)
    )
    for piece_size in (1, SPOOL_PIECE):
        monkeypatch.setattr(jsonlines, "SPOOL_PIECE", piece_size)
        pieces = list(indented_array("items", items, depth=depth, ascii_only=False))
        assert "".join(pieces).strip() == expected.strip()
        assert len(pieces) == (count + 1 if piece_size == 1 and count else 1)


def _made_now(value: Any) -> Any:
    """``value`` with every `LazyArray` made into the list it gives."""
    if isinstance(value, jsonlines.LazyArray):
        return [_made_now(item) for item in value.items()]
    if isinstance(value, dict):
        return {key: _made_now(item) for key, item in value.items()}
    return value


def _lazy(items: list[Any]) -> jsonlines.LazyArray:
    return jsonlines.LazyArray(lambda: iter(items))


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_head_with_arrays_made_as_written_is_the_json_modules_head(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [dict(TEXTS[position % 5], position=position) for position in range(count)]
    data = {
        "schema": "Ünïcödé \U0001f600",
        "gate": {"blocking": _lazy(items), "fixed": [], "inner": {"waived": _lazy(items[:1]), "n": 1}},
        "plain": {"a": [1, {}], "b": None},
        "rests": _lazy(items),
        "packages": ["never written by the head"],
    }
    whole = json.dumps({**_made_now(data), "packages": [{"x": 1}]}, indent=2, ensure_ascii=False)
    expected = whole[: whole.index('"packages": [') + len('"packages": [')]
    for piece_size in (1, SPOOL_PIECE):
        monkeypatch.setattr(jsonlines, "SPOOL_PIECE", piece_size)
        assert "".join(jsonlines.head(data, "packages")) == expected
