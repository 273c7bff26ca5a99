"""The commands: one module each, registered in `COMMANDS`.

A command module has ``NAME``, ``SUMMARY`` and ``DESCRIPTION`` (its help), ``configure(parser)``
(its own arguments; the shared ones come from `auditor.cli.options`) and ``run(args, session)``
returning the exit code. `auditor.cli.main` builds the parser from this table and dispatches on
it; nothing else knows the list of commands.
"""

from __future__ import annotations

import argparse
from typing import Protocol

from auditor.cli.commands import baseline, check, diff, plan, scan, why
from auditor.cli.session import Session
from auditor.core.errors import ExitCode


class Command(Protocol):
    NAME: str
    SUMMARY: str
    DESCRIPTION: str

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, session: Session) -> ExitCode: ...


# Written out one by one so that mypy checks each module against `Command`.
COMMANDS: dict[str, Command] = {
    scan.NAME: scan,
    why.NAME: why,
    check.NAME: check,
    baseline.NAME: baseline,
    plan.NAME: plan,
    diff.NAME: diff,
}
