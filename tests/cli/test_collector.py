"""The cyclic collector is paused while a command runs (`auditor.cli.process.collector_paused`),
and turned on again only where the process goes on after the command: turning it on scans
every object the run made, which the console entry point, exiting next, never needs."""

from __future__ import annotations

import gc
import subprocess
import sys

from auditor.cli.main import main
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini" / "repo"


def test_main_called_in_a_process_that_goes_on_turns_the_collector_on_again() -> None:
    assert gc.isenabled()
    assert main(["scan", str(EXAMPLE), "--no-cache", "--format", "json", "-q", "-o", "/dev/null"]) == 1
    assert gc.isenabled()


def test_under_the_console_entry_point_the_collector_stays_off_to_the_exit() -> None:
    # The console's own sequence (`console_main`), with what it leaves behind printed before
    # the exit: the entry point's state, not a copy of the rule.
    script = (
        "import gc, sys\n"
        "from auditor.cli import process\n"
        "from auditor.cli.main import main\n"
        "process.keep_until_exit()\n"
        "code = main(sys.argv[1:])\n"
        "print(code, gc.isenabled(), flush=True)\n"
        "process.exit_now(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "scan", str(EXAMPLE), "--no-cache", "--format", "json", "-q",
         "-o", "/dev/null"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stdout.split() == ["1", "False"]


def test_the_entry_point_is_the_sequence_the_test_above_follows() -> None:
    import inspect

    from auditor.cli import main as main_module

    source = inspect.getsource(main_module.console_main)
    assert source.index("keep_until_exit()") < source.index("code = main()") < source.index("exit_now(code)")
