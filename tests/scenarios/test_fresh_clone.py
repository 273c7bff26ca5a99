"""A new user's first minutes: the repository cloned alone, the README's commands run there.

The commands are read from README.md's "Two commands" section, so the README and this test
cannot drift apart. The clone is of the checkout's committed HEAD into an empty directory,
with nothing beside it: whatever the project needs must be in the repository. The install
step runs pip, which needs PyPI (or the machine's configured index): the one test that uses
the network beyond 127.0.0.1, because installing is what it checks.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from tests.scenarios.test_example import EXPECTED

ROOT = Path(__file__).resolve().parents[2]
INSTALL_FAILED = 99
"""The exit status the script gives when the install command fails (the auditor uses 0 to 4)."""


def two_commands() -> tuple[str, str]:
    """The README's example command (install, then audit the example) and its test command."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Two commands\n" in text, "README.md has no '## Two commands' section"
    section = text.split("\n## Two commands\n", 1)[1].split("\n## ", 1)[0]
    commands = [line[4:] for line in section.splitlines() if line.startswith("    ")]
    assert len(commands) == 2, f"'Two commands' should show two indented commands, not {commands}"
    return commands[0], commands[1]


def clone_head(destination: Path) -> None:
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    assert head.returncode == 0, f"the checkout must be a git repository to be cloned: {head.stderr}"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(destination)], check=True)
    subprocess.run(
        ["git", "-C", str(destination), "checkout", "--quiet", "--detach", head.stdout.strip()], check=True
    )


def new_user_environment() -> dict[str, str]:
    """This process's environment without its virtualenv, as a shell that never activated one."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    venvs = {os.environ.get("VIRTUAL_ENV", ""), sys.prefix} - {""}
    keep = [
        p for p in env.get("PATH", "").split(os.pathsep) if not any(p.startswith(v + os.sep) for v in venvs)
    ]
    env["PATH"] = os.pathsep.join(keep)
    return env


def test_readme_example_runs_from_a_fresh_clone(tmp_path: Path) -> None:
    example_command, _ = two_commands()
    install, _, example = example_command.rpartition(" && ")
    assert install and example.startswith("auditor scan "), example_command
    clone = tmp_path / "auditor"
    clone_head(clone)
    assert sorted(os.listdir(tmp_path)) == ["auditor"]  # nothing beside the clone
    outside = subprocess.run(["git", "-C", str(clone), "grep", "-n", "-E", "[.][.]/shared"],
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert outside.returncode == 1, f"the repository refers to a sibling directory:\n{outside.stdout}"
    script = f"{install} || exit {INSTALL_FAILED}\n{example}\n"
    done = subprocess.run(["bash", "-c", script], cwd=clone, env=new_user_environment(),
                          capture_output=True, text=True, timeout=1200, check=False)  # fmt: skip
    assert done.returncode != INSTALL_FAILED, f"the README's install command failed:\n{done.stderr[-4000:]}"
    # the example holds Citrix packages on purpose: 1, blocking findings
    assert done.returncode == 1, f"exit {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    lines = done.stdout.splitlines()
    origin = sorted(nevra for nevra, status in EXPECTED.items() if status == "origin")
    assert origin
    for nevra in origin:
        assert any(nevra in line.split() and "origin" in line for line in lines), (nevra, done.stdout)
    assert (clone / ".venv" / "bin" / "auditor").exists()  # installed, not run from the checkout


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run sets up CI exactly as the README tells a user to: through its test command."""
    _, test_command = two_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    words = shlex.split(test_command)
    lines = [line for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert any(shlex.split(line)[-len(words) :] == words for line in lines), (test_command, lines)
    assert os.access(ROOT / shlex.split(test_command)[0], os.X_OK), test_command
