"""``-o FILE``: the report is written whole or not at all, never replacing what is not a regular
file, never leaving a temporary file behind, with the user's permissions."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.conftest import RPMS
from tests.paths import ROOT
from tests.terminal import signals_as_in_a_terminal

ONE = str(RPMS / "single-deps-1.0-1.noarch.rpm")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([*args, "-q", "--no-cache"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".auditor-"))


def test_a_fifo_is_written_in_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, _, err = run(["scan", ONE, "--format", "json", "-o", str(fifo)], capsys)
    reader.join()
    assert code in (0, 1) and "error" not in err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # not replaced by a regular file
    assert json.loads(received[0])["packages"][0]["name"] == "single-deps"
    assert leftovers(tmp_path) == []


def test_a_device_node_is_written_in_place_not_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As root, replacing /dev/null by a regular file would break the machine: a device of our
    own (the null device's numbers, in the test's directory) shows it stays a device."""
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root (CAP_MKNOD); the FIFO test covers the same path")
    code, _, err = run(["scan", ONE, "--format", "json", "-o", str(null)], capsys)
    assert code in (0, 1) and "error" not in err
    info = null.lstat()
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, 3)
    assert leftovers(tmp_path) == []


def test_a_symlink_stays_a_link_and_its_target_gets_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "reports" / "latest.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "report.json"
    link.symlink_to(Path("reports") / "latest.json")
    code, _, _ = run(["scan", ONE, "--format", "json", "-o", str(link)], capsys)
    assert code in (0, 1)
    assert link.is_symlink() and os.readlink(link) == os.path.join("reports", "latest.json")
    assert json.loads(real.read_text())["packages"][0]["name"] == "single-deps"
    assert leftovers(tmp_path) == [] and leftovers(real.parent) == []


@pytest.mark.parametrize(
    ("points_to", "says"),
    [("missing.json", "symlink to a file that does not exist"), ("loop", "symlink loop")],
)
def test_a_dangling_or_looping_symlink_is_refused(
    points_to: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "loop" if points_to == "loop" else tmp_path / "report.json"
    link.symlink_to(points_to)
    code, out, err = run(["scan", ONE, "--format", "json", "-o", str(link)], capsys)
    assert code == 2 and out == ""
    assert err == f"auditor: error: cannot write {link}: it is a {says} (write to the file itself)\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [link.name]


def test_a_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["scan", ONE, "-o", str(tmp_path)], capsys)
    assert code == 2 and err == f"auditor: error: cannot write {tmp_path}: is a directory\n"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_report_gets_the_users_umask(
    umask: int, mode: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = os.umask(umask)
    try:
        code, _, _ = run(["scan", ONE, "-o", str(tmp_path / "report.txt")], capsys)
    finally:
        os.umask(previous)
    assert code in (0, 1)
    assert stat.S_IMODE((tmp_path / "report.txt").stat().st_mode) == mode


def test_a_replaced_report_keeps_its_permissions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.txt"
    report.write_text("old")
    report.chmod(0o640)
    run(["scan", ONE, "-o", str(report)], capsys)
    assert stat.S_IMODE(report.stat().st_mode) == 0o640 and "1 package audited" in report.read_text()


def scan_to_full_stdout(*arguments: str) -> None:
    """``auditor scan ARGUMENTS`` with standard output on /dev/full: exit 2, one line naming it."""
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "auditor", "scan", *arguments],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            check=False,
        )
    assert done.returncode == 2
    assert (
        done.stderr == "auditor: error: cannot write the report to standard output: No space left on device\n"
    )


def test_standard_output_full_is_exit_2_with_one_line() -> None:
    scan_to_full_stdout(ONE, "-q", "--no-cache")


# A child writes a report whose pieces come slowly, says when the temporary file exists, and
# is signalled then: the temporary file must be gone, the target never created.
SLOW_WRITER = """
import sys, time
from auditor.cli.output import write_outputs

def pieces():
    yield "x" * 65536
    print("writing", flush=True)
    while True:
        time.sleep(0.05)
        yield "y" * 65536

try:
    write_outputs([("a report written whole", path) for path in sys.argv[2:]] + [(pieces(), sys.argv[1])])
except KeyboardInterrupt:
    sys.exit(130)
"""


def _as_from_a_terminal(*, hangup_ignored: bool = False) -> Callable[[], None]:
    """What the child does before exec: its signals as a shell's foreground job has them (or
    as under nohup, SIGHUP ignored). A CI runner may start the tests with SIGINT or SIGHUP
    ignored (a background job, nohup), and an ignored signal stays ignored in the auditor, as
    nohup means it to: a test sending it would then wait for nothing."""

    def reset() -> None:
        signals_as_in_a_terminal()
        if hangup_ignored:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)

    return reset


@contextlib.contextmanager
def slow_writer(
    target: Path, *written_first: Path, hangup_ignored: bool = False
) -> Iterator[subprocess.Popen[str]]:
    """A child writing ``target`` through `write_outputs`, forever, once it says "writing",
    after each of ``written_first``."""
    with subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(target), *map(str, written_first)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        preexec_fn=_as_from_a_terminal(hangup_ignored=hangup_ignored),
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline() == "writing\n"
        yield child


@pytest.mark.parametrize(
    ("signum", "returncode"),
    [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGHUP, -signal.SIGHUP), (signal.SIGINT, 130)],
)
def test_a_signal_during_the_write_removes_the_temporary_file(
    signum: int, returncode: int, tmp_path: Path
) -> None:
    target = tmp_path / "report.json"
    with slow_writer(target) as child:
        assert len(leftovers(tmp_path)) == 1  # the write is under way
        child.send_signal(signum)
        assert child.wait(timeout=60) == returncode
    assert leftovers(tmp_path) == [] and not target.exists()


def test_a_signal_during_a_later_report_removes_the_earlier_ones_not_yet_in_place(tmp_path: Path) -> None:
    """Several ``-o``: the reports are put in place together, so a run ended while it writes the
    last leaves none of them, and the file an earlier run left keeps what it said."""
    target = tmp_path / "report.json"
    earlier = tmp_path / "report.sarif"
    earlier.write_text("an earlier run's")
    with slow_writer(target, tmp_path / "page.html", earlier) as child:
        assert len(leftovers(tmp_path)) == 3  # two written whole, the last under way
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=60) == -signal.SIGTERM
    assert leftovers(tmp_path) == [] and sorted(os.listdir(tmp_path)) == ["report.sarif"]
    assert earlier.read_text() == "an earlier run's"


def test_a_signal_nohup_ignores_stays_ignored_during_the_write(tmp_path: Path) -> None:
    """``nohup auditor scan ... -o FILE``: a hang-up must not end the write nohup protects."""
    target = tmp_path / "report.json"
    with slow_writer(target, hangup_ignored=True) as child:
        child.send_signal(signal.SIGHUP)
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=0.5)  # still writing
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=60) == -signal.SIGTERM
    assert leftovers(tmp_path) == [] and not target.exists()


def test_a_failing_write_leaves_the_old_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from auditor.cli.output import write_output
    from auditor.core.errors import UsageError

    report = tmp_path / "report.json"
    report.write_text("old")

    def pieces() -> object:
        yield "half"
        raise UsageError("the renderer failed")

    with pytest.raises(UsageError):
        write_output(pieces(), str(report))  # type: ignore[arg-type]
    assert report.read_text() == "old" and leftovers(tmp_path) == []
