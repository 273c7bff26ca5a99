"""A configuration's own variables (``$stream``, CentOS's ``$contentdir``): ``--vars-dir`` reads
them as dnf reads its varsdir, ``--var`` gives one.

dnf is the authority: with ``--installroot ROOT`` it reads ``ROOT/etc/yum/vars`` and then
``ROOT/etc/dnf/vars`` (the latter winning), and ``repoquery`` lists what the expanded URL
holds. The packages are built by rpmbuild, the repositories by createrepo_c.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.core.errors import ExitCode
from tests.scenarios.test_basearch import audited
from tests.scenarios.test_repo_excludes import CITRIX, CLEAN, build


@pytest.fixture
def configuration(tmp_path: Path) -> Path:
    """``$stream`` picks a directory: ``clean`` holds a clean package, ``vendor`` also a Citrix one."""
    top = tmp_path / "top"
    top.mkdir()
    for stream in ("clean", "vendor"):
        build(tmp_path / stream, "base", CLEAN, top)
    build(tmp_path / "vendor", "agent", CITRIX, top)
    for stream in ("clean", "vendor"):
        subprocess.run(["createrepo_c", "-q", str(tmp_path / stream)], check=True)
    config = tmp_path / "repos" / "os.repo"
    config.parent.mkdir()
    config.write_text(f"[os]\nname=os\nbaseurl=file://{tmp_path}/$stream/\ngpgcheck=0\n")
    return config


def set_variable(root: Path, where: str, name: str, text: str) -> Path:
    directory = root / "etc" / where / "vars"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text)
    return directory


def dnf_names(config: Path, root: Path, work: Path) -> set[str]:
    assert shutil.which("dnf"), "dnf is the authority here: install dnf and dnf-plugins-core"
    (work / "main.conf").write_text("[main]\n")
    command = ["dnf", "-q", f"--config={work / 'main.conf'}", "--releasever=8", f"--installroot={root}"]
    command += [f"--setopt=reposdir={config.parent}", f"--setopt=cachedir={work / 'cache'}"]
    command += ["repoquery", "--qf", "%{name}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_a_vars_directory_is_read_as_dnf_reads_it(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "root"
    yum_vars = set_variable(root, "yum", "stream", "clean\n")
    dnf_vars = set_variable(root, "dnf", "stream", "vendor\n")
    (dnf_vars / "stream.rpmnew").write_text("clean\n")  # no variable's name: never read
    (tmp_path / "dnf").mkdir()
    assert dnf_names(configuration, root, tmp_path / "dnf") == {"base", "agent"}
    code, names = audited(configuration, ["--vars-dir", str(yum_vars), "--vars-dir", str(dnf_vars)], capsys)
    assert (code, names) == (ExitCode.FINDINGS, {"base", "agent"})
    # The later directory wins, whichever it is.
    assert audited(configuration, ["--vars-dir", str(dnf_vars), "--vars-dir", str(yum_vars)], capsys) == (
        ExitCode.PASSED,
        {"base"},
    )


def test_the_value_is_the_first_line_as_written(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No line end (``printf``'s), and a second line dnf ignores."""
    root = tmp_path / "root"
    dnf_vars = set_variable(root, "dnf", "stream", "vendor")
    (tmp_path / "dnf").mkdir()
    assert dnf_names(configuration, root, tmp_path / "dnf") == {"base", "agent"}
    assert audited(configuration, ["--vars-dir", str(dnf_vars)], capsys)[1] == {"base", "agent"}
    set_variable(root, "dnf", "stream", "clean\nvendor\n")
    (tmp_path / "dnf2").mkdir()
    assert dnf_names(configuration, root, tmp_path / "dnf2") == {"base"}
    assert audited(configuration, ["--vars-dir", str(dnf_vars)], capsys)[1] == {"base"}


