"""Rich (boolean) dependencies evaluated against the provides index of a run.

A requirement (`Evaluation.requirement`) is read as ``auditor.deps.resolve`` explains: whether
it is met, and its groups, a conjunction of alternatives (conjunctive normal form over the
providers) that a package with the requirement must meet. A Conflicts (`Evaluation.conflicting`)
is read as libsolv reads it: the package cannot be installed beside a set of packages on which
the expression is true.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from auditor.deps import richhosts
from auditor.deps.provides import ProvidesIndex
from auditor.deps.richhosts import Atom, Clause, on_every_host, possible
from auditor.rpm.deps import Node, RichOp, Simple, leaves, one_package_holds

MAX_CONDITIONS = 6
"""The most conditions a requirement is read on each host of (2**6 hosts). Past it, it is read
as needing every provider it names: never a cleaner answer than the exact one, said so."""

MAX_CLAUSES = 256
"""The most groups an ``or`` of conjunctions is expanded to (``(a1 and a2) or (b1 and b2)`` is
four: one alternative of each side per group). Past it the ``or`` is read as needing every
provider it names: never a cleaner answer than the exact one, and the requirement says so."""

_NEVER: Clause = frozenset()
"""The empty clause: what no installation meets."""


class Requirement(NamedTuple):
    """A requirement read against the run: `Resolution` of ``auditor.deps.resolution`` holds it."""

    met: bool
    groups: list[tuple[int, ...]]
    """Conjunction of alternatives. Met: every way of meeting the requirement installs one
    provider of each group, and a group of one is a provider needed whatever the choice.
    Unresolved: the groups it needs whatever provides what is missing (`_groups`)."""
    missing: list[str]
    rough: bool = False
    """Past `MAX_CLAUSES` or `MAX_CONDITIONS`: read as needing every provider it names."""
    every_host: tuple[tuple[int, ...], ...] = ()
    """Of `groups`, those needed on every host, whichever way its conditions go: ``(a if b
    else a)`` needs a, as a plain Requires does; all of them when no host can have a condition
    of it (``(a if nothing-provides-this else c)`` is c)."""


class Evaluation:
    """Evaluate rich dependency trees against the provides index."""

    def __init__(self, index: ProvidesIndex) -> None:
        self.index = index
        self._rough = False
        self._fixed: dict[int, list[Clause]] = {}
        """The clauses of each subtree no condition governs, by node id, for the requirement
        being read: the same on every host, so read once rather than once per host."""
        self._ungoverned: set[int] = set()
        """The ``and`` and ``or`` nodes of that requirement no condition is inside (`_survey`)."""
        self._hosts: list[tuple[dict[str, bool], list[Clause]]] | None = None
        """Each host on which the requirement being read can be met, and the clauses it needs
        there (`clauses`; None: no condition governs it)."""
        self._conditions: dict[str, Node] = {}
        """The conditions of that requirement, by their text."""
        self._provided: dict[int, frozenset[int]] = {}
        """`providers` of the nodes `_certain` reads, by node id: asked once per candidate of
        a Conflicts, n candidates would read the n providers of a leaf n times."""

    def providers(self, node: Node) -> tuple[int, ...]:
        """Packages that on their own satisfy ``node`` (for ``with``/``without``)."""
        if isinstance(node, Simple):
            return self.index.providers(node.dep)
        sets = [set(self.providers(operand)) for operand in node.operands]
        if node.op is RichOp.OR:
            return tuple(sorted(set().union(*sets)))
        if node.op in (RichOp.WITH, RichOp.AND):
            return tuple(sorted(set.intersection(*sets)))
        if node.op is RichOp.WITHOUT:
            return tuple(sorted(sets[0] - sets[1]))
        return tuple(sorted(sets[0]))  # if/unless: the consequent's providers

    def requirement(self, node: Node, given: frozenset[str] = frozenset()) -> Requirement:
        """``node`` read as a requirement: whether it is met (`met`) and what it needs (`clauses`).

        ``given``: conditions (by their text) every installation of the package has, as its
        other requirements install them (`auditor.deps.resolve`): only the hosts with them are
        read, unless none of those can meet the requirement."""
        met, missing = self.met(node)
        self._rough = False
        clauses = self.clauses(node, met)
        if given and self._hosts is not None:
            kept = [one for one in self._hosts if all(one[0].get(text, True) for text in given)]
            if kept and len(kept) < len(self._hosts):
                self._hosts = kept
                clauses = _distinct([clause for _host, found in kept for clause in found])
        always: set[tuple[int, ...]] = set()
        if self._hosts is not None and not self._rough:
            if met:  # a host one of whose clauses nothing in the run meets cannot install it;
                # the others meet theirs by what the run provides (`_groups`), as `triggers` reads
                # them too: on every host, (alt or (gone unless b else gone2)) needs alt
                self._hosts = [(on, list(map(frozenset, _groups(needs, met)))) for on, needs in self._hosts
                               if all(map(_names_a_package, needs))] or self._hosts  # fmt: skip
            hosts = self._hosts
            conditions = self._conditions.items()
            provided = {
                text: _leaf(self.providers(one), text) for text, one in conditions if one_package_holds(one)
            }
            held = richhosts.held(hosts, provided)
            clauses = _distinct(clauses + held)
            always.update(_groups(on_every_host(clauses, [found for _host, found in hosts]) + held, met))
        groups = _groups(clauses, met)
        if self._hosts is None and not self._rough:  # no condition any host can have: as written
            return Requirement(met, groups, [] if met else missing, False, tuple(groups))
        every_host = tuple(group for group in groups if group in always)
        return Requirement(met, groups, [] if met else missing, self._rough, every_host)

    def met(self, node: Node) -> tuple[bool, list[str]]:
        """Whether ``node`` is met for every user, as ``auditor.deps.resolve`` reads a conditional,
        and the capabilities nothing provides when it is not. ``(A unless B)`` is libsolv's "A,
        and not B": met when A is (a host with B cannot install the package: a conflict, not a
        requirement nothing provides)."""
        if isinstance(node, Simple):
            return (True, []) if self.index.providers(node.dep) else (False, [str(node.dep)])
        op = node.op
        if op is RichOp.AND or op is RichOp.OR:
            answers = [self.met(operand) for operand in node.operands]
            missing = [text for _met, found in answers for text in found]
            if op is RichOp.AND:
                return all(met for met, _found in answers), missing
            return (True, []) if any(met for met, _found in answers) else (False, missing)
        if op in (RichOp.WITH, RichOp.WITHOUT):
            return (True, []) if self.providers(node) else (False, [str(node)])
        then, condition, otherwise = node.operands[0], node.operands[1], node.otherwise
        possible = self.met(condition)[0]
        if op is RichOp.IF:
            if possible:
                return self.met(then)
            return self.met(otherwise) if otherwise is not None else (True, [])
        if otherwise is not None and possible:  # (A unless B else C): a user with B needs C
            return self.met(otherwise)
        return self.met(then)

    def clauses(self, node: Node, met: bool = False) -> list[Clause]:
        """What ``node`` needs, in conjunctive normal form over package ids and missing capabilities.

        ``and`` and ``or`` are exact (an ``or`` of conjunctions is their cross product:
        ``(a or (b and c))`` needs a or b, and a or c). A condition is the host's, not the
        package's choice: without B, which is how dnf installs the package alone, ``(A if B
        else C)`` installs C, and with B it installs A. So each host (each condition that can be
        installed at all, installed or not) is read on its own, as libsolv reads the expression
        there, and what any of them needs is needed: ``(A unless B)`` is libsolv's "A, and not
        B" (rpm's "A or B" differs; rpmbuild refuses it in a Requires but inside an ``or``).
        A host on which the requirement cannot be met at all (B beside ``(A unless B)``) cannot
        install the package: a conflict, no question of taint; nor can one that lacks a condition
        meeting it there installs (`auditor.deps.richhosts.possible`, ``met`` as `met` says). Past
        `MAX_CONDITIONS`, every atom the expression names is needed (`rough`).
        """
        found_conditions: dict[str, Node] = {}
        self._ungoverned = set()
        self._hosts = None
        self._survey(node, found_conditions)
        conditions = list(found_conditions)
        if len(conditions) > MAX_CONDITIONS:
            self._rough = True
            return [frozenset((atom,)) for atom in dict.fromkeys(self._atoms(node))]
        if not conditions:
            return self._clauses(node, {})
        hosts: list[tuple[dict[str, bool], list[Clause]]] = []
        self._fixed.clear()
        try:
            for chosen in itertools.product((True, False), repeat=len(conditions)):
                host = dict(zip(conditions, chosen, strict=True))
                found = self._clauses(node, host)
                if _NEVER not in found:
                    hosts.append((host, found))
        finally:
            self._fixed.clear()
        held_by = {
            text: frozenset(self.providers(one))
            for text, one in found_conditions.items()
            if one_package_holds(one)
        }
        self._hosts, self._conditions = possible(hosts, held_by, met), found_conditions
        return _distinct([clause for _host, found in self._hosts for clause in found])

    @property
    def last_read(self) -> tuple[list[tuple[dict[str, bool], list[Clause]]], dict[str, Node]]:
        """The hosts (each condition's presence, the clauses it needs) and the conditions, by
        their text, of the last requirement read with any (`auditor.deps.triggers`)."""
        return self._hosts or [], self._conditions if self._hosts is not None else {}

    def _survey(self, node: Node, conditions: dict[str, Node]) -> bool:
        """One walk of ``node``: each condition a host can have (something provides it) goes in
        ``conditions``, as written and in order; each ``and`` and ``or`` node no condition is
        inside goes in `_ungoverned`. Whether a condition is anywhere in ``node``."""
        if isinstance(node, Simple) or node.op in (RichOp.WITH, RichOp.WITHOUT):
            return False
        if node.op in (RichOp.IF, RichOp.UNLESS):
            condition = node.operands[1]
            if self.met(condition)[0]:
                conditions.setdefault(str(condition), condition)
            self._survey(node.operands[0], conditions)
            if node.otherwise is not None:
                self._survey(node.otherwise, conditions)
            return True
        inside = [self._survey(operand, conditions) for operand in node.operands]  # every one walked
        if any(inside):
            return True
        self._ungoverned.add(id(node))
        return False

    def _atoms(self, node: Node) -> Iterator[Atom]:
        """Every atom of the consequents of ``node`` (its conditions are the host's)."""
        if isinstance(node, Simple) or node.op in (RichOp.WITH, RichOp.WITHOUT):
            yield from self._clauses(node, {})[0]
            return
        if node.op in (RichOp.IF, RichOp.UNLESS):
            yield from self._atoms(node.operands[0])
            if node.otherwise is not None:
                yield from self._atoms(node.otherwise)
            return
        for operand in node.operands:
            yield from self._atoms(operand)

    def _clauses(self, node: Node, host: dict[str, bool]) -> list[Clause]:
        """``node`` on a host with the conditions ``host`` says it has (others it cannot have)."""
        if isinstance(node, Simple):
            return [_leaf(self.index.providers(node.dep), str(node.dep))]
        op = node.op
        if op is RichOp.AND or op is RichOp.OR:
            if host and id(node) in self._ungoverned:
                fixed = self._fixed.get(id(node))
                if fixed is None:
                    fixed = self._fixed[id(node)] = self._joined(node, host)
                return fixed
            return self._joined(node, host)
        if op in (RichOp.WITH, RichOp.WITHOUT):
            return [_leaf(self.providers(node), str(node))]
        then, condition, otherwise = node.operands[0], node.operands[1], node.otherwise
        present = host.get(str(condition), False)
        if op is RichOp.IF:
            branch = then if present else otherwise
            return [] if branch is None else self._clauses(branch, host)
        if not present:  # (A unless B else C): B ? C : A
            return self._clauses(then, host)
        return [_NEVER] if otherwise is None else self._clauses(otherwise, host)  # (A unless B): A, and not B

    def _joined(self, node: Node, host: dict[str, bool]) -> list[Clause]:
        """An ``and`` or an ``or`` on ``host``: its operands' clauses, all of them, or crossed."""
        assert not isinstance(node, Simple)
        if node.op is RichOp.AND:
            return _distinct([clause for operand in node.operands for clause in self._clauses(operand, host)])
        return self._any([self._clauses(operand, host) for operand in node.operands])

    def _any(self, operands: Sequence[list[Clause]]) -> list[Clause]:
        """The conjunctive normal form of an ``or`` of operands each in it: every way of taking one
        clause of each operand, joined. Past `MAX_CLAUSES`, every atom they name on its own."""
        if any(not clauses for clauses in operands):
            return []  # an operand needs nothing: neither does the or
        count = 1
        for clauses in operands:
            count *= len(clauses)
            if count > MAX_CLAUSES:
                break
        if count > MAX_CLAUSES:
            self._rough = True
            atoms = dict.fromkeys(atom for clauses in operands for clause in clauses for atom in clause)
            return [frozenset((atom,)) for atom in atoms]
        return _distinct([frozenset().union(*chosen) for chosen in itertools.product(*operands)])

    def conflicting(self, node: Node, owner: int | None) -> tuple[int, ...]:
        """The packages ``owner`` can never be installed beside, for its Conflicts ``node``.

        libsolv makes a rich Conflicts a rule: the owner is not installed where the expression
        is true (``(p or x)``: beside a provider of p or of x; ``(p with p < 2)``: beside a
        package that provides both). A package is returned when the expression is true of every
        system that holds it and the owner, whatever else is installed (`_certain`). Not when
        the owner makes it true alone: libsolv then says the owner "conflicts with ... provided
        by system", it can never be installed, which is no question of alternatives. A source
        package (``owner`` None: its BuildConflicts) is never installed: only the provider counts.
        """
        candidates = set(self.involved(node))
        alone = () if owner is None else (owner,)
        candidates.difference_update(alone)
        if not candidates or self._certain(node, alone):
            return ()
        return tuple(sorted(other for other in candidates if self._certain(node, (*alone, other))))

    def involved(self, node: Node) -> frozenset[int]:
        """The packages whose installation `_certain` reads for ``node``: the providers of its
        leaves (of every subtree's `providers` too, which are among them). The Conflicts of a
        package not among them matches what a source package's does (`conflicting` with None)."""
        return frozenset(found for leaf in leaves(node) for found in self.index.providers(leaf))

    def _provided_by(self, node: Node) -> frozenset[int]:
        found = self._provided.get(id(node))
        if found is None:
            provided = self.index.providers(node.dep) if isinstance(node, Simple) else self.providers(node)
            found = self._provided[id(node)] = frozenset(provided)
        return found

    def _certain(self, node: Node, installed: tuple[int, ...]) -> bool:
        """Whether ``node`` is true of every system holding ``installed``.

        ``and``, ``or``, ``with`` and ``without`` are read as libsolv reads them; ``unless``
        as libsolv does too, ``(A unless B)`` being "A, and not B", so it is certain only when
        nothing at all provides B (else installing a B provider makes it false). rpmbuild refuses
        ``if`` in a Conflicts ("use 'and' instead"), so only hand-made metadata has one, and
        the two readings differ: libsolv's literal "B implies A" (true where B is absent), rpm's
        "A and B". ``(A if B [else C])`` is certain here only when A and B both are, which both
        readings make a conflict: a provider is never left out on a reading rpm disowns.
        """
        if isinstance(node, Simple):
            provided = self._provided_by(node)
            return any(index in provided for index in installed)
        op, operands = node.op, node.operands
        if op is RichOp.OR:
            return any(self._certain(operand, installed) for operand in operands)
        if op is RichOp.AND:
            return all(self._certain(operand, installed) for operand in operands)
        if op in (RichOp.WITH, RichOp.WITHOUT):
            provided = self._provided_by(node)
            return any(index in provided for index in installed)
        then, condition, otherwise = operands[0], operands[1], node.otherwise
        if op is RichOp.IF:
            return self._certain(then, installed) and self._certain(condition, installed)
        # (A unless B else C): B ? C : A
        then_certain = self._certain(then, installed)
        if then_certain and not self.met(condition)[0]:
            return True
        if otherwise is None or not self._certain(otherwise, installed):
            return False
        return then_certain or self._certain(condition, installed)


def _names_a_package(clause: Clause) -> bool:
    return any(isinstance(atom, int) for atom in clause)


def _leaf(providers: tuple[int, ...], text: str) -> Clause:
    """A capability's clause: its providers, or its text when nothing provides it."""
    return frozenset(providers) if providers else frozenset((text,))


def _distinct(clauses: list[Clause]) -> list[Clause]:
    """``clauses`` without repeats, in their order. One that another inside it makes needless
    (``a or b`` beside ``a``) is kept: b is still a way the package may be installed, which
    ``--roots`` and *may-depend* count."""
    return list(dict.fromkeys(clauses))


def _groups(clauses: list[Clause], met: bool) -> list[tuple[int, ...]]:
    """The groups of a requirement from its clauses.

    Met: a missing capability is one nothing in the run provides, so no way of meeting it:
    left out of its clauses. Unresolved: what is missing is unknown (a run often leaves out the
    base distribution that provides it), so only the clauses that name nothing missing are
    needed whatever it turns out to be (``(citrixlib and libbase)`` needs citrixlib, whoever
    provides libbase; ``(citrixlib or libbase)`` needs nothing the run can name).
    """
    if met:
        kept = [frozenset(atom for atom in clause if isinstance(atom, int)) for clause in clauses]
        clauses = _distinct([clause for clause in kept if clause])
    else:
        clauses = [clause for clause in clauses if all(isinstance(atom, int) for atom in clause)]
    return [tuple(sorted(atom for atom in clause if isinstance(atom, int))) for clause in clauses]
