"""The profiler's stages name functions that exist: a rename in the auditor breaks it here, not
in the middle of someone's measurement."""

from __future__ import annotations

import importlib

from benchmarks.profile import STAGES


def test_every_stage_the_profiler_times_names_a_callable() -> None:
    for module_name, attribute, _ in STAGES:
        owner: object = importlib.import_module(module_name)
        for part in attribute.split("."):
            assert hasattr(owner, part), f"{module_name}.{attribute}: no {part}"
            owner = getattr(owner, part)
        assert callable(owner), f"{module_name}.{attribute} is not callable"
