"""A mirrorlist as large as a small file may be (16 MiB, `auditor.net.remote.SMALL_FILE_CEILING`)
is read in time linear in its size.

Each line a mirrorlist lists that is no mirror (a comment-less junk line, an ``ftp://`` URL) was
looked up in the list of its URLs: 866,000 lines, half of them URLs, took hours. The read runs
in a child process whose CPU time is capped (RLIMIT_CPU) far above a linear read (8 s on this
machine) and far below the quadratic one, as `tests/hostile/test_metadata_bounds.py` caps the
address space; no time is measured.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

from auditor.net.remote import SMALL_FILE_CEILING
from auditor.sources.mirrorlists import mirrorlist
from tests.paths import ROOT

CPU_SECONDS = 120

_READ = """
import sys
from auditor.sources.mirrorlists import mirrorlist
listing = mirrorlist(sys.argv[1], "file://" + sys.argv[1])
print(len(listing.mirrors), len(listing.ignored))
"""


def _cap_cpu() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def test_a_mirrorlist_at_the_size_ceiling_is_read_in_linear_time(tmp_path: Path) -> None:
    lines: list[str] = []
    size = 0
    while True:
        line = f"http://127.0.0.1:9/m{len(lines)}/\n" if len(lines) % 2 == 0 else f"ftp://h/{len(lines)}\n"
        if size + len(line) > SMALL_FILE_CEILING:
            break
        lines.append(line)
        size += len(line)
    listing = tmp_path / "mirrorlist"
    listing.write_text("".join(lines))
    done = subprocess.run(
        [sys.executable, "-c", _READ, str(listing)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        preexec_fn=_cap_cpu,
        check=False,
    )
    assert done.returncode == 0, f"killed past {CPU_SECONDS} s of CPU ({done.returncode}): {done.stderr}"
    half = len(lines) // 2
    assert done.stdout.split() == [str(len(lines) - half), str(half)]


def test_what_is_no_mirror_is_kept_in_order_for_the_policy(tmp_path: Path) -> None:
    """The lines no mirror are still judged by the policy (a Citrix host there is a finding)."""
    listing = tmp_path / "mirrorlist"
    listing.write_text(
        "http://a/\nftp://citrix.example/x\nhttp://a/\nmailto:x\n/local/path\nhttp://b/\nftp://citrix.example/x\n"
    )
    read = mirrorlist(str(listing), f"file://{listing}")
    assert read.mirrors == ("http://a/", "http://a/", "http://b/")
    assert read.ignored == ("ftp://citrix.example/x", "mailto:x", "/local/path", "ftp://citrix.example/x")
