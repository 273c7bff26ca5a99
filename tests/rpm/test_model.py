"""The package model's helpers."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.rpm.model import Package, PackageKind, with_fields

BASE = Package(
    "xapi", 1, "1.0", "2", "x86_64", PackageKind.BINARY, "Packages/xapi.rpm", "repo", "xapi-1.0-2.src.rpm",
    vendor="XCP-ng", header_range=(96, 4504),
)  # fmt: skip
FIELDS = [field.name for field in dataclasses.fields(Package)]


@given(st.dictionaries(st.sampled_from(FIELDS), st.none() | st.text(max_size=5), max_size=4))
def test_with_fields_is_dataclasses_replace(changes: dict[str, Any]) -> None:
    made, expected = with_fields(BASE, **changes), dataclasses.replace(BASE, **changes)
    # Every field, the ones a Package leaves out of its equality too (notes, header_range).
    assert [getattr(made, name) for name in FIELDS] == [getattr(expected, name) for name in FIELDS]


def test_with_fields_refuses_a_field_the_model_lacks() -> None:
    with pytest.raises(TypeError, match="no field 'colour'"):
        with_fields(BASE, colour="red")
