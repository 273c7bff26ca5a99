"""Options a run takes once: argparse keeps the last of an option given twice and drops the
first unsaid, which for a file the run reads or the format a report is written in is a
wrong run, not a preference."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, ClassVar


class GivenOnce(argparse.Action):
    """An option naming the one file of its kind a run reads (a project file, a baseline): given
    twice, it is a usage error."""

    one: ClassVar[str] = "a run reads one"
    """Why one: the end of the usage error's line."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        earlier = getattr(namespace, self.dest, None)
        if earlier is not None:
            parser.error(f"{option_string}: given twice ({earlier} and {values}); {self.one}")
        setattr(namespace, self.dest, values)


class FormatGivenOnce(GivenOnce):
    """``--format`` given twice: ``--format sarif -o results.sarif`` with a ``--format json`` a
    wrapper script added wrote JSON where code scanning reads SARIF."""

    one: ClassVar[str] = "a report has one format"
