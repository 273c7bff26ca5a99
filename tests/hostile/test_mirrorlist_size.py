"""A mirrorlist or metalink as large as a small file may be (16 MiB,
`auditor.net.remote.SMALL_FILE_CEILING`) is read in time linear in its size.

Each line a mirrorlist lists that is no mirror (a comment-less junk line, an ``ftp://`` URL) was
looked up in the list of its URLs: 866,000 lines, half of them URLs, took hours. A metalink's
checksums were each looked up in the list of those before (100,000 alternates: minutes), and
the path of each element built whole (2 million nested elements: hours), in a ``repomd.xml``
too. Each read runs
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
from auditor.sources import mirrorlists as mirrorlist_module
from auditor.sources.mirrorlists import mirrorlist
from tests.paths import ROOT

CPU_SECONDS = 120

_READ = """
import sys
from auditor.sources import mirrorlists
listing = getattr(mirrorlists, sys.argv[2])(sys.argv[1], "file://" + sys.argv[1])
print(len(listing.mirrors), len(listing.ignored), len(listing.vouched))
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
    half = len(lines) // 2
    assert read_capped(listing, "mirrorlist") == [len(lines) - half, half, 0]


def read_capped(listing: Path, reader: str) -> list[int]:
    """The mirrors, the ignored URLs and the checksums ``mirrorlists.READER`` reads of
    ``listing``, in a child whose CPU time is capped."""
    return [int(word) for word in run_capped(_READ, str(listing), reader).split()]


def run_capped(script: str, *arguments: str) -> str:
    """What ``script`` prints, run in a child whose CPU time is capped (`CPU_SECONDS`)."""
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        preexec_fn=_cap_cpu,
        check=False,
    )
    assert done.returncode == 0, f"killed past {CPU_SECONDS} s of CPU ({done.returncode}): {done.stderr}"
    return done.stdout


METALINK_HEAD = (
    '<?xml version="1.0"?>\n<metalink xmlns="http://www.metalinker.org/"'
    ' xmlns:mm0="http://fedorahosted.org/mirrormanager"><files><file name="repomd.xml">'
)
METALINK_TAIL = (
    '<resources><url protocol="http" type="http">http://127.0.0.1:9/r/repodata/repomd.xml</url>'
    "</resources></file></files></metalink>\n"
)


def test_a_metalink_of_alternates_at_the_size_ceiling_is_read_in_linear_time(tmp_path: Path) -> None:
    count = (SMALL_FILE_CEILING - 1024) // 151
    alternates = "".join(
        f'<mm0:alternate><verification><hash type="sha256">{number:064x}</hash></verification></mm0:alternate>'
        for number in range(count)
    )
    listing = tmp_path / "metalink.xml"
    listing.write_text(f"{METALINK_HEAD}<mm0:alternates>{alternates}</mm0:alternates>{METALINK_TAIL}")
    assert read_capped(listing, "metalink") == [1, 0, count]


def test_a_metalink_nested_to_the_size_ceiling_is_read_in_linear_time(tmp_path: Path) -> None:
    depth = (SMALL_FILE_CEILING - 1024) // 7
    listing = tmp_path / "metalink.xml"
    listing.write_text(f"{METALINK_HEAD}{'<a>' * depth}{'</a>' * depth}{METALINK_TAIL}")
    assert read_capped(listing, "metalink") == [1, 0, 0]


def test_a_checksum_given_twice_is_vouched_for_once_in_order(tmp_path: Path) -> None:
    hashes = [f"{number:064x}" for number in (1, 2, 1, 3)]
    alternates = "".join(
        f'<mm0:alternate><verification><hash type="sha256">{digest}</hash></verification></mm0:alternate>'
        for digest in hashes
    )
    listing = tmp_path / "metalink.xml"
    listing.write_text(f"{METALINK_HEAD}<mm0:alternates>{alternates}</mm0:alternates>{METALINK_TAIL}")
    read = mirrorlist_module.metalink(str(listing), f"file://{listing}")
    assert read.vouched == tuple(("sha256", digest) for digest in hashes[:2] + hashes[3:])


def test_what_is_no_mirror_is_kept_in_order_for_the_policy(tmp_path: Path) -> None:
    """The lines no mirror are still judged by the policy (a Citrix host there is a finding)."""
    listing = tmp_path / "mirrorlist"
    listing.write_text(
        "http://a/\nftp://citrix.example/x\nhttp://a/\nmailto:x\n/local/path\nhttp://b/\nftp://citrix.example/x\n"
    )
    read = mirrorlist(str(listing), f"file://{listing}")
    assert read.mirrors == ("http://a/", "http://a/", "http://b/")
    assert read.ignored == ("ftp://citrix.example/x", "mailto:x", "/local/path", "ftp://citrix.example/x")


_READ_REPOMD = """
import sys
from auditor.formats.repomd import read_repomd
try:
    read_repomd(sys.argv[1], sys.argv[1])
except Exception as exc:
    print(exc)
"""


def test_a_repomd_nested_to_the_size_ceiling_is_read_in_linear_time(tmp_path: Path) -> None:
    depth = (SMALL_FILE_CEILING - 1024) // 7
    repomd = tmp_path / "repomd.xml"
    head = '<?xml version="1.0"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo">'
    repomd.write_text(f"{head}{'<a>' * depth}{'</a>' * depth}</repomd>\n")
    run_capped(_READ_REPOMD, str(repomd))  # read within the CPU cap
