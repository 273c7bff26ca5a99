"""Run a command on a pseudo-terminal, as a person at a terminal runs it."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def signals_as_in_a_terminal() -> None:
    """Before exec: SIGINT, SIGTERM and SIGHUP as a terminal's foreground job has them, default
    and unblocked. A CI runner may start the tests with SIGINT or SIGHUP ignored (a background
    job, nohup) or blocked; an ignored signal stays ignored across exec, and the auditor leaves
    it so, as nohup means it to: a test sending it would wait for nothing (two CI runs of
    tests/runtime/test_background.py hung so)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])


def on_terminal(args: list[str], *, columns: int = 80, stdout: Path | None = None) -> str:
    """What ``args`` writes to a terminal ``columns`` wide (``COLUMNS``): its standard output
    and standard error, or only its standard error when ``stdout`` names a file for the other."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns)}
    with open(stdout or os.devnull, "wb") as sink:
        out = sink if stdout is not None else follower
        with subprocess.Popen(
            args, stdout=out, stderr=follower, stdin=subprocess.DEVNULL, env=env, cwd=ROOT
        ) as child:
            os.close(follower)
            output = bytearray()
            while True:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # EIO: the child closed its end
                    break
                if not chunk:
                    break
                output += chunk
            child.wait()
    os.close(leader)
    return output.decode("utf-8").replace("\r\n", "\n")
