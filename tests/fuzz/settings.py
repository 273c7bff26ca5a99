"""The one hypothesis profile of the fuzz tests: each file says only how many examples it draws."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


def fuzz_settings(default: int, *, shared_fixtures: bool = True) -> settings:
    """``default`` examples a test, or ``AUDITOR_FUZZ_EXAMPLES`` for a longer hunt; no deadline (a
    stall drawn on purpose is no failure); the same examples replayed under CI, new ones explored
    on a developer's machine. ``shared_fixtures``: function-scoped fixtures (a temporary directory,
    capsys) are shared by a test's examples on purpose, each example making its own directory
    under them; elsewhere hypothesis still says when one is."""
    checks = [HealthCheck.too_slow, HealthCheck.data_too_large]
    return settings(
        max_examples=int(os.environ.get("AUDITOR_FUZZ_EXAMPLES", str(default))),
        deadline=None,
        derandomize=bool(os.environ.get("CI")),
        suppress_health_check=[*checks, HealthCheck.function_scoped_fixture] if shared_fixtures else checks,
    )
