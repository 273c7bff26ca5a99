"""The constructors that set a frozen dataclass's slots directly (`auditor.core.construct.direct_constructor`)
make the objects the dataclasses make: the same fields, defaults and equality, still frozen."""

from __future__ import annotations

import dataclasses

import pytest

from auditor.audit import facts
from auditor.audit.facts import Fact, FactKind
from auditor.core.construct import direct_constructor
from auditor.gate import ruling as rulings
from auditor.gate.decision import Disposition, Ruling
from auditor.origin.findings import Verdict
from auditor.reports import rows
from auditor.reports.rows import FactView, Gate, PackageView
from auditor.rpm.gaps import Gap, GapKind


def _gap() -> Fact:
    return Fact(
        FactKind.GAP,
        "gap:source-not-audited",
        3,
        "name",
        "x.src.rpm",
        "not seen: x",
        gap=Gap(GapKind.SOURCE_NOT_AUDITED, "x"),
    )


def test_a_fact_made_directly_is_the_dataclass_s() -> None:
    gap = Gap(GapKind.SOURCE_NOT_AUDITED, "x")
    made = facts._fact(FactKind.GAP, "gap:source-not-audited", 3, "name", "x.src.rpm", "not seen: x", gap=gap)
    expected = Fact(FactKind.GAP, "gap:source-not-audited", 3, "name", "x.src.rpm", "not seen: x", gap=gap)
    assert type(made) is Fact
    assert made == expected and repr(made) == repr(expected) and hash(made) == hash(expected)
    for field in dataclasses.fields(Fact):  # every slot set, the defaults as the dataclass has them
        assert getattr(made, field.name) == getattr(expected, field.name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.text = "changed"  # type: ignore[misc]
    assert dataclasses.replace(made, text="other").text == "other"


def test_rulings_and_rows_made_directly_are_the_dataclasses() -> None:
    fact = _gap()
    ruling = rulings._ruling(fact, Disposition.NOT_GATED)
    assert (
        ruling == Ruling(fact, Disposition.NOT_GATED)
        and ruling.waiver is None
        and ruling.beyond_baseline == ()
    )
    view = rows._fact_view(fact, ruling, fact.text)
    assert view == FactView(fact, ruling, fact.text)
    made = rows._package_view(None, (view,), Verdict.CLEAN, (), Gate.NONE, "", "", frozenset())  # type: ignore[arg-type]
    expected = PackageView(None, (view,), Verdict.CLEAN, (), Gate.NONE, "", "", frozenset())  # type: ignore[arg-type]
    assert made == expected and made.shared_nevras == frozenset()
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.status = Verdict.ORIGIN  # type: ignore[misc]


def test_only_frozen_dataclasses_with_slots_are_made_directly() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        value: int

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        value: int

    for cls in (NoSlots, NotFrozen):
        with pytest.raises(AssertionError):
            direct_constructor(cls)
