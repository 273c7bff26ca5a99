"""A taint's text says which way its origin package fails independence.

One origin package can hold a package back twice: a Citrix host and a proprietary licence are
two facts, with two fingerprints a waiver or a baseline names one by one. Their texts read the
same before (``depends on firmware-1.0-1.noarch (1 hop)``), so the table, ``why`` and
``check`` listed one line twice, and nobody could tell which fact a line was.
"""

from __future__ import annotations

from auditor.audit.facts import FactKind
from auditor.reports.render import render_pieces
from tests.report_cases import CITRIX, audit_of, view_of


def test_each_category_of_one_origin_package_reads_as_its_own_fact() -> None:
    audit = audit_of(
        [
            {"name": "firmware", **CITRIX, "license": "Proprietary"},
            {"name": "needs-firmware", "requires": ["firmware"]},
        ]
    )
    [result] = [result for result in audit.results if result.package.name == "needs-firmware"]
    taints = [fact for fact in result.facts if fact.kind is FactKind.DEPENDS]

    assert sorted(fact.text for fact in taints) == [
        "depends on firmware-1.0-1.noarch (citrix, 1 hop)",
        "depends on firmware-1.0-1.noarch (proprietary, 1 hop)",
    ]
    assert len({fact.fingerprint for fact in taints}) == 2

    pieces = render_pieces("markdown", view_of(audit))
    table = "".join(piece.decode() if isinstance(piece, bytes) else piece for piece in pieces)
    for fact in taints:
        assert fact.text in table
