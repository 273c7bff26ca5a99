"""Whether a package's Supplements is met by what a transaction installs, as dnf decides it.

dnf (``install_weak_deps``, its default) installs a package whose Supplements is fulfilled by
the packages it installs. libsolv's ``solver_dep_fulfilled`` evaluates a rich Supplements as a
boolean over the installed set: ``(A unless B else C)`` is C when B is installed and A when it
is not, ``(A if B)`` is "A or not B". The resolver's groups cannot say that: they over-state a
*requirement* by counting both branches, which for a Supplements would demand both.

The auditor knows only what may be installed (every alternative of a requirement counted) and
what surely is (the roots, and the one provider of a plain requirement of a package surely
installed). A condition is therefore read in three values: a package is pulled in when its
Supplements *may* be met, so a negation (``unless``, the false branch of ``if``) is met unless
its operand is surely installed. This can audit a package dnf would not install; never miss one
it would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from auditor.core.errors import DependencySyntaxError
from auditor.deps.provides import ProvidesIndex
from auditor.deps.resolution import Resolution, Status
from auditor.deps.rich import Evaluation
from auditor.rpm.deps import Node, RichOp, Simple, parse
from auditor.rpm.model import Dependency
from auditor.rpm.package_fields import DependencyKind


@dataclass(frozen=True, slots=True)
class Condition:
    """A rich dependency read as a condition on the installed packages: ``op`` over ``operands``
    (for IF/UNLESS: then, condition[, else]); a capability (and a ``with``/``without``, met by one
    package on its own, as libsolv's whatprovides answers it) is met by any of ``providers``."""

    op: RichOp | None
    providers: frozenset[int] = frozenset()
    operands: tuple[Condition, ...] = ()

    def met_by(self, installed: set[int]) -> set[int]:
        """The packages of ``installed`` that provide one of its capabilities: those whose
        installation may meet it."""
        found = set(installed.intersection(self.providers))
        for operand in self.operands:
            found |= operand.met_by(installed)
        return found

    def watched(self) -> set[int]:
        """Every package whose installation can change whether it may hold: `may_hold` looks at
        nothing else (and only grows as ``possible`` does), so it need not be asked again before
        one of them is installed."""
        found = set(self.providers)
        for operand in self.operands:
            found |= operand.watched()
        return found

    def may_hold(self, possible: set[int], certain: set[int]) -> bool:
        """Whether it may hold when the packages installed are among ``possible`` and include ``certain``."""
        return self._values(possible, certain)[0]

    def _values(self, possible: set[int], certain: set[int]) -> tuple[bool, bool]:
        """(may hold, surely holds)."""
        if self.op is None:
            return not possible.isdisjoint(self.providers), not certain.isdisjoint(self.providers)
        values = [operand._values(possible, certain) for operand in self.operands]
        if self.op is RichOp.AND:
            return all(may for may, _ in values), all(must for _, must in values)
        if self.op is RichOp.OR:
            return any(may for may, _ in values), any(must for _, must in values)
        then, condition = values[0], values[1]
        if len(values) == 3:  # B ? A : C for if-else, B ? C : A for unless-else
            when_true, when_false = (then, values[2]) if self.op is RichOp.IF else (values[2], then)
            return _choose(condition, when_true, when_false)
        if self.op is RichOp.IF:  # A or not B
            return then[0] or not condition[1], then[1] or not condition[0]
        return then[0] and not condition[1], then[1] and not condition[0]  # A and not B


def _choose(
    condition: tuple[bool, bool], when_true: tuple[bool, bool], when_false: tuple[bool, bool]
) -> tuple[bool, bool]:
    may = (condition[0] and when_true[0]) or (not condition[1] and when_false[0])
    must = (condition[1] and when_true[1]) or (not condition[0] and when_false[1])
    return may, must


def condition(dep: Dependency, index: ProvidesIndex) -> Condition | None:
    """``dep`` as a condition on the installed packages (None: it does not parse)."""
    if not dep.is_rich:
        return Condition(None, frozenset(index.providers(dep)))
    try:
        node = parse(dep.name)
    except DependencySyntaxError:
        return None
    return _compile(node, Evaluation(index))


def _compile(node: Node, evaluation: Evaluation) -> Condition:
    if isinstance(node, Simple) or node.op in (RichOp.WITH, RichOp.WITHOUT):
        return Condition(None, frozenset(evaluation.providers(node)))
    return Condition(node.op, operands=tuple(_compile(operand, evaluation) for operand in node.operands))


def supplementing(
    index: ProvidesIndex, requirements: Mapping[int, Sequence[Resolution]], installable: Iterable[int]
) -> list[tuple[int, Dependency, Condition]]:
    """(package id, the Supplements, its condition) for each Supplements of the installable
    packages. Every one, met or not by the resolver's reading: ``(A if B else C)`` may be
    fulfilled by C where A has no provider."""
    found = []
    for package in installable:
        for resolution in requirements.get(package, ()):
            if resolution.kind is DependencyKind.SUPPLEMENTS and resolution.status is not Status.INVALID:
                compiled = condition(resolution.dependency, index)
                if compiled is not None:
                    found.append((package, resolution.dependency, compiled))
    return found


def surely_installed(roots: Iterable[int], requirements: Mapping[int, Sequence[Resolution]]) -> set[int]:
    """The roots, and the one provider of a plain requirement of a package surely installed: what
    dnf installs whatever it chooses among alternatives (or it installs nothing)."""
    certain = set(roots)
    queue = list(certain)
    while queue:
        for resolution in requirements.get(queue.pop(), ()):
            if (
                resolution.kind is DependencyKind.REQUIRES
                and resolution.status is Status.SATISFIED
                and not resolution.dependency.is_rich
                and len(resolution.groups) == 1
                and len(resolution.groups[0]) == 1
                and resolution.groups[0][0] not in certain
            ):
                certain.add(resolution.groups[0][0])
                queue.append(resolution.groups[0][0])
    return certain
