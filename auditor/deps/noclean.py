"""What the clean-way check (`auditor.deps.cleanway`) answers: for each package with no clean
installation, which the chains (`auditor.deps.chains`) show, the steps an installation must
take and the requirement they leave with tainted providers only; and what it left unasked."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.deps.hops import Group


@dataclass(frozen=True)
class Step:
    """One step of what an installation must hold: ``owner`` requires ``group``, whose one
    provider left is ``target``."""

    owner: int
    group: Group
    target: int


@dataclass(frozen=True)
class NoCleanWay:
    """Why ``package`` has no clean installation: it must hold ``steps`` (from the package to
    ``owner``), and ``owner``'s ``group`` has no provider left but its ``tainted`` ones: its
    clean ones (``ruled_out``) cannot be installed with ``against``, which the installation
    must also hold."""

    package: int
    steps: tuple[Step, ...]
    owner: int
    group: Group
    tainted: tuple[int, ...]
    ruled_out: tuple[int, ...]
    against: tuple[int, ...]


@dataclass(frozen=True)
class CleanWays:
    """What `auditor.deps.cleanway.without_clean_way` found, and the packages it had to leave
    unasked (`auditor.deps.cleanway.STEPS`)."""

    found: dict[int, NoCleanWay]
    unasked: frozenset[int] = frozenset()
    screened_only: bool = False
    """Only the screen's choice was asked (`auditor.deps.askevery.ASK_EVERY`): a package it
    misses may say may-depend where it has no clean installation."""
