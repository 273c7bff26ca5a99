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
from collections.abc import Callable
from typing import Any

import pytest

from auditor.audit import plan as plan_module
from auditor.audit.plan import Plan, make_plan
from auditor.deps import cleanway, noclean
from auditor.deps.edges import reverse
from auditor.deps.spread import origin_of, spread, spread_without
from tests.report_cases import CITRIX, audit_of

CAPABILITIES = ("liba", "libb", "libc", "libd")
SOURCES = ("cx-one", "cx-two", "cx-three")


def _providers(chance: random.Random, add: Callable[[dict[str, Any]], None]) -> list[str]:
    """One to three providers of each capability, some Citrix's (in one of a few source
    packages), each given to ``add``; the names of the clean ones."""
    clean: list[str] = []
    for capability in CAPABILITIES:
        for number in range(chance.randint(1, 3)):
            name = f"{capability}-p{number}"
            spec: dict[str, Any] = {"name": name, "provides": [capability]}
            if chance.random() < 0.45:
                spec.update(CITRIX, sourcerpm=f"{chance.choice(SOURCES)}-1.0-1.src.rpm")
            else:
                clean.append(name)
            add(spec)
    return clean


def random_run(seed: int) -> list[dict[str, Any]]:
    """Providers of a few capabilities (some Citrix's, in a few source packages, some clean and
    conflicting with each other), and layers of packages requiring them and each other."""
    chance = random.Random(seed)
    specs: list[dict[str, Any]] = []
    clean = _providers(chance, specs.append)
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

    def counting(*args: Any, **kwargs: Any) -> noclean.CleanWays:
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


def _restricted_and_whole(audit: Any) -> tuple[Any, Any]:
    def plan_of() -> tuple[dict[str, list[int]], list[int]]:
        plan = make_plan(audit)
        return _holds_back(plan), sorted(plan.needs_more)

    restricted = plan_of()
    with pytest.MonkeyPatch.context() as everywhere:
        everywhere.setattr(plan_module, "reach_of", lambda graph, _: set(range(len(graph.packages))))
        return restricted, plan_of()


def test_a_binary_whose_source_is_context_is_held_by_what_blocks_the_source() -> None:
    """A binary is blocked when its source package is; the source of a binary the run audits
    may be context only, outside what the plan counts. ``s`` has no buildroot free of Citrix
    (``clean-a`` conflicts with ``clean-b``): asked only of ``bin``'s run-time reach, its
    buildroot was never asked, and the plan said replacing ``cxc``, which nothing needs,
    clears ``bin``."""
    specs: list[dict[str, Any]] = [
        {"name": "cx-a", "provides": ["liba"], **CITRIX, "sourcerpm": "cxa-1.0-1.src.rpm"},
        {"name": "cx-b", "provides": ["libb"], **CITRIX, "sourcerpm": "cxb-1.0-1.src.rpm"},
        {"name": "cx-c", **CITRIX, "sourcerpm": "cxc-1.0-1.src.rpm"},
        {"name": "clean-a", "provides": ["liba"], "conflicts": ["clean-b"]},
        {"name": "clean-b", "provides": ["libb"]},
        {"name": "bin", "sourcerpm": "s-1.0-1.src.rpm"},
    ]
    audit = audit_of(specs, [{"name": "s", "arch": "src", "requires": ["liba", "libb"]}])
    restricted, whole = _restricted_and_whole(audit)
    assert restricted == whole
    assert restricted[0]["cxc"] == []


