"""Why a waiver is stale, said in the JSON report as the table and ``auditor why`` say it: the
JSON's ``gate.stale_waivers`` named each waiver and left out why it accepted nothing, so a
program reading the report could not tell a waiver of a package gone (remove it) from one an
earlier waiver shadows (reorder) or one whose ``reaches`` no longer covers its taint (review)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from auditor.gate.options import GateOptions
from auditor.reports.render import FORMATS
from tests.report_cases import CITRIX, TODAY, audit_of, view_of, waiver
from tests.reports.test_json_keys_declared import SCHEMA


def test_each_stale_waiver_says_why_in_the_json_in_the_tables_words() -> None:
    specs: list[dict[str, Any]] = [{"name": "vendor", **CITRIX}]
    waivers = [waiver("vendor", "first"), waiver("vendor", "shadowed"), waiver("gone-package", "gone")]
    view = view_of(audit_of(specs), waivers, GateOptions(today=TODAY))
    document = json.loads(FORMATS["json"](view))
    whys = {item["id"]: item.get("why") for item in document["gate"]["stale_waivers"]}
    assert whys == {
        "shadowed": "accepts nothing: the facts it matches need no waiver, or an earlier waiver accepts them",
        "gone": "matches nothing",
    }
    table = FORMATS["table"](view)
    for waiver_id, why in whys.items():
        assert f"stale waiver {waiver_id} (" in table and f"): {why}" in table
    jsonschema.validate(document, SCHEMA)
    item = SCHEMA["properties"]["gate"]["properties"]["stale_waivers"]["items"]
    assert "why" in item["required"] and "why" in item["properties"]
