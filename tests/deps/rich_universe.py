"""Random universes with rich (boolean) and versioned dependencies and Obsoletes, for libsolv.

`tests.deps.random_universe` draws plain capabilities only; a universe of `rich_universe` (22
packages over 7 capabilities by default, so that rpmbuild builds one in seconds) also draws:

- versions: each package is version 1.0 or 2.0, and a provider of a capability provides it
  unversioned, ``= 1`` or ``= 2``;
- requirements (Requires and BuildRequires) that are a capability, a versioned one
  (``c1 >= 2``, ``c1 < 2``) or a rich one of ``or``, ``and``, ``if``, ``if ... else``,
  ``with``, ``without`` and, inside an ``or``, ``unless`` and ``unless ... else``, nested one
  level; rpm's rule is kept (rpmbuild refuses an ``if`` inside an ``or`` and an ``unless``
  outside one in a Requires or a BuildRequires);
- Conflicts of another package's name or of a capability (some versioned), and Obsoletes of
  another package's name, unversioned or versioned.

Origin packages are Citrix's, proprietary (the shipped policy's ``proprietary-license``) or
both, drawn last from a generator of their own. Every draw comes from the seed: a seed names
the same universe for as long as the parameters and this module's draws stay (tests cite seeds).
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from typing import Any

import solv

from tests.deps.built import Installs, draw_categories, nevra

Tree = Any
"""An atom ``(capability, operator, version)`` (operator and version empty when unversioned) or
``(op, operands...)``: ``("if", then, condition, otherwise)`` (otherwise None when absent)."""


def _atom(rng: random.Random, capabilities: int) -> Tree:
    capability = f"c{rng.randrange(capabilities)}"
    return rng.choice(((capability, "", ""),) * 3 + ((capability, ">=", "2"), (capability, "<", "2")))


def _rich(rng: random.Random, capabilities: int, depth: int, context: str, conditional: bool = True) -> Tree:
    """A rich expression whose top operator rpm allows in ``context`` (``top``, ``or``, ``and``),
    its operands nested ``depth`` more levels at most (no ``if`` nor ``unless`` unless
    ``conditional``)."""
    allowed = ["or", "and", "with", "without"]
    allowed += ["if", "ifelse"] if conditional and context in ("top", "and") else []
    allowed += ["unless", "unlesselse"] if conditional and context == "or" else []
    op = rng.choice(allowed)

    def operand(inner: str) -> Tree:
        if depth > 0 and rng.random() < 0.35:
            return _rich(rng, capabilities, depth - 1, inner, conditional)
        return _atom(rng, capabilities)

    if op in ("with", "without"):
        return (op, _atom(rng, capabilities), _atom(rng, capabilities))
    if op in ("or", "and"):
        return (op, *(operand(op) for _ in range(rng.choice((2, 2, 3)))))
    word = "if" if op.startswith("if") else "unless"
    # rpm takes no unless inside an if's branches nor an if inside an unless': atoms there.
    then = operand("and") if word == "if" else _atom(rng, capabilities)
    condition = _atom(rng, capabilities)
    otherwise = None
    if op.endswith("else"):
        otherwise = operand("and") if word == "if" else _atom(rng, capabilities)
    return (word, then, condition, otherwise)


def text(tree: Tree) -> str:
    """``tree`` as written in a spec."""
    if tree[0] not in ("or", "and", "with", "without", "if", "unless"):
        return " ".join(part for part in tree if part)
    if tree[0] in ("if", "unless"):
        word, then, condition, otherwise = tree
        tail = f" else {text(otherwise)}" if otherwise is not None else ""
        return f"({text(then)} {word} {text(condition)}{tail})"
    return "(" + f" {tree[0]} ".join(text(operand) for operand in tree[1:]) + ")"


def _matches(provide: tuple[str, str], atom: Tree) -> bool:
    """Whether a Provides (capability, version or empty) meets an atom, as rpm compares them:
    an unversioned Provides meets any version."""
    name, operator, version = atom
    capability, provided = provide
    version = str(version)
    if capability != name:
        return False
    if not operator or not provided:
        return True
    return provided < version if operator == "<" else provided >= version


def _providers(tree: Tree, provides: dict[str, list[tuple[str, str]]]) -> set[str]:
    """The packages (by name) that on their own meet ``tree`` (an atom, ``with`` or ``without``)."""
    if tree[0] == "with":
        return _providers(tree[1], provides) & _providers(tree[2], provides)
    if tree[0] == "without":
        return _providers(tree[1], provides) - _providers(tree[2], provides)
    return {name for name, entries in provides.items() if any(_matches(entry, tree) for entry in entries)}


def _met(tree: Tree, provides: dict[str, list[tuple[str, str]]]) -> bool:
    """Whether something meets ``tree`` on every host, as `auditor.deps.rich.Evaluation.met`
    reads it: a requirement that is not is ``unresolved``, and its requirer counts as a way
    around a tainted provider on purpose (README, "A clean provider whose own requirement
    nothing in the run meets"), which libsolv does not: such requirements are not drawn."""
    if tree[0] in ("or", "and"):
        answers = [_met(operand, provides) for operand in tree[1:]]
        return all(answers) if tree[0] == "and" else any(answers)
    if tree[0] in ("if", "unless"):
        word, then, condition, otherwise = tree
        possible = _met(condition, provides)
        if word == "if":
            return _met(then, provides) if possible else otherwise is None or _met(otherwise, provides)
        return _met(otherwise, provides) if otherwise is not None and possible else _met(then, provides)
    return bool(_providers(tree, provides))


def _requirement(rng: random.Random, capabilities: int, rich: float, conditional: bool) -> Tree:
    if rng.random() < rich:
        return _rich(rng, capabilities, 1, "top", conditional)
    return _atom(rng, capabilities)


def rich_universe(
    seed: int,
    *,
    size: int = 22,
    capabilities: int = 7,
    requires: Sequence[int] = (0, 1, 1, 2, 2, 3),
    buildrequires: Sequence[int] = (0, 1, 1, 2, 3),
    rich: float = 0.4,
    conditional: bool = True,
    conflicts: Sequence[int] = (0, 0, 1, 1, 2),
    obsoletes: Sequence[int] = (0, 0, 0, 1),
    citrix: float = 0.1,
    proprietary: float = 0.1,
    both: float = 0.05,
) -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    """The packages (`tests.deps.built` descriptions) and the categories of each origin package
    by name. Each package has ``rng.choice(requires)`` Requires and ``rng.choice(buildrequires)``
    BuildRequires, a share ``rich`` of them rich (with no ``if`` nor ``unless`` unless
    ``conditional``), ``rng.choice(conflicts)`` Conflicts and
    ``rng.choice(obsoletes)`` Obsoletes (one of itself is none)."""
    rng = random.Random(f"rich {seed}")
    names = [f"p{number}" for number in range(size)]
    packages: list[dict[str, Any]] = [
        {"name": name, "evr": rng.choice(("1.0-1", "2.0-1")), "provides": [], "requires": [],
         "conflicts": [], "obsoletes": [], "buildrequires": []}
        for name in names
    ]  # fmt: skip
    provides: dict[str, list[tuple[str, str]]] = {name: [] for name in names}
    for number in range(capabilities):
        for package in rng.sample(packages, rng.randint(1, 4)):
            version = rng.choice(("", "1", "2"))
            provides[package["name"]].append((f"c{number}", version))
            package["provides"].append(f"c{number} = {version}" if version else f"c{number}")
    for package in packages:
        for key, counts in (("requires", requires), ("buildrequires", buildrequires)):
            for _ in range(rng.choice(counts)):
                tree = _requirement(rng, capabilities, rich, conditional)
                if _met(tree, provides):
                    package[key].append(text(tree))
        for _ in range(rng.choice(conflicts)):
            if rng.random() < 0.7:
                other = rng.choice(names)
                if other != package["name"]:
                    package["conflicts"].append(other)
            else:
                package["conflicts"].append(text(_atom(rng, capabilities)))
        for _ in range(rng.choice(obsoletes)):
            other = rng.choice(names)
            if other != package["name"]:
                package["obsoletes"].append(rng.choice((other, f"{other} < 2", f"{other} >= 2")))
    kinds_rng = random.Random(f"rich categories {seed}")
    return packages, draw_categories(packages, kinds_rng, citrix=citrix, proprietary=proprietary, both=both)


_OPERATORS = {
    "<": solv.REL_LT,
    "<=": solv.REL_LT | solv.REL_EQ,
    "=": solv.REL_EQ,
    ">=": solv.REL_GT | solv.REL_EQ,
    ">": solv.REL_GT,
}


class RichInstalls(Installs):
    """`Installs` whose capabilities may be versioned or rich, each read by libsolv as written
    (an install job of the dependency: libsolv's own rules for a rich one, as ``dnf builddep``
    asks it)."""

    def dependency(self, text: str) -> Any:
        if text.startswith("("):
            return self.pool.parserpmrichdep(text)
        name, *rest = text.split()
        dep = self.pool.Dep(name)
        if rest:
            operator, evr = rest
            dep = dep.Rel(_OPERATORS[operator], self.pool.Dep(evr))
        return dep

    def capability_job(self, capability: str, locked: Collection[str]) -> Any:
        """An install job of the dependency as written: the locks keep what it may take out."""
        how = solv.Job.SOLVER_SOLVABLE_PROVIDES | solv.Job.SOLVER_INSTALL
        return self.pool.Job(how, self.dependency(capability).id)


def false_positives(
    packages: list[dict[str, Any]], of: dict[str, set[str]], facts: dict[str, set[tuple[str, str | None]]],
    solver: RichInstalls,
) -> list[str]:  # fmt: skip
    """Each binary whose ``depends`` facts are of one category C, though libsolv installs it
    with every package of C locked out."""
    found = []
    for package in packages:
        name, binary = package["name"], nevra(package)
        categories = {category for kind, category in facts[binary] if kind == "depends"}
        if len(categories) != 1 or name in of:
            continue
        (category,) = categories
        locked = {one for one, kinds in of.items() if category in kinds}
        if solver.installs(locked, package=name):
            found.append(f"{binary}: auditor says depends {category}, libsolv installs it without")
    return found
