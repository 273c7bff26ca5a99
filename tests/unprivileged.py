"""Run the auditor as a user whom file modes bind: root reads, writes and enters whatever the
mode says, so a test of a file it may not read or write drops that power first."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.paths import ROOT

# setpriv (util-linux) takes the capabilities that override file modes out of the bounding
# and inheritable sets: the auditor it starts has them no more, as any other user.
_WITHOUT_OVERRIDE = [
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
]


def auditor_without_override(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m auditor ARGS`` from the checkout, file modes applying even to root."""
    command = [sys.executable, "-m", "auditor", *args]
    prefix = _WITHOUT_OVERRIDE if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], capture_output=True, text=True, cwd=ROOT, check=False)
