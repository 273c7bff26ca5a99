"""The audit of BASE that ``auditor check`` keeps in the store for the next check against it.

What the check keeps of the audit of BASE alone (`auditor.reports.check_sides.BaseRecord`)
is decided by BASE, the ``--sources`` and ``--with`` inputs, the options, the policy,
project and waiver files, the date and which waivers have expired, and the auditor itself:
never by NEW. It is stored under the key of all of these (`auditor.cli.replay.run_key`,
the key a scan's report is stored under, with BASE, sources and context as the inputs and
NEW and the format left out), so that checking one change after another against a
distribution audits the distribution once. The rules of a replayed scan hold: nothing read
over the network is keyed, a file that changed while it was read is not stored, and a
damaged entry is dropped and BASE audited again.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from auditor.cli.replay import expiry_state, keyed_run
from auditor.cli.session import Session
from auditor.gate.waivers import Waiver
from auditor.net.cache import default_cache_dir
from auditor.reports.check_sides import BaseRecord
from auditor.runtime.recording import ReportRecorder
from auditor.runtime.snapshot import FileSnapshot
from auditor.runtime.store import Store

RECORD_CEILING = 1 << 30
"""Bytes of a stored record read at most: distro-60k's is 67 MB, and a row that inflates past
this (a compression bomb written into the cache) is damaged, not held."""
KIND = "check-base"
"""What a stored BASE record is, in its row's metadata and its key: never a scan's report."""


class StoredBase:
    """BASE's record from the store, when a check against the same BASE kept it."""

    def __init__(
        self, args: argparse.Namespace, session: Session, snapshot: FileSnapshot, waivers: Sequence[Waiver]
    ) -> None:
        self.store: Store | None = None
        self.key: str | None = None
        options = session.options
        self.keyed = keyed_run(
            args,
            session.project,
            session.policy,
            options,
            snapshot,
            session.config,
            inputs=[*args.against, *options.sources, *options.context],
            clock=expiry_state(session.gate, waivers),
            settings={"kind": KIND},
            left_out=("new", "format"),
        )
        if self.keyed is None:
            return
        self.key = f"{KIND}\0{self.keyed.value}"
        self.store = Store(options.remote.cache_dir or default_cache_dir())

    def get(self) -> BaseRecord | None:
        """The stored record, or None (nothing stored, or damaged: dropped, said)."""
        if self.store is None or self.key is None:
            return None
        from auditor.reports.check_base_json import DamagedRecord, record_from_json

        found = self.store.get_report(self.key)
        if found is None or found[0].get("kind") != KIND:
            return None
        data = bytearray()  # a piece at a time: a list of the pieces, then joined, was 2 x 67 MB
        try:
            for piece in found[1]:
                data += piece
                if len(data) > RECORD_CEILING:
                    raise DamagedRecord(f"more than {RECORD_CEILING} bytes")
            return record_from_json(data)
        except DamagedRecord:
            self.store.drop_report(self.key, "record of BASE's audit")  # which says so
            return None

    def put(self, record: BaseRecord) -> None:
        """Keep ``record`` under the key, unless the inputs changed during the run
        (`auditor.cli.replay.RunKey.held`): the record would stand for files it was not made of."""
        if self.store is None or self.key is None or self.keyed is None or not self.keyed.held():
            return
        from auditor.reports.check_base_json import record_to_json

        recorder = ReportRecorder()
        try:
            for _piece in recorder.record([record_to_json(record)]):
                pass
            compressed = recorder.compressed()
            if compressed is not None:
                # In a report's row, whose shape the store checks: the exit code is the record's.
                meta = {"kind": KIND, "exit_code": 0, "messages": []}
                self.store.put_report(self.key, meta, compressed)
        finally:
            recorder.close()

    def close(self) -> list[str]:
        """Close the store; what it met, to be said."""
        if self.store is None:
            return []
        self.store.close()
        return list(self.store.warnings)
