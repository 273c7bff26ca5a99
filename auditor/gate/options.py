"""What blocks: `GateOptions`, apart from the gate so that the command line makes them cheaply."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from auditor.origin.findings import DEFAULT_FAIL_ON, Verdict


@dataclass(frozen=True)
class GateOptions:
    fail_on: frozenset[Verdict] = DEFAULT_FAIL_ON
    """The statuses whose facts block (``--fail-on``)."""
    strict: bool = False
    """Evidence the auditor could not see fails the run (exit 3), as pip-audit's ``--strict``."""
    stale_waivers_block: bool = False
    """A waiver that accepts nothing makes the run fail (exit 1)."""
    today: datetime.date | None = None
    """The day waivers with an expiry date expire against (None: the machine's today)."""
    now: datetime.datetime | None = None
    """The instant (with its offset) waivers with an expiry date-time expire against (None: now)."""

    def moment(self) -> tuple[datetime.date, datetime.datetime]:
        """The day and the instant waivers expire against: the given ones, else the machine's."""
        return self.today or datetime.date.today(), self.now or datetime.datetime.now(datetime.UTC)


def clock() -> tuple[datetime.date, datetime.datetime]:
    """Today and now, read once for a command: its replay key and its decision see one clock."""
    now = datetime.datetime.now(datetime.UTC)
    return now.astimezone().date(), now