def random_run_with_sources(seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``random_run``'s providers, and source packages whose BuildRequires and binaries join the
    layers; some of the packages are context only (the run's second list)."""
    chance = random.Random(seed)
    audited: list[dict[str, Any]] = []
    context: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}

    def put(spec: dict[str, Any]) -> None:
        by_name[spec["name"]] = spec
        (context if chance.random() < 0.3 else audited).append(spec)

    clean = _providers(chance, put)
    for name in clean:
        others = [other for other in clean if other != name]
        if others and chance.random() < 0.4:
            by_name[name]["conflicts"] = [chance.choice(others)]
    layers: list[str] = []
    for number in range(chance.randint(2, 5)):
        source = f"src{number}"
        wanted = chance.sample(
            (*CAPABILITIES, *layers), chance.randint(1, min(3, len(CAPABILITIES) + len(layers)))
        )
        put({"name": source, "arch": "src", "requires": wanted})
        for binary in range(chance.randint(1, 2)):
            spec: dict[str, Any] = {"name": f"{source}-b{binary}", "sourcerpm": f"{source}-1.0-1.src.rpm"}
            if chance.random() < 0.6:
                spec["requires"] = chance.sample((*CAPABILITIES, *layers), chance.randint(1, 2))
            if clean and chance.random() < 0.2:
                spec["conflicts"] = [chance.choice(clean)]
            put(spec)
            layers.append(spec["name"])
    for number in range(chance.randint(1, 5)):
        wanted = chance.sample((*CAPABILITIES, *layers), chance.randint(1, 3))
        audited.append({"name": f"app{number}", "requires": wanted})
        layers.append(f"app{number}")
    return audited, context


def test_asking_what_reaches_gives_the_plan_asking_everything_with_sources_and_context() -> None:
    """Seeds 427 and 518 are runs whose plan differed before the reach followed a binary to
    its source package."""
    for seed in range(600):
        audited, context = random_run_with_sources(seed)
        restricted, whole = _restricted_and_whole(audit_of(audited, context))
        assert restricted == whole, f"seed {seed}"


def _propagating_everything(audit: Any) -> tuple[Any, Any]:
    """The plan, and the plan propagating the whole graph again for each group (what
    `auditor.deps.spread.spread_without` stands for)."""

    def plan_of() -> tuple[dict[str, list[int]], list[int]]:
        plan = make_plan(audit)
        return _holds_back(plan), sorted(plan.needs_more)

    narrowed = plan_of()
    with pytest.MonkeyPatch.context() as everywhere:
        everywhere.setattr(
            plan_module,
            "spread_without",
            lambda graph, _whole, origin, _removed, edges: spread(graph, origin, edges, clean_ways=False),
        )
        return narrowed, plan_of()


def test_propagating_only_what_may_need_a_group_gives_the_plan_propagating_everything() -> None:
    """Both random shapes above, sources, BuildRequires and context included."""
    cleared = 0
    for seed in range(300):
        narrowed, whole = _propagating_everything(audit_of(random_run(seed)))
        assert narrowed == whole, f"seed {seed}"
        cleared += sum(1 for held in narrowed[0].values() if held)
    for seed in range(600):
        audited, context = random_run_with_sources(seed)
        narrowed, whole = _propagating_everything(audit_of(audited, context))
        assert narrowed == whole, f"seed {seed} with sources"
        cleared += sum(1 for held in narrowed[0].values() if held)
    assert cleared >= 300  # not vacuous: many groups hold something back


def test_spread_without_a_group_is_the_spread_of_the_others() -> None:
    """The plan's first look at each group is only a filter (the second propagates whole), so
    an answer tainting too little would only cost time there: the answer itself is checked."""
    compared = differed = 0
    for seed in range(300):
        # A third shape: origin packages that need others (an origin package among those that
        # may need a group is a seed of its own).
        needing = random_run(seed + 1000)
        chance = random.Random(seed)
        for spec in needing:
            if spec.get("vendor") and chance.random() < 0.5:
                spec["requires"] = [chance.choice(CAPABILITIES)]
        shapes = (random_run(seed), needing, *([random_run_with_sources(seed)[0]] if seed % 2 else []))
        audits = [audit_of(specs) for specs in shapes] + [audit_of(*random_run_with_sources(seed))]
        for audit in audits:
            edges = reverse(audit.graph.runtime)
            origin = origin_of(audit.findings)
            whole = spread(audit.graph, origin, edges, clean_ways=False).tainted
            groups: dict[str, set[int]] = {}
            for index in origin:
                package = audit.packages[index]
                groups.setdefault(package.source_name or package.name, set()).add(index)
            for members in groups.values():
                others = origin - members
                narrowed = spread_without(audit.graph, whole, others, members, edges)
                expected = spread(audit.graph, others, edges, clean_ways=False)
                assert (narrowed.tainted, narrowed.depends, narrowed.blocked) == (
                    expected.tainted,
                    expected.depends,
                    expected.blocked,
                ), f"seed {seed}"
                compared += 1
                differed += expected.tainted != whole
    assert compared >= 1000 and differed >= 200  # not vacuous: removing a group often changes something
