"""Replay a scan's report from the store when nothing that decides it has changed.

A release gate runs the same audit over and over on a repository that did not move. The
report is a function of: the auditor's version, the command line, the working directory
(reports name inputs as given), the content of every policy, project, waiver and
baseline file, of the provenance tables and public key files the policy names and of the earlier report given
to ``--compare`` (the bytes each was parsed from, recorded as it was read: a file edited
since is not what the run used), the date and which waivers have expired (an expiry may be an instant within
the day), the environment variables the auditor reads, and every input file (the targets',
``--sources``' and ``--with``'s: `AuditOptions.every_input`). If all of these are as they
were, the stored report, exit code and
messages are given again; otherwise the audit runs and its result is stored.

Inputs are identified without being read: a file by its path, size, modification and change
times and inode; a repository by the same of every file below its root (its metadata, and the
package files whose headers are read or which the metadata misses) and below the source
repositories found beside it; a directory of RPMs by every file in it. Runs that use the network (URLs,
repository configuration files, ``--resolve-urls``, ``--remote-headers``) are never replayed.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from auditor import __version__
from auditor.audit.options import AuditOptions
from auditor.cli.inputlook import ReportFile, input_tree, report_file
from auditor.cli.output import print_messages, report_warnings, write_outputs
from auditor.cli.project import ProjectConfig
from auditor.core.errors import ExitCode
from auditor.core.readlog import ConfigReads
from auditor.gate.options import GateOptions
from auditor.gate.waivers import Waiver
from auditor.net.cache import default_cache_dir
from auditor.origin.policy import Policy
from auditor.runtime.identity import code_identity, digest
from auditor.runtime.recording import ReportRecorder
from auditor.runtime.snapshot import FileSnapshot, Outline
from auditor.runtime.store import Store
from auditor.sources.inputpaths import is_repo_config, is_url

ENVIRONMENT = ("AUDITOR_MAX_METADATA_BYTES",)


def report_key(
    argv: Sequence[str],
    inputs: Sequence[str],
    config: Iterable[tuple[str, str]],
    *,
    read_rpms: bool,
    snapshot: FileSnapshot,
    clock: str = "",
    reports: Sequence[ReportFile] = (),
) -> str | None:
    """The key a report is stored under, or None when this run must not be replayed. ``config``
    is each configuration file the run read and the digest of the bytes it read
    (`auditor.core.readlog.ConfigReads`): never a second reading, which may differ. The
    inputs' files are looked at through the run's ``snapshot``, which its reader shares;
    ``clock`` is what the time decides of the report (`expiry_state`)."""
    if any(is_url(path) for path in inputs) or any("_sourcedir" in word for word in argv):
        return None  # a spec's Sources read from a directory the key does not look into
    try:
        working = os.getcwd()
    except OSError:
        return None  # removed under the run: the audit reads what absolute names name, unstored
    parts = [__version__, code_identity(), working, clock, "\0".join(argv)]
    parts += [f"{name}={os.environ.get(name, '')}" for name in ENVIRONMENT]
    parts += [f"config\0{path}\0{content}" for path, content in config]
    try:
        for path in inputs:
            if not os.path.isdir(path) and is_repo_config(path):
                return None  # it names repositories read over the network
            parts.append(f"input\0{path}")
            parts.extend(input_tree(path, snapshot, read_rpms=read_rpms, reports=reports))
    except OSError:
        return None  # the audit will say what is wrong with the input; do not replay that
    return digest(*parts)


def expiry_state(gate: GateOptions, waivers: Sequence[Waiver]) -> str:
    """The day, and which of ``waivers`` have expired: a report stored before a waiver's
    expiry instant is not given again after it, on the same day."""
    today, now = gate.moment()
    return today.isoformat() + "\0" + "".join("x" if w.expires.passed(today, now) else "-" for w in waivers)


def run_key(
    args: argparse.Namespace,
    project: ProjectConfig,
    policy: Policy,
    options: AuditOptions,
    snapshot: FileSnapshot,
    config: ConfigReads,
    *,
    inputs: Sequence[str],
    clock: str,
    settings: dict[str, object],
    left_out: Iterable[str] = (),
) -> str | None:
    """The key of what a run makes of ``inputs`` (`report_key`), from its command line (but
    the ``left_out`` arguments and those that only say where or how loudly it writes) and
    ``settings``; None when it must not be taken from the store: the store is off, the run
    reads the network, or a file it read was not recorded."""
    if not options.cache or options.resolve_urls or options.remote.remote_headers:
        return None
    # Where the reports go is not keyed, what they are is: each further report's format, and
    # which report goes to standard output, the one fitted to a terminal (`-o a.txt -o -`
    # replayed for `-o - -o a.txt` wrote the fitted table to the file, the whole one to the terminal).
    unkeyed = {"output", "outputs", "more_outputs", "quiet", "debug", *left_out}
    more = getattr(args, "more_outputs", ())
    if more:
        reports = [(args.output, args.format), *more]
        settings = {**settings, "reports": [[fmt, path in (None, "-")] for path, fmt in reports]}
    keyed = {key: value for key, value in sorted(vars(args).items()) if key not in unkeyed}
    compared = getattr(args, "compare", None)
    # These were read, or the run stopped; the baseline is in ``config`` when it was read
    # (the default one exists), and so is every file a policy or project file names.
    read = [*policy.sources, *policy.tables, project.path, *args.waivers, compared]
    if not config.paths().issuperset(path for path in read if path is not None):
        return None  # one was read without its bytes recorded: no key could name what it read
    return report_key(
        [json.dumps({**keyed, **settings}, default=str, sort_keys=True)],
        inputs,
        config.files,
        read_rpms=options.read_rpms,
        snapshot=snapshot,
        clock=clock,
        reports=[
            report
            for path in [args.output, *(path for path, _ in more)]
            if (report := report_file(path, inputs)) is not None
        ],
    )


@dataclass(frozen=True)
class RunKey:
    """A run's key (`run_key`), and how to look at its inputs again once they are read."""

    value: str
    snapshot: FileSnapshot
    """The run's first look, which its readers share."""
    again: Callable[[FileSnapshot], str | None]
    outline: str | None
    """The key of the first look's `Outline`: the names of the files, not their identities."""

    def held(self) -> bool:
        """Whether what the run read is what its key names: no file opened was another than
        the first look's (`FileSnapshot.changed`), and the tree, once the inputs are read, has
        the first look's outline. The readers decide some things by looking again (which
        directory is a repository, which source repositories lie beside one): a ``repodata/``
        made, or an ``SRPMS/`` taken away by a sync during the run, is in no file the run
        opened, and the report of what was read then was stored under the key of the files
        as they were before (a warm run passed what its cold run failed)."""
        return not self.snapshot.changed and self.again(Outline()) == self.outline


