"""The hosts a conditional requirement is read on (`auditor.deps.rich.Evaluation.clauses`): which
of them an installation of its package can be on, and what each of them needs.

A host is one way the requirement's conditions go, each installed or not, and what it needs
there (clauses: alternatives of package ids, or a capability's text when nothing provides it).
"""

from __future__ import annotations

from collections.abc import Mapping

Atom = int | str
"""A package id, or the text of a capability nothing in the run provides."""

Clause = frozenset[Atom]

Host = tuple[dict[str, bool], list[Clause]]
"""Each condition's presence, and the clauses the requirement needs there."""

MAX_SUBSETS = 100_000
"""The most clause comparisons `on_every_host` makes for one requirement under conditions."""


def possible(hosts: list[Host], held_by: Mapping[str, frozenset[int]], met: bool = False) -> list[Host]:
    """``hosts`` but those no installation is on: one that lacks a condition (``held_by``: the
    providers of each a package holds by providing it) and needs a clause every provider of which
    provides it, so that meeting the requirement there installs it. libsolv reads ``(A if B else
    B)`` as needing B, and ``(lib4 if libc else (libc if libone else libone))`` as needing libc
    and lib4 (tests/deps/test_rich_condition_hosts.py); read on the hosts without libc too, each
    of libc and libone was needed on some hosts only, and bound nothing. The host with every
    condition lacks none; when it cannot meet the requirement at all, nor may the others: kept.

    A requirement that is ``met`` is read as its groups are (`auditor.deps.rich._groups`): a
    capability nothing in the run provides is no way of meeting a clause, so ``(libone or
    libmissing)`` installs libone, and a host one of whose clauses only such capabilities meet
    is none either. One that is not may be met by what the run leaves out. With no host left
    (none installs the package), all are kept, as they were read before: the host left once some
    were judged impossible, needing nothing the run names, made ``(lib4x >= 2 or (lib4x unless
    lib5x))`` of a package providing ``lib5x`` need nothing at all."""
    kept = [
        (host, needs)
        for host, needs in hosts
        if not any(
            _installs(clause, held_by[text], met)
            for text, present in host.items()
            if not present and text in held_by
            for clause in needs
        )
        and not (met and any(all(isinstance(atom, str) for atom in clause) for clause in needs))
    ]
    return kept or hosts


def _installs(clause: Clause, held: frozenset[int], met: bool) -> bool:
    """Whether every way of meeting ``clause`` installs one of ``held``."""
    if met:
        named = frozenset(atom for atom in clause if isinstance(atom, int))
        return bool(named) and named <= held
    return clause <= held


def on_every_host(needed: list[Clause], hosts: list[list[Clause]]) -> list[Clause]:
    """The clauses of ``needed`` that every host meets, whichever way its conditions go: those
    each host needs, or needs one inside of (``(c if c >= 2 else c < 2)``, ``c`` of ``p1`` and
    ``p2`` and ``c < 2`` of ``p2`` alone: every host needs ``p1`` or ``p2``). Past
    `MAX_SUBSETS` comparisons, only those each host needs as they are."""
    if len(needed) * sum(len(found) for found in hosts) > MAX_SUBSETS:
        return [clause for clause in needed if all(clause in found for found in hosts)]
    return [clause for clause in needed if all(any(one <= clause for one in found) for found in hosts)]
