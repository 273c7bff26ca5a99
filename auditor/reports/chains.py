"""A chain as the formats show it: its first hops, how many are left out, and its origin end.

A run's chains share their hops (`auditor.deps.hops.Chain`): the chain of each package of a
Requires chain of n packages is that package's hop and the next one's chain. Written out
whole for every package, they are n(n+1)/2 hops: a 4,000-package chain made a 975 MB JSON
report. So every format shows at most `HEAD` hops of a chain, then ``… N more hops …``, then
its last hop (the one that reaches the origin package), and says the chain was shortened;
``auditor why NAME`` prints one package's chain whole. The JSON report also lists every hop
left out once (`Rests`), each with the hop after it, so a program can rebuild any chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from auditor.deps.hops import Chain, Hop

HEAD = 10
"""Hops a format shows from the start of a chain before it counts the rest."""


@dataclass(frozen=True, slots=True)
class ShownChain:
    """What a format shows of a chain: all of it, or its head, a count, and its last hop."""

    head: tuple[Hop, ...]
    left_out: int
    """Hops between ``head`` and ``end`` not shown (0: the chain is whole)."""
    end: tuple[Hop, ...]
    """The last hop, to the origin package, when hops were left out before it; else empty."""
    length: int

    @property
    def shortened(self) -> bool:
        return self.left_out > 0

    @property
    def hops(self) -> tuple[Hop, ...]:
        """The hops shown, in order (the head, then the end)."""
        return self.head + self.end

    @property
    def note(self) -> str:
        """What stands for the hops left out: ``… 2990 more hops …``."""
        return f"\u2026 {self.left_out} more hop{'s' if self.left_out != 1 else ''} \u2026"


def shown(chain: Sequence[Hop]) -> ShownChain:
    """``chain`` as every format shows it: whole up to `HEAD` + 1 hops."""
    length = len(chain)
    if length <= HEAD + 1:
        return ShownChain(tuple(chain), 0, (), length)
    return ShownChain(tuple(chain[:HEAD]), length - HEAD - 1, (chain[-1],), length)


def left_out_part(chain: Sequence[Hop]) -> Chain | None:
    """The part of a shortened chain that follows its head (None when it is shown whole)."""
    if len(chain) <= HEAD + 1:
        return None
    if isinstance(chain, Chain):
        return chain.after(HEAD)
    rest: Chain | None = None
    for hop in reversed(chain[HEAD:]):
        rest = Chain(hop, rest)
    return rest


class Rests:
    """Every hop the shortened chains of a report leave out, each once, numbered in the order
    the chains are read: hop ``n`` and the number of the hop after it (None at the origin end).

    Chains that run through one package share the hops from there on, so the table holds a
    hop per package per chain kept, however many chains pass through it.
    """

    def __init__(self, chains: Iterable[Sequence[Hop]]) -> None:
        self._numbers: dict[int, int] = {}
        self._cells: list[Chain] = []
        self._first: dict[int, int] = {}
        """id of a shortened chain -> the number of the first hop it leaves out (the chains
        stay alive in the rows that hold them, so no other object takes their ids)."""
        for chain in chains:
            cell = left_out_part(chain)
            if cell is None:
                continue
            start = cell
            while cell is not None and id(cell) not in self._numbers:
                self._numbers[id(cell)] = len(self._cells)
                self._cells.append(cell)
                cell = cell.rest
            self._first[id(chain)] = self._numbers[id(start)]

    def number(self, chain: Sequence[Hop]) -> int | None:
        """The number of the first hop ``chain`` leaves out (None: it is shown whole)."""
        return self._first.get(id(chain))

    def entries(self) -> Iterator[tuple[Hop, int | None]]:
        """Each hop left out, in number order, with the number of the hop after it."""
        numbers = self._numbers
        for cell in self._cells:
            yield cell.first, None if cell.rest is None else numbers[id(cell.rest)]

    def __len__(self) -> int:
        return len(self._cells)


def new_hops(chain: Sequence[Hop], seen: set[int]) -> Iterator[Hop]:
    """The hops of ``chain`` up to the first part of it already walked (ids in ``seen``, which
    this extends): walking every row's chain this way reads each shared hop once."""
    if not isinstance(chain, Chain):
        yield from chain
        return
    cell: Chain | None = chain
    while cell is not None and id(cell) not in seen:
        seen.add(id(cell))
        yield cell.first
        cell = cell.rest


class FirstReach:
    """For chains of one run, the position of the first hop whose target is one of ``targets``,
    each shared part of the chains read once (memoised by the part's id)."""

    def __init__(self, targets: set[int]) -> None:
        self.targets = targets
        self._known: dict[int, int | None] = {}
        self._cells: list[Chain] = []
        """The parts memoised: alive as long as their ids are keys."""

    def of(self, chain: Sequence[Hop]) -> int | None:
        targets = self.targets
        if not isinstance(chain, Chain):
            return next((position for position, hop in enumerate(chain) if hop.target in targets), None)
        known = self._known
        path: list[Chain] = []
        cell: Chain | None = chain
        found: int | None = None
        while cell is not None:
            if id(cell) in known:
                found = known[id(cell)]
                break
            if cell.first.target in targets:
                found = 0
                known[id(cell)] = 0
                self._cells.append(cell)
                break
            path.append(cell)
            cell = cell.rest
        for part in reversed(path):
            found = None if found is None else found + 1
            known[id(part)] = found
            self._cells.append(part)
        return found
