"""Texts of the SBOMs written without the encoders (`jsonlines.indented`) a distribution's
document has too many of to afford: each must be what the encoder writes, whatever the
strings hold (non-ASCII, quotes, controls, lone surrogates)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.reports import cyclonedx, jsonlines


@settings(max_examples=300, deadline=None)
@given(
    ref=st.text(max_size=12),
    targets=st.lists(st.text(max_size=12), max_size=4),
    depth=st.integers(min_value=0, max_value=3),
)
def test_a_dependency_entry_is_written_as_the_encoder_writes_its_object(
    ref: str, targets: list[str], depth: int
) -> None:
    """CycloneDX's ``dependencies``: one entry a component (60,000 in a distribution's document)."""
    written = {"ref": ref, "dependsOn": targets} if targets else {"ref": ref}
    assert cyclonedx.dependency_text((ref, targets), depth) == jsonlines.indented(
        written, depth, sort_keys=True
    )
