"""When a waiver stops waiving (`Expiry`), as a configuration file writes it."""

from __future__ import annotations

import datetime
import re

from auditor.core.schema import shown

_EXPIRY_TEXT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?",
    re.ASCII,
)
"""A date (YYYY-MM-DD) or a date-time as TOML writes one, as a string."""


class Expiry:
    """When a waiver stops waiving: after a calendar day, or at an instant.

    A TOML date (or a ``YYYY-MM-DD`` string) is valid through that day, as the machine's
    calendar counts it. A date-time (TOML's, or an ISO 8601 string) expires at that instant:
    its offset is kept; one written without an offset is UTC, so that the same file expires at
    the same moment on every machine of a CI fleet. (A plain class, not a dataclass: msgspec
    would read a dataclass from a table instead of asking `_decode_hook`.)
    """

    __slots__ = ("day", "instant")

    def __init__(self, day: datetime.date | None = None, instant: datetime.datetime | None = None):
        if (day is None) == (instant is None) or (instant is not None and instant.tzinfo is None):
            raise ValueError("an expiry is a day or an instant with its offset")
        self.day = day
        self.instant = instant

    @classmethod
    def from_config(cls, value: object) -> Expiry:
        if isinstance(value, str):
            text = value
            try:
                # Only the forms the message names: Python reads more of ISO 8601 (a week date
                # 2099-W01 as 2098-12-29, 20990101), which a reviewer would not read as written.
                if not _EXPIRY_TEXT.fullmatch(text):
                    raise ValueError(text)
                value = (
                    datetime.date.fromisoformat(text)
                    if len(text) <= 10
                    else datetime.datetime.fromisoformat(text)
                )
            except ValueError:
                raise ValueError(
                    f"{shown(text, plain=True)} is not a date (YYYY-MM-DD) or a date-time "
                    "(YYYY-MM-DDTHH:MM:SS, with an offset or in UTC)"
                ) from None
        if isinstance(value, datetime.datetime):
            return cls(instant=value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC))
        if isinstance(value, datetime.date):
            return cls(day=datetime.date(value.year, value.month, value.day))
        raise TypeError(f"expected a date (YYYY-MM-DD) or a date-time, got {shown(value)}")

    def passed(self, today: datetime.date, now: datetime.datetime) -> bool:
        """Whether the waiver no longer waives on ``today`` at ``now`` (an aware date-time)."""
        if self.instant is not None:
            return now >= self.instant
        assert self.day is not None
        return today > self.day

    def isoformat(self) -> str:
        """As written: ``2027-06-30``, or the instant with its offset (``2026-11-30T00:30:00+14:00``)."""
        if self.instant is not None:
            return self.instant.isoformat()
        assert self.day is not None
        return self.day.isoformat()

    __str__ = isoformat

    def __repr__(self) -> str:
        return f"Expiry({self.isoformat()})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expiry):
            return NotImplemented
        return self.day == other.day and self.instant == other.instant

    def __hash__(self) -> int:
        return hash((self.day, self.instant))
