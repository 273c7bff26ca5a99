"""Every process-level trick of the command, in one place, each with its reason.

- The cyclic garbage collector is paused while a command runs, and left off when the process
  exits next (`collector_paused`).
- What a run built is kept alive to the end (`keep`), and the process ends with
  ``os._exit`` once everything is flushed (`exit_now`), so it is never torn down object by
  object.
- Memory the audit freed is given back to the system before the report is built
  (`return_freed_memory`), so the report's own memory does not come on top of it.
- Standard error outlives its reader, and a standard stream closed before the run is the null
  device (`streams_outlive_their_readers`): ``auditor scan 2>&1 | head`` and ``auditor scan
  2>&-`` must end with the run's exit code, not with a broken pipe or a lost one.
- SIGTERM and SIGHUP unwind the run as Ctrl-C does, then end it by the same signal
  (`signals_unwind_the_run`, `end_by_signal`): a cancelled CI job or a closed terminal removes
  what the run made (its directory of downloads, half-written reports) instead of leaving it.
- The code of the methods ``dataclasses`` generates is kept beside the package's bytecode
  and read back instead of compiled again (`keep_generated_methods`): a third of the
  command's start.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import marshal
import os
import signal
import sys
from collections.abc import Iterator, Mapping
from importlib.util import MAGIC_NUMBER, cache_from_source
from types import CodeType
from typing import Any, NoReturn, TextIO, cast

_kept: list[object] | None = None


def keep_until_exit() -> None:
    """Called by the console entry point, which ends with `exit_now`: from now on `keep` holds
    what it is given, and `collector_paused` leaves the collector off."""
    global _kept
    _kept = []


def keep(value: object) -> None:
    """Keep ``value`` alive until the process exits (only under the console entry point).

    Freeing a distribution's packages, edges and findings one reference at a time took half
    a second after the report was written; `exit_now` skips it.
    """
    if _kept is not None:
        _kept.append(value)


def return_freed_memory() -> None:
    """Hand the heap memory the run has freed back to the system (glibc's ``malloc_trim``).

    Reading and resolving a distribution frees tens of megabytes in blocks glibc keeps for
    reuse, in the middle of the heap; the report view and the rendering that follow allocate
    on top of them, and the peak resident set (the 300 MB the distro-60k benchmark allows) is
    reached then. Trimming first lowered that peak by 11-12 MiB, in about 2 ms. Elsewhere than
    glibc there is no such call, and nothing is done."""
    import ctypes  # 1.5 ms, paid only by a run that audits

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run without Python's cyclic garbage collector.

    An audit builds millions of objects that live until the end and form no cycles; the
    collector would scan them again and again as they grow (a fifth of a distribution's
    audit time). Reference counting still frees everything else.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Not under the console entry point, which exits next (`exit_now`): the objects made
        # while the collector was paused are all still in its youngest generation, and the
        # first allocation after enabling it scans every one of them (distro-10k: 0.12-0.15 s
        # of a 1.8 s run, spent after the report was written).
        if enabled and _kept is None:
            gc.enable()


def exit_now(code: int) -> NoReturn:
    """End the process without tearing the run down.

    Everything the run writes is flushed and closed by then (a report file is closed and
    renamed, the store closed), so the process ends with ``os._exit``, as mypy's command
    does for the same reason.
    """
    for signum in UNWINDING_SIGNALS:  # the run is over: nothing is left to unwind, nor to say so
        if signal.getsignal(signum) not in (signal.SIG_IGN, signal.SIG_DFL, None):
            signal.signal(signum, signal.SIG_DFL)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # None: closed at start
            stream.flush()
    _save_generated_methods()
    os._exit(code)


UNWINDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""The signals that end a run by unwinding it (SIGINT already does, as KeyboardInterrupt)."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: raised where the run stands, so that every ``finally`` and
    ``with`` on the way out runs, as for Ctrl-C. A BaseException, so that no ``except
    Exception`` takes it for a failure of the work it interrupted."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def signals_unwind_the_run() -> None:
    """Called by the console entry point: SIGTERM (a cancelled CI job) and SIGHUP (a closed
    terminal) raise `Terminated` instead of ending the process where it stands, which left the
    run's directory of downloads in the system's temporary directory for good. A signal that
    is ignored (``nohup``'s SIGHUP) stays ignored. The first signal restores the default action,
    so that a second one ends a run whose unwinding hangs at once, as a second Ctrl-C would be
    expected to."""

    def unwind(signum: int, _frame: object) -> None:
        global _received
        _received = signum
        for each in UNWINDING_SIGNALS:
            if signal.getsignal(each) is unwind:
                signal.signal(each, signal.SIG_DFL)
        raise Terminated(signum)

    for signum in UNWINDING_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, unwind)


_received: int | None = None
"""The signal `signals_unwind_the_run` unwinds the run for, once one has arrived."""


def received_signal() -> int | None:
    """The signal the run was unwound for, if any: whatever the unwinding ended in. Its
    `Terminated` may have been replaced on the way by what a ``finally`` met: the hung-up
    terminal of a SIGHUP fails every write (EIO), the clearing of the progress line among them,
    and the run ended as an internal error whose message failed too, with status 1."""
    return _received


def end_by_signal(signum: int) -> NoReturn:
    """End the unwound run by ``signum``'s default action, so that its parent (the CI runner, the
    shell) sees the signal that ended it, as it would have without `signals_unwind_the_run`."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)  # not reached: the default action of both signals ends the process


def to_null_device(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at the null device: its reader went away (or it could not
    take the report), and the exit's flush must not fail again with a second message."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)


class _OutlivingStream:
    """A text stream whose writes go nowhere once its reader has gone away, instead of raising
    `BrokenPipeError` from whatever warning or progress line the run prints next."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._drop()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._drop()

    def _drop(self) -> None:
        to_null_device(self._stream)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def streams_outlive_their_readers() -> None:
    """Called by the console entry point: standard error survives a reader that went away
    (standard output does in `auditor.cli.output`, which writes every report), and a standard
    stream closed before the run started (``2>&-``, ``>&-``: Python then sets it to None) is
    the null device, so that the run still ends with its own exit code."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives to the exit
    sys.stderr = cast(TextIO, _OutlivingStream(sys.stderr))


_METHODS_FORMAT = MAGIC_NUMBER + b"auditor dataclass methods 1\n"
"""The file's first bytes: the interpreter's bytecode magic number, as a ``.pyc`` starts with,
so that another interpreter's code is never run; then this file's own format."""


class _GeneratedMethods:
    """The code of the methods ``dataclasses`` compiled, by their source text (`keep_generated_methods`)."""

    def __init__(self, path: str, code: dict[str, CodeType]) -> None:
        self.path = path
        self.code = code
        self.used: set[str] = set()
        self.compiled = False
        """Whether this run compiled a text the file did not hold: the file is written again."""

    def exec(self, source: Any, globals: Any = None, locals: Mapping[str, object] | None = None, /) -> None:
        """``exec`` as ``dataclasses`` calls it: a text's stored code is run instead of the
        text, which compiles to the same code (`compile`'s defaults are ``exec``'s)."""
        if isinstance(source, str):
            code = self.code.get(source)
            if code is None:
                code = self.code[source] = compile(source, "<string>", "exec", dont_inherit=True)
                self.compiled = True
            self.used.add(source)
            source = code
        exec(source, globals, locals)  # dataclasses' own call, its own text


_generated: _GeneratedMethods | None = None
_PACKAGE_SOURCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "__init__.py")
"""The package's ``__init__.py``: the file's place is its bytecode's, and its mode is the source's."""


def keep_generated_methods() -> None:
    """Keep the code of the methods ``dataclasses`` generates, as Python keeps a module's.

    Python 3.11's ``dataclasses`` writes each method it adds (``__init__``, ``__repr__``,
    ``__eq__``, ``__hash__``, a frozen class's ``__setattr__`` and ``__delattr__``) as source
    text and compiles it with ``exec``: about 500 compilations for the 90 classes a scan
    defines, 60-90 ms of its 220 ms of imports, paid again by every run (measured with
    ``benchmarks/profile.py``'s import line). The same text always compiles to the same code.
    So the module's ``exec`` is shadowed by one that runs the code a previous run compiled
    from the same text, read from a file beside the package's bytecode
    (``auditor/__pycache__/dataclass-methods.cpython-311.bin``, or under
    ``sys.pycache_prefix``), and `exit_now` writes that file again when this run compiled a
    text it did not hold.

    The file is treated as a ``.pyc`` is: it starts with the interpreter's magic number and is
    ignored otherwise, as when it cannot be read or decoded (every text is compiled then, as
    without it); it is never written under ``PYTHONDONTWRITEBYTECODE`` or where the package is
    read-only, and it is replaced whole (a temporary file renamed), so that a concurrent run
    reads the old file or the new one. Called by `auditor.cli` before any class of the command
    is defined; under a Python whose ``dataclasses`` calls no ``exec``, nothing changes.
    """
    global _generated
    if _generated is not None:
        return
    try:
        pyc = cache_from_source(_PACKAGE_SOURCE)
    except NotImplementedError:
        return  # an interpreter that keeps no bytecode (no cache tag)
    path = os.path.join(os.path.dirname(pyc), f"dataclass-methods.{sys.implementation.cache_tag}.bin")
    _generated = _GeneratedMethods(path, _read_methods(path))
    setattr(dataclasses, "exec", _generated.exec)  # noqa: B010 - a module global, read by dataclasses


def _read_methods(path: str) -> dict[str, CodeType]:
    """The stored code by source text; nothing when the file is missing, another
    interpreter's, or damaged."""
    try:
        with open(path, "rb") as stored:
            data = stored.read()
        if not data.startswith(_METHODS_FORMAT):
            return {}
        code = marshal.loads(memoryview(data)[len(_METHODS_FORMAT) :])
    except Exception:  # any damage means: compile, as without the file
        return {}
    if not isinstance(code, dict) or not all(
        isinstance(text, str) and isinstance(value, CodeType) for text, value in code.items()
    ):
        return {}
    return code


def write_generated_methods() -> int:
    """Import every module of the command and write the file of `keep_generated_methods`,
    whatever ``PYTHONDONTWRITEBYTECODE`` says, as ``python -m compileall`` writes a package's
    bytecode: for an installation, or a benchmark that times an installed auditor. The file
    then holds the package's texts alone (an earlier version's are dropped). Returns how many
    it holds; raises `OSError` when it cannot be written."""
    import importlib
    import pkgutil

    import auditor

    keep_generated_methods()
    for module in pkgutil.walk_packages(auditor.__path__, "auditor."):
        if module.name != "auditor.__main__":  # which runs the command
            importlib.import_module(module.name)
    if _generated is None:
        return 0
    _write_methods(_generated, {text: _generated.code[text] for text in _generated.used})
    return len(_generated.used)


def _save_generated_methods() -> None:
    """Write the file of `keep_generated_methods` when this run compiled a new text and Python
    writes bytecode. Nothing it meets may change how the run ends: the exit code is decided."""
    generated = _generated
    if generated is None or not generated.compiled or sys.dont_write_bytecode:
        return
    with contextlib.suppress(Exception):
        code = generated.code
        # Texts of classes since changed (an upgrade, a checkout) are dropped once they are half
        # the file: not at every run, or a scan and a check would drop each other's.
        if len(code) > 2 * len(generated.used):
            code = {text: code[text] for text in generated.used}
        _write_methods(generated, code)


def _write_methods(generated: _GeneratedMethods, code: dict[str, CodeType]) -> None:
    """Write the file as importlib writes a ``.pyc`` (``_write_atomic``): a temporary file of a
    name of its own, created exclusively with the mode of the package's source less the umask,
    then renamed over the file; removed if anything fails. A file anyone may write, in a
    ``__pycache__`` root made, would let anyone put code in root's next run."""
    mode = (os.stat(_PACKAGE_SOURCE).st_mode | 0o200) & 0o666
    os.makedirs(os.path.dirname(generated.path), exist_ok=True)
    temporary = f"{generated.path}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with open(descriptor, "wb") as stored:
            stored.write(_METHODS_FORMAT + marshal.dumps(code))
        os.replace(temporary, generated.path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