def keyed_run(
    args: argparse.Namespace,
    project: ProjectConfig,
    policy: Policy,
    options: AuditOptions,
    snapshot: FileSnapshot,
    config: ConfigReads,
    *,
    inputs: Sequence[str],
    clock: str,
    settings: dict[str, object],
    left_out: Iterable[str] = (),
) -> RunKey | None:
    """`run_key` of the run, with its second look (`RunKey.held`): of the configuration files
    read by now, as the key names them."""
    recorded = ConfigReads(list(config.files))
    left = tuple(left_out)

    def key(look: FileSnapshot) -> str | None:
        return run_key(
            args,
            project,
            policy,
            options,
            look,
            recorded,
            inputs=inputs,
            clock=clock,
            settings=settings,
            left_out=left,
        )

    value = key(snapshot)
    return None if value is None else RunKey(value, snapshot, key, key(Outline.of(snapshot)))


class Replay:
    """A scan's reports from the store, when nothing that decides them changed.

    The first report (``-o``'s first file, or standard output) is stored under the run's key
    with the exit code and messages, each further one under a key of its own made from it
    (`_more_key`): all of them are replayed, or the audit runs again."""

    def __init__(
        self,
        args: argparse.Namespace,
        project: ProjectConfig,
        policy: Policy,
        options: AuditOptions,
        snapshot: FileSnapshot,
        config: ConfigReads,
        *,
        gate: GateOptions,
        waivers: Sequence[Waiver],
        width: int | None = None,
    ):
        self.store: Store | None = None
        self.key: str | None = None
        self.paths: list[str | None] = [args.output, *(path for path, _ in getattr(args, "more_outputs", ()))]
        self.recorders = [ReportRecorder() for _ in self.paths]
        self.entry: tuple[dict[str, Any], Iterator[bytes]] | None = None
        self.more_entries: list[Iterator[bytes]] = []
        self.args = args
        self.keyed = keyed_run(
            args,
            project,
            policy,
            options,
            snapshot,
            config,
            inputs=options.every_input,
            clock=expiry_state(gate, waivers),
            settings={"terminal-width": width},  # a table fitted to a terminal is not a pipe's
        )
        if self.keyed is None:
            return
        self.key = self.keyed.value
        self.store = Store(options.remote.cache_dir or default_cache_dir())

    def hit(self) -> bool:
        if self.store is None or self.key is None:
            return False
        self.entry = self.store.get_report(self.key)
        for index in range(1, len(self.paths)):
            found = self.store.get_report(_more_key(self.key, index)) if self.entry is not None else None
            if found is None:
                self.entry = None
                break
            self.more_entries.append(found[1])
        return self.entry is not None

    def replayed(self) -> ExitCode:
        assert self.entry is not None
        meta, output = self.entry
        write_outputs(list(zip([output, *self.more_entries], self.paths, strict=True)))
        print_messages(meta.get("messages", []))
        return ExitCode(meta["exit_code"])

    def recording(self, pieces: Iterable[str | bytes], index: int = 0) -> Iterable[str | bytes]:
        """``pieces`` of the ``index``-th report, compressed for the store as they pass when
        the reports are to be stored."""
        if self.store is None or self.key is None:
            return pieces
        return self.recorders[index].record(pieces)

    def store_result(self, code: ExitCode, messages: Sequence[str]) -> None:
        """Store the report under its key, unless the inputs changed during the run
        (`RunKey.held`): the report would then stand for files it never read."""
        if self.store is None or self.key is None or self.keyed is None:
            return
        said = len(self.store.warnings)
        held = self.keyed.held()
        try:
            for index, recorder in enumerate(self.recorders):
                compressed = recorder.compressed() if held else None
                if compressed is not None:
                    meta = {"exit_code": int(code), "messages": list(messages)}
                    self.store.put_report(_more_key(self.key, index) if index else self.key, meta, compressed)
                elif held:
                    self.store.warnings.append(f"cache: {recorder.failure}; the next run audits again")
                    break
        finally:
            for recorder in self.recorders:
                recorder.close()
        self.store.close()
        report_warnings(self.store.warnings[said:])  # what storing the report met: said, not lost


def _more_key(key: str, index: int) -> str:
    """The key of a run's ``index``-th further report (``-o`` given again), from the run's."""
    return digest(key, "report", str(index))
