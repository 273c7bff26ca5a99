"""Run the auditor as a user whom file modes bind: root reads, writes and enters whatever the
mode says, so a test of a file it may not read or write drops that power first; and as a user
whom a process limit binds (RLIMIT_NPROC binds no process of root)."""

from __future__ import annotations

import os
import shutil
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


CAN_LIMIT_PROCESSES = (
    os.geteuid() == 0 and shutil.which("setpriv") is not None and shutil.which("prlimit") is not None
)
"""Whether `as_limited_user` can run: it needs root, to be a user of its own, and setpriv and prlimit."""


def as_limited_user(limit: int, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``python ARGUMENTS`` from the checkout as a user of its own (a uid nobody else runs as,
    so that nothing else counts against it) who may run ``limit`` processes and threads, keeping
    root's right to read and write files, as the checkout may sit under a home only root enters."""
    user = str(3_000_000 + os.getpid() % 1_000_000)
    keep = "+dac_override,+dac_read_search"
    command = [
        *("setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"),
        *(f"--inh-caps={keep}", f"--ambient-caps={keep}"),
        *("prlimit", f"--nproc={limit}", sys.executable, *arguments),
    ]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    # the timeout guards against a hang; no duration is asserted
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=environment, timeout=120)