def test_var_wins_over_the_directory(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dnf_vars = set_variable(tmp_path / "root", "dnf", "stream", "clean\n")
    args = ["--vars-dir", str(dnf_vars), "--var", "Stream=vendor"]  # a --var's name is looked up as yum does
    assert audited(configuration, args, capsys) == (ExitCode.FINDINGS, {"base", "agent"})


def test_releasever_and_basearch_can_come_from_variables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--releasever`` and ``--basearch`` win over a variable of their name, which stands in for them."""
    top = tmp_path / "top"
    top.mkdir()
    build(tmp_path / "9" / "aarch64", "base", CLEAN, top)
    build(tmp_path / "8" / "aarch64", "agent", CITRIX, top)
    for release in ("8", "9"):
        subprocess.run(["createrepo_c", "-q", str(tmp_path / release / "aarch64")], check=True)
    config = tmp_path / "os.repo"
    config.write_text(f"[os]\nname=os\nbaseurl=file://{tmp_path}/$releasever/$basearch/\ngpgcheck=0\n")
    given = ["--var", "releasever=9", "--var", "basearch=aarch64"]
    assert audited(config, given, capsys) == (ExitCode.PASSED, {"base"})
    assert audited(config, [*given, "--releasever", "8"], capsys) == (ExitCode.FINDINGS, {"agent"})
    assert main(["scan", str(config), *given, "--basearch", "x86_64", "-q", "--no-cache"]) == ExitCode.INPUT


def test_a_variable_no_one_gave_names_the_options(
    configuration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(configuration), "-q", "--no-cache"]) == ExitCode.INPUT
    assert (
        "$stream left unexpanded in baseurl (give --var stream=VALUE or --vars-dir DIR)"
        in capsys.readouterr().err
    )


def test_an_include_names_the_options_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "yum.conf"
    config.write_text("[main]\ninclude=file:///etc/$stream.conf\n")
    main(["scan", str(config), "-q", "--no-cache"])
    assert "$stream left unexpanded (give --var stream=VALUE or --vars-dir DIR)" in capsys.readouterr().err


def make_vars(where: Path, kind: str) -> None:
    if kind == "a file":
        where.write_text("x")
        return
    if kind != "missing":
        where.mkdir()
    if kind == "binary":
        (where / "stream").write_bytes(b"\xff\xfe\n")
    elif kind == "one long line":
        (where / "stream").write_bytes(b"x" * 70_000)
    elif kind == "fifo":
        os.mkfifo(where / "stream")
    elif kind == "many long values":  # 20 of 60,000 bytes: 10,000 of them held 640 MB
        for number in range(20):
            (where / f"v{number}").write_text("x" * 60_000 + "\n")


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("missing", "no such file or directory"),
        ("a file", "not a directory"),
        ("binary", "not UTF-8 text"),
        ("one long line", "first line over 64 KiB"),
        ("fifo", None),  # skipped, never opened: dnf's ``isfile`` skips it too
        ("many long values", "its variables hold more than 1024 KiB: not a vars directory"),
    ],
)
def test_a_vars_directory_that_cannot_be_read_is_an_input_error(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, said: str | None
) -> None:
    """One line naming the file, never a traceback, never a hang on a FIFO."""
    where = tmp_path / "vars"
    make_vars(where, kind)
    capsys.readouterr()
    code = main(["scan", str(configuration), "--vars-dir", str(where), "-q", "--no-cache"])
    error = capsys.readouterr().err
    assert code == ExitCode.INPUT
    if said is None:  # the section's own error: the variable is still not given
        assert "$stream left unexpanded" in error
    else:
        assert said in error and str(where) in error
        assert "Traceback" not in error and len(error.strip().splitlines()) == 1


@pytest.mark.parametrize("given", ["stream", "=clean", "1x=clean", "a-b=c"])
def test_a_var_that_is_no_assignment_is_a_usage_error(
    configuration: Path, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    assert main(["scan", str(configuration), "--var", given]) == ExitCode.USAGE
    assert "error: argument --var:" in capsys.readouterr().err


def test_a_default_form_dnf_leaves_as_written_is_an_input_error_that_says_so(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dnf 4.14 substitutes ``$name`` and ``${name}`` only: ``${stream:-clean}`` stays as written
    whatever ``stream`` holds, so dnf asks for a directory of that very name (the README says so).
    The auditor cannot read what dnf reads there: an input error, which must not tell the user to
    give the variable they gave."""
    config = configuration
    config.write_text(config.read_text().replace("$stream", "${stream:-clean}"))
    root = tmp_path / "root"
    set_variable(root, "dnf", "stream", "vendor\n")
    literal = tmp_path / "${stream:-clean}"
    shutil.copytree(tmp_path / "clean", literal)
    assert dnf_names(config, root, tmp_path) == {"base"}  # the literal directory, not vendor's
    shutil.rmtree(literal)
    capsys.readouterr()
    code = main(["scan", str(config), "--var", "stream=vendor", "-q", "--no-cache"])
    err = capsys.readouterr().err
    assert code == ExitCode.INPUT and "${stream:-clean}" in err and "dnf" in err, err
    assert "give --var stream" not in err, err
