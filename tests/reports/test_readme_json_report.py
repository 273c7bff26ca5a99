"""The README's account of the JSON report and its schema name the same keys.

A program is written against the README as much as against the schema: every key the schema
declares is said where the README documents the JSON report ("The JSON report"), and every key
the README names there, or elsewhere as "the JSON report's `KEY`", is one the schema declares.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SCHEMA: dict[str, Any] = json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text(encoding="utf-8"))
KEY = re.compile(r"^\$?[a-z][a-z_]*$")


def _section() -> str:
    start = README.index("\n### The JSON report\n")
    return README[start : README.index("\n### ", start + 1)]


def _walk(node: Any, keys: set[str], values: set[str]) -> None:
    if isinstance(node, dict):
        keys.update(node.get("properties", {}))
        values.update(str(value) for value in node.get("enum", ()) if isinstance(value, str))
        for child in node.values():
            _walk(child, keys, values)
    elif isinstance(node, list):
        for child in node:
            _walk(child, keys, values)


def schema_words() -> tuple[set[str], set[str]]:
    """Every key the schema declares, at any depth, and every string value it enumerates."""
    keys: set[str] = set()
    values: set[str] = set()
    _walk(SCHEMA, keys, values)
    return keys, values


def test_the_readme_describes_every_key_of_the_schema() -> None:
    keys, _ = schema_words()
    named = set(re.findall(r"`([^`]+)`", _section()))
    missing = sorted(keys - named)
    assert not missing, f"the README's JSON report section names no {missing}"


def test_every_key_the_readme_names_in_its_json_section_is_in_the_schema() -> None:
    """A word in code in the section is a key or one of the values the schema enumerates."""
    keys, values = schema_words()
    named = {word for word in re.findall(r"`([^`]+)`", _section()) if KEY.match(word)}
    unknown = sorted(named - keys - values)
    assert not unknown, f"the README's JSON report section names {unknown}, which the schema does not declare"


def test_every_key_the_readme_says_the_json_report_has_is_in_the_schema() -> None:
    """ "The JSON report's `summary.blocking`", "the JSON's `warnings`"...: each part is a key."""
    keys, _ = schema_words()
    said = re.findall(r"JSON report's `([a-z_.]+)`", README.replace("\n", " "))
    assert "summary.blocking" in said and "chain_shortened" not in said
    said += re.findall(r"JSON report says so in the package's `([a-z_]+)`", README)
    unknown = sorted(path for path in said if not set(path.split(".")) <= keys)
    assert not unknown, f"the README says the JSON report has {unknown}, which the schema does not declare"
