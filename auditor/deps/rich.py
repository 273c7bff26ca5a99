"""Rich (boolean) dependencies evaluated against the provides index of a run.

A requirement (`Evaluation.requirement`) is read as ``auditor.deps.resolve`` explains. A
Conflicts (`Evaluation.conflicting`) is read as libsolv reads it: the package cannot be
installed beside a set of packages on which the expression is true.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.deps.provides import ProvidesIndex
from auditor.rpm.deps import Node, RichOp, Simple, leaves


class Evaluation:
    """Evaluate rich dependency trees against the provides index."""

    def __init__(self, index: ProvidesIndex) -> None:
        self.index = index

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

    def requirement(self, node: Node) -> tuple[bool, list[tuple[int, ...]], list[str]]:
        """(met, groups, missing) for ``node`` read as a requirement.

        Alternatives nested inside an ``or`` are flattened into one group: the graph
        needs to know which packages could be chosen, not every combination.
        """
        if isinstance(node, Simple):
            providers = self.index.providers(node.dep)
            if not providers:
                return False, [], [str(node.dep)]
            return True, [providers], []
        op = node.op
        if op is RichOp.AND:
            ok, groups, missing = True, [], []
            for operand in node.operands:
                operand_ok, operand_groups, operand_missing = self.requirement(operand)
                ok = ok and operand_ok
                groups.extend(operand_groups)
                missing.extend(operand_missing)
            return ok, groups, missing
        if op is RichOp.OR:
            return self._any(node.operands)
        if op in (RichOp.WITH, RichOp.WITHOUT):
            providers = self.providers(node)
            if not providers:
                return False, [], [str(node)]
            return True, [providers], []
        then, condition, otherwise = node.operands[0], node.operands[1], node.otherwise
        condition_possible = self.requirement(condition)[0]
        if op is RichOp.IF:
            if condition_possible:
                return self._both_branches(then, otherwise)
            if otherwise is not None:
                return self.requirement(otherwise)
            return True, [], []
        if otherwise is not None:  # unless ... else
            if condition_possible:  # B decides between them: a user with B needs C
                met, groups, missing = self.requirement(otherwise)
                return met, groups + self.requirement(then)[1], missing
            return self.requirement(then)
        return self._any((then, condition))  # (A unless B) is met by A or by B

    def _both_branches(
        self, then: Node, otherwise: Node | None
    ) -> tuple[bool, list[tuple[int, ...]], list[str]]:
        """``(A if B else C)`` where B may be installed: met as a user with B needs it (A), and
        both branches' providers are what it pulls in. Whether B is installed is the host's, not
        the package's choice: without B, which is how dnf installs the package alone, C is
        installed, and reading A alone hid a Citrix C. Counting both over-states what a host
        with B installs, as ``(A if B)`` counting A does for a host without B: it can add
        taint, never hide it."""
        met, groups, missing = self.requirement(then)
        if otherwise is not None:
            groups = groups + self.requirement(otherwise)[1]
        return met, groups, missing

    def _any(self, operands: Sequence[Node]) -> tuple[bool, list[tuple[int, ...]], list[str]]:
        alternatives: set[int] = set()
        missing: list[str] = []
        ok = False
        for operand in operands:
            operand_ok, operand_groups, operand_missing = self.requirement(operand)
            if operand_ok:
                ok = True
                for group in operand_groups:
                    alternatives.update(group)
            else:
                missing.extend(operand_missing)
        return ok, ([tuple(sorted(alternatives))] if alternatives else []), ([] if ok else missing)

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
        candidates = {found for leaf in leaves(node) for found in self.index.providers(leaf)}
        alone = () if owner is None else (owner,)
        candidates.difference_update(alone)
        if not candidates or self._certain(node, alone):
            return ()
        return tuple(sorted(other for other in candidates if self._certain(node, (*alone, other))))

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
            return not set(installed).isdisjoint(self.index.providers(node.dep))
        op, operands = node.op, node.operands
        if op is RichOp.OR:
            return any(self._certain(operand, installed) for operand in operands)
        if op is RichOp.AND:
            return all(self._certain(operand, installed) for operand in operands)
        if op in (RichOp.WITH, RichOp.WITHOUT):
            return not set(installed).isdisjoint(self.providers(node))
        then, condition, otherwise = operands[0], operands[1], node.otherwise
        if op is RichOp.IF:
            return self._certain(then, installed) and self._certain(condition, installed)
        # (A unless B else C): B ? C : A
        then_certain = self._certain(then, installed)
        if then_certain and not self.requirement(condition)[0]:
            return True
        if otherwise is None or not self._certain(otherwise, installed):
            return False
        return then_certain or self._certain(condition, installed)
