"""``--remote-headers`` holds a bounded number of header bytes for the whole run.

Each worker used to hold its own header, whatever its size: four threads reading headers
that claim 256 MiB took a run to 3.9 GiB. The server here serves RPMs whose main header
claims (and has) tens of MiB; the run is measured in a child process.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

from auditor.audit.options import AuditOptions
from auditor.engine import run_audit
from auditor.formats.rpmheader import HEADER_MAGIC, INTRO_SIZE, LEAD_SIZE
from auditor.net.options import HEADER_MEMORY, RemoteOptions
from auditor.origin.policy import load_policy
from tests.conftest import DATA, errors_of
from tests.hostile.test_hostile import GOOD, MIB
from tests.httpserver import LocalServer
from tests.paths import ROOT

PACKAGES = sorted((DATA / "repo" / "Packages").glob("*.rpm"))


def with_big_header(rpm: bytes, data_size: int) -> bytes:
    """``rpm`` with its lead and signature kept and a main header claiming one entry and
    ``data_size`` bytes of data (and having them): fetched whole, then refused as corrupt."""
    signature_il, signature_dl = struct.unpack(">II", rpm[LEAD_SIZE + 8 : LEAD_SIZE + 16])
    signature = INTRO_SIZE + 16 * signature_il + signature_dl
    main_start = LEAD_SIZE + signature + (8 - signature % 8) % 8
    intro = HEADER_MAGIC[:4] + b"\0" * 4 + struct.pack(">II", 1, data_size)  # magic, reserved bytes
    entry = struct.pack(">iiii", 1000, 6, data_size - 1, 1)  # a NAME string at the very end
    return rpm[:main_start] + intro + entry + b"x" * (data_size - 1) + b"\0"


MEASURED = """
import sys
from auditor.cli.main import main
code = main(sys.argv[1:])
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]
print(f"peak {int(peak) * 1024}", file=sys.stderr)
sys.exit(code)
"""


def peak_rss(args: list[str]) -> tuple[int, str, int]:
    """Run the CLI in a child: (exit code, standard error, its own peak resident memory).

    The peak is the child's VmHWM, which starts afresh at exec; ``ru_maxrss`` would also
    count the memory of this process (the server) at the time of the fork. The timeout
    only guards against a hang.
    """
    child = subprocess.run(
        [sys.executable, "-c", MEASURED, *args, "-q"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    *lines, last = errors_of(child.stderr)
    assert last.startswith("peak "), child.stderr
    return child.returncode, "\n".join(lines), int(last.split()[1])


def test_big_headers_are_read_one_budget_at_a_time(server: LocalServer, www: Path, tmp_path: Path) -> None:
    size = 40 * MIB  # two do not fit in the 64 MiB budget: they wait for each other
    big = PACKAGES[:8]
    for rpm in big:
        target = www / "repo" / "Packages" / rpm.name
        target.write_bytes(with_big_header(rpm.read_bytes(), size))
    _code, _err, baseline = peak_rss(["scan", str(GOOD)])
    args = ["scan", server.url("/repo/"), "--remote-headers", "--cache-dir", str(tmp_path / "cache")]
    code, err, rss = peak_rss(args)
    assert code == 3, err
    warnings = [line for line in errors_of(err) if line.startswith("auditor: warning:")]
    assert warnings == [
        f"auditor: warning: {server.url('/repo/')}: the header ranges its metadata gives "
        "(rpm:header-range) disagree with the files; their headers are read in two steps"
    ]
    errors = [line for line in errors_of(err) if line not in warnings]
    assert sorted(line.split(": ")[2] for line in errors) == sorted(
        server.url(f"/repo/Packages/{rpm.name}") for rpm in big
    )
    fetched = [path for method, path, headers in server.requests if path.endswith(".rpm")]
    # Every header was fetched in full, none skipped: the unchanged ones in one request, at
    # the range the metadata gives; the big ones, whose metadata no longer describes them,
    # in that one and then in three (the intros, then the sizes they declare).
    assert len(fetched) == len(PACKAGES) + 3 * len(big)
    # One header at a time: its buffer, its bytes and the parser's copy of its data. Measured
    # over the baseline: 87 MiB so; 207 MiB with four headers at a time; 650 MiB when each
    # error also kept its traceback, whose frames held the header bytes, to the end of the run.
    assert rss < baseline + 3 * size, f"{rss >> 20} MiB peak, {baseline >> 20} MiB for one RPM"


def test_a_header_larger_than_the_whole_budget_is_refused_with_a_clear_error(
    server: LocalServer, www: Path, tmp_path: Path
) -> None:
    big = PACKAGES[0]
    (www / "repo" / "Packages" / big.name).write_bytes(with_big_header(big.read_bytes(), 2 * MIB))
    options = AuditOptions(
        (server.url("/repo/"),),
        remote=RemoteOptions(cache_dir=str(tmp_path / "cache"), remote_headers=True, header_memory=MIB),
    )
    result = run_audit(options, load_policy())
    [error] = result.errors
    assert error.source == server.url(f"/repo/Packages/{big.name}")
    assert error.reason.startswith("its headers are ") and error.reason.endswith(
        f"bytes, more than the {MIB} bytes --remote-headers holds at once; not read"
    )
    assert len(result.packages) == len(PACKAGES)  # the others' headers were read
    signed = next(package for package in result.packages if package.name == "signed")
    assert signed.signing_key is not None
    assert HEADER_MEMORY == 64 * MIB
