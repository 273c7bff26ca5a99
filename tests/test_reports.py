"""The report formats, against the real RPM fixtures and small universes built in memory."""

from __future__ import annotations

from typing import Any

from auditor.audit import AuditOptions, AuditResult, audit_packages
from auditor.policy import load_policy
from auditor.reports.view import chain_text, reason, verdicts_by_index
from auditor.reports.why import render_why
from auditor.sources import LoadResult
from tests.universe import universe

CITRIX = {"vendor": "Citrix Systems, Inc."}


def universe_audit(specs: list[dict[str, Any]], **options: Any) -> AuditResult:
    packages = universe(specs)
    return audit_packages(
        AuditOptions(targets=("universe",), **options),
        load_policy(),
        LoadResult(packages=packages),
        LoadResult(),
    )


def test_hops_say_whether_every_provider_is_tainted() -> None:
    audit = universe_audit(
        [
            {"name": "xenlicense", **CITRIX, "provides": ["licensing", "vendorlib"]},
            {"name": "xenlicense2", **CITRIX, "provides": ["vendorlib"]},
            {"name": "freelicense", "provides": ["licensing"]},
            {"name": "chooser", "requires": ["licensing"]},
            {"name": "above", "requires": ["chooser"]},
            {"name": "stuck", "requires": ["vendorlib"]},
        ]
    )
    (chooser,) = audit.by_name("chooser")
    (above,) = audit.by_name("above")
    (stuck,) = audit.by_name("stuck")
    assert "(for licensing, 2 providers, not all tainted)" in reason(chooser, audit)
    assert "all 2 providers tainted" not in render_why(audit, "chooser")[0]
    assert "(for vendorlib, all 2 providers tainted)" in reason(stuck, audit)
    # A later hop of a chain is described from its own source's verdict.
    assert "2 providers, not all tainted" in chain_text(
        above, audit.packages, verdicts=verdicts_by_index(audit)
    )
    assert "one of 2 providers" in chain_text(above, audit.packages)
