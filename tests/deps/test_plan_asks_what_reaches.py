"""The plan's clean-way check, asked only where an answer can reach what it counts, against the
same check asked everywhere, on random runs.

`auditor.audit.plan.make_plan` propagates again once per origin group, and asks the clean-way
check (`auditor.deps.cleanway`) only of the packages `auditor.deps.spread.reach_of` gives: the
packages whose taint it counts, and everything they may need. Asking the whole graph gave the
same plan in six times the time on distro-60k; these runs hold the two to the same plan where
the check finds something, conflicts between clean providers included.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from auditor.audit import plan as plan_module
from auditor.audit.plan import Plan, make_plan
from auditor.deps import cleanway
from tests.report_cases import CITRIX, audit_of

CAPABILITIES = ("liba", "libb", "libc", "libd")
SOURCES = ("cx-one", "cx-two", "cx-three")


def random_run(seed: int) -> list[dict[str, Any]]:
    """Providers of a few capabilities (some Citrix's, in a few source packages, some clean and
    conflicting with each other), and layers of packages requiring them and each other."""
    chance = random.Random(seed)
    specs: list[dict[str, Any]] = []
    clean: list[str] = []
    for capability in CAPABILITIES:
        for number in range(chance.randint(1, 3)):
            name = f"{capability}-p{number}"
            spec: dict[str, Any] = {"name": name, "provides": [capability]}
            if chance.random() < 0.45:
                spec.update(CITRIX, sourcerpm=f"{chance.choice(SOURCES)}-1.0-1.src.rpm")
            else:
                clean.append(name)
            specs.append(spec)
    for name in clean:
        if chance.random() < 0.4:
            others = [other for other in clean if other != name]
            if others:
                next(spec for spec in specs if spec["name"] == name)["conflicts"] = [chance.choice(others)]
    layers: list[str] = []
    for number in range(chance.randint(3, 8)):
        name = f"app{number}"
        wanted = chance.sample(
            (*CAPABILITIES, *layers), chance.randint(1, min(3, len(CAPABILITIES) + len(layers)))
        )
        spec = {"name": name, "requires": wanted}
        if clean and chance.random() < 0.25:
            spec["conflicts"] = [chance.choice(clean)]
        specs.append(spec)
        layers.append(name)
    return specs


def _holds_back(plan: Plan) -> dict[str, list[int]]:
    return {item.source: item.holds_back for item in plan.items}


def test_asking_what_reaches_gives_the_plan_asking_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    found_in_plans = 0
    real_check = cleanway.without_clean_way

    def counting(*args: Any, **kwargs: Any) -> cleanway.CleanWays:
        nonlocal found_in_plans
        answer = real_check(*args, **kwargs)
        if kwargs.get("only") is not None and answer.found:
            found_in_plans += 1
        return answer

    monkeypatch.setattr(cleanway, "without_clean_way", counting)
    for seed in range(300):
        audit = audit_of(random_run(seed))
        restricted = _holds_back(make_plan(audit))
        with monkeypatch.context() as everywhere:
            everywhere.setattr(plan_module, "reach_of", lambda graph, _: set(range(len(graph.packages))))
            whole = _holds_back(make_plan(audit))
        assert restricted == whole, f"seed {seed}"
    # Not vacuous: the plans' own clean-way checks found packages with no clean way.
    assert found_in_plans >= 10
