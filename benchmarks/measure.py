"""Time one child process and read its peak RSS.

Every tool (the auditor and the anchors) runs as a child of the harness, so the figures cover the
whole process: interpreter start, imports, reading, analysis and writing the report.

The wall time is measured by the harness around spawning and reaping the child. The peak RSS
comes from ``wait4``'s ``ru_maxrss`` of the child, with one catch: Linux records, at ``execve``,
the high-water RSS of the memory the child had *before* exec, and a child forked (or vforked,
as ``posix_spawn`` does) from the harness starts with the harness's resident pages. Through
``wait4`` alone, a 10 MB ``rpm`` spawned by a harness holding 500 MB reports 510 MB. So when
GNU time is installed, the child is ``/usr/bin/time -o FILE -f '%M %U %S' TOOL...``: time is a
1 MB process, it forks and execs the tool and reports the tool's own ``wait4`` figures. Without
it the harness falls back to its own ``wait4`` and the RSS is an upper bound (``rss_source``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sample:
    """One run of one tool."""

    wall: float
    """Wall-clock seconds from spawning the child to reaping it."""
    maxrss_kib: int
    """Peak resident set size of the child (and the children it waited for), KiB."""
    user: float
    system: float
    exit_code: int
    stdout: str
    """Path of the file that holds the child's standard output."""
    stderr: str
    others: float = 0.0
    """CPU seconds the rest of the machine used meanwhile (/proc/stat busy time minus the child's):
    other processes competing for the cores make the wall time noisy."""

    @property
    def cpu(self) -> float:
        return self.user + self.system


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot (all cores), from /proc/stat; 0 if unknown."""
    try:
        with open("/proc/stat", encoding="ascii") as stream:
            fields = [int(v) for v in stream.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = sum(fields[3:5])  # idle, iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


GNU_TIME = "/usr/bin/time"


def rss_source() -> str:
    """``time`` (the tool's own peak) or ``wait4`` (an upper bound: see the module docstring)."""
    return "time" if os.access(GNU_TIME, os.X_OK) else "wait4"


def run_child(
    argv: Sequence[str],
    *,
    stdout: str,
    stderr: str,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> Sample:
    """Run ``argv`` to completion with its output in files; return its wall time and rusage."""
    stats = stdout + ".time"
    command = list(argv)
    if rss_source() == "time":
        command = [GNU_TIME, "-o", stats, "-f", "%M %U %S", "--", *command]
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        busy = machine_busy()
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd
        )
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            raise
        wall = time.perf_counter() - start
        busy = machine_busy() - busy
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code  # reaped by wait4: keep Popen from waiting again
    maxrss, user, system = usage.ru_maxrss, usage.ru_utime, usage.ru_stime
    if command[0] == GNU_TIME:
        maxrss, user, system = _read_time(stats)
    return Sample(wall, maxrss, user, system, code, stdout, stderr, max(0.0, busy - user - system))


def _read_time(path: str) -> tuple[int, float, float]:
    """The last line of GNU time's report (earlier lines say "Command exited with ...")."""
    try:
        with open(path, encoding="utf-8") as stream:
            lines = stream.read().split("\n")
        fields = next(line for line in reversed(lines) if line.strip()).split()
        return int(fields[0]), float(fields[1]), float(fields[2])
    except (OSError, StopIteration, IndexError, ValueError):
        return 0, 0.0, 0.0


def combine(samples: Sequence[Sample]) -> Sample:
    """Several sequential processes as one measurement: walls add up, the peak RSS is the largest."""
    if len(samples) == 1:
        return samples[0]
    return Sample(
        wall=sum(s.wall for s in samples),
        maxrss_kib=max(s.maxrss_kib for s in samples),
        user=sum(s.user for s in samples),
        system=sum(s.system for s in samples),
        exit_code=next((s.exit_code for s in samples if s.exit_code), 0),
        stdout=samples[-1].stdout,
        stderr=samples[-1].stderr,
        others=sum(s.others for s in samples),
    )


def median_wall(samples: Sequence[Sample]) -> float:
    return statistics.median(s.wall for s in samples)


def median_cpu(samples: Sequence[Sample]) -> float:
    return statistics.median(s.cpu for s in samples)


def peak_rss_mb(samples: Sequence[Sample]) -> float:
    """The largest peak RSS, in megabytes of a million bytes (``ru_maxrss`` counts KiB)."""
    return max(s.maxrss_kib for s in samples) * 1024 / 1e6


def tail(path: str, lines: int = 5) -> str:
    """The last lines of a captured output file, for error messages."""
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            return "".join(stream.readlines()[-lines:]).rstrip()
    except OSError:
        return ""
