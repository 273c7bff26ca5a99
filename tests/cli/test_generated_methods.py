"""The code of the methods ``dataclasses`` generates is kept as a module's bytecode is
(`auditor.cli.process.keep_generated_methods`): written by a run allowed to write bytecode,
read back by the next, and never the cause of a different report.

Each run is the console's, in a child process, with its bytecode under a ``PYTHONPYCACHEPREFIX``
of the test's own, so that the checkout's ``__pycache__`` is never written.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest

from auditor.cli import process
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini" / "repo"


def _scan(tmp_path: Path, report: str, *, write_bytecode: bool = True) -> int:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache"),
        "PYTHONDONTWRITEBYTECODE": "" if write_bytecode else "1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(EXAMPLE), "--format", "json", "-q", "--no-cache",
         "-o", str(tmp_path / report)],
        env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert "Traceback" not in done.stderr
    return done.returncode


def _methods_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "pycache").rglob("dataclass-methods.*.bin"))


def test_a_run_writes_the_methods_and_the_next_runs_them_with_the_same_report(tmp_path: Path) -> None:
    first = _scan(tmp_path, "first.json")
    [methods] = _methods_files(tmp_path)
    assert methods.parent.name == "auditor"  # beside the package's own bytecode
    stored = process._read_methods(str(methods))
    assert len(stored) > 100  # every method of the scan's classes, by its source text
    written = methods.stat()

    second = _scan(tmp_path, "second.json")

    # Nothing compiled again, so nothing written again: every text was found.
    assert (methods.stat().st_ino, methods.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert first == second == 1  # the example holds Citrix packages
    assert (tmp_path / "first.json").read_bytes() == (tmp_path / "second.json").read_bytes()


def test_a_damaged_or_foreign_file_is_compiled_around_and_replaced(tmp_path: Path) -> None:
    _scan(tmp_path, "clean.json")
    [methods] = _methods_files(tmp_path)
    for damage in (
        process._METHODS_FORMAT + b"\xff" * 64,  # not marshal data
        process._METHODS_FORMAT + b"N",  # marshal's None: not a table of code
        b"\x00\x00\r\n" + methods.read_bytes()[4:],  # another interpreter's magic number
        b"",
    ):
        methods.write_bytes(damage)
        assert process._read_methods(str(methods)) == {}
        assert _scan(tmp_path, "damaged.json") == 1
        assert (tmp_path / "damaged.json").read_bytes() == (tmp_path / "clean.json").read_bytes()
        assert len(process._read_methods(str(methods))) > 100  # written again, whole


def test_nothing_is_written_where_python_writes_no_bytecode(tmp_path: Path) -> None:
    assert _scan(tmp_path, "report.json", write_bytecode=False) == 1
    assert _methods_files(tmp_path) == []


def _classes() -> list[type]:
    """Dataclasses of every kind of generated method: defaults and factories, frozen and
    ordered, slots and keyword-only with a ClassVar and an InitVar, an unsafe hash."""

    @dataclasses.dataclass
    class Plain:
        x: int
        y: str = "a"
        z: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True, order=True)
    class Frozen:
        x: int
        y: str = "b"

    @dataclasses.dataclass(slots=True, kw_only=True)
    class Slotted:
        x: int
        shared: ClassVar[int] = 3
        given: dataclasses.InitVar[int] = 0

        def __post_init__(self, given: int) -> None:
            pass

    @dataclasses.dataclass(unsafe_hash=True)
    class Hashed:
        x: int = dataclasses.field(init=False, default=1)

    return [Plain, Frozen, Slotted, Hashed]


def _methods(cls: type) -> dict[str, Any]:
    return {name: value for name, value in vars(cls).items() if inspect.isfunction(value)}


def test_the_kept_methods_are_the_ones_dataclasses_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compiled by the hook, and read back from its file, each method is the one ``dataclasses``
    makes alone: the same code, flags (this module's ``from __future__ import annotations`` must
    not reach it), file name and lines, annotations and globals."""
    monkeypatch.delattr(dataclasses, "exec", raising=False)
    alone = _classes()
    path = str(tmp_path / "pycache" / "dataclass-methods.bin")
    compiling = process._GeneratedMethods(path, {})
    monkeypatch.setattr(dataclasses, "exec", compiling.exec, raising=False)
    compiled = _classes()
    assert compiling.compiled
    process._write_methods(compiling, compiling.code)
    reading = process._GeneratedMethods(path, process._read_methods(path))
    monkeypatch.setattr(dataclasses, "exec", reading.exec, raising=False)
    read = _classes()
    assert not reading.compiled  # every text was in the file

    for hooked in (compiled, read):
        for plain, other in zip(alone, hooked, strict=True):
            expected, got = _methods(plain), _methods(other)
            assert expected.keys() == got.keys() and len(expected) >= 3
            for name, method in expected.items():
                code, other_code = method.__code__, got[name].__code__
                assert other_code == code
                for attribute in ("co_flags", "co_filename", "co_firstlineno", "co_qualname"):
                    assert getattr(other_code, attribute) == getattr(code, attribute), (name, attribute)
                assert got[name].__annotations__ == method.__annotations__
                assert got[name].__globals__ is method.__globals__


def test_the_file_takes_the_mode_of_the_package_source_never_more(tmp_path: Path) -> None:
    """As importlib writes a ``.pyc``: a world-writable file in a ``__pycache__`` root made would
    let anyone put code in root's next run."""
    path = tmp_path / "dataclass-methods.bin"
    source = Path(process.__file__).parent.parent / "__init__.py"
    previous = os.umask(0)
    try:
        process._write_methods(process._GeneratedMethods(str(path), {}), {})
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == (stat.S_IMODE(source.stat().st_mode) | 0o200) & 0o666
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name]  # no temporary file left
