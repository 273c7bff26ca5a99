"""What a requirement under conditions makes every installation meet, whichever host it is.

`auditor.deps.rich.Evaluation.clauses` reads such a requirement once per host: each of its
conditions installed or not, and what the requirement needs there. An installation of the
package is on one of those hosts: it meets that host's clauses and holds a provider of each
condition the host has. What holds whichever host it is binds the package as a plain Requires
would: the clauses every host needs (`on_every_host`), and those made of one clause, or one
condition, of each host (`held`). ``(a if b else (c if d else e))`` needs ``a`` or ``c`` or
``e``, which no one condition says: where the three are ruled out, neither ``b`` nor ``d`` is a
way out (each only makes the package need ``a`` or ``c``), as libsolv finds. A host no
installation is on is not read at all (`possible`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MAX_SUBSETS = 100_000
"""The most clause comparisons `on_every_host` makes for one requirement under conditions."""

MAX_HELD = 256
"""The most clauses `held` crosses the hosts' into (as `auditor.deps.rich.MAX_CLAUSES` bounds an
``or``). Past it, only each condition's own clause: fewer bind, never a cleaner answer."""

Atom = int | str
"""A package id, or the text of a capability nothing in the run provides."""

Clause = frozenset[Atom]

Host = tuple[dict[str, bool], list[Clause]]
"""Whether each condition (by its text) is installed, and the clauses needed there."""


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


def on_every_host(needed: list[Clause], hosts: Sequence[list[Clause]]) -> list[Clause]:
    """The clauses of ``needed`` that every host meets, whichever way its conditions go: those
    each host needs, or needs one inside of (``(c if c >= 2 else c < 2)``, ``c`` of ``p1`` and
    ``p2`` and ``c < 2`` of ``p2`` alone: every host needs ``p1`` or ``p2``). Past
    `MAX_SUBSETS` comparisons, only those each host needs as they are."""
    if len(needed) * sum(len(found) for found in hosts) > MAX_SUBSETS:
        return [clause for clause in needed if all(clause in found for found in hosts)]
    return [clause for clause in needed if all(any(one <= clause for one in found) for found in hosts)]


def held(hosts: Sequence[Host], provided: Mapping[str, Clause]) -> list[Clause]:
    """The clauses every installation meets beyond those every host needs, ``provided`` the
    clause of each condition one package holds (a capability, a ``with``, a ``without``):

    - for each condition B some host has, B's providers, or on a host without B what each such
      host needs (or one inside of it): ``(a if b else c)`` needs b or c, and b alone when
      nothing provides c (libsolv installs b to meet it);
    - the hosts crossed: one clause or one condition's providers of each host, joined, those
      no other makes needless. ``(a if b else c)`` needs a or c too.

    A clause every host needs already is not repeated."""
    found: list[Clause] = []
    needs_of = [needs for _host, needs in hosts]
    everywhere = on_every_host(list(dict.fromkeys(one for needs in needs_of for one in needs)), needs_of)
    for text, clause in provided.items():
        lacking = [needs for host, needs in hosts if not host[text]]
        if len(lacking) == len(hosts):
            continue  # no host that can meet it has B: B is never installed for it
        if not lacking:
            found.append(clause)
            continue
        candidates = list(dict.fromkeys(one for needs in lacking for one in needs))
        found += [clause | one for one in on_every_host(candidates, lacking) if one not in everywhere]
    known = everywhere + found
    crossed = [one for one in _crossed(hosts, provided) if not any(other <= one for other in known)]
    return list(dict.fromkeys(found + crossed))


def _crossed(hosts: Sequence[Host], provided: Mapping[str, Clause]) -> list[Clause]:
    """Each way of taking one clause or one condition's providers of each host, joined, with none
    inside another; nothing when a host needs nothing, or past `MAX_HELD`."""
    crossed: list[Clause] = [frozenset()]
    for host, needs in hosts:
        terms = list(dict.fromkeys([*needs, *(clause for text, clause in provided.items() if host[text])]))
        if not terms:
            return []  # an installation on this host needs nothing: no clause holds on every host
        crossed = _minimal([one | term for one in crossed for term in terms])
        if len(crossed) > MAX_HELD:
            return []
    return crossed


def _minimal(clauses: list[Clause]) -> list[Clause]:
    """``clauses`` without repeats nor any another one lies inside of."""
    distinct = list(dict.fromkeys(clauses))
    return [one for one in distinct if not any(other < one for other in distinct)]
