"""What one run has seen of the file system: each directory listed, each file's identity taken, once.

A scan looks at its inputs twice before it reads them. The replay key takes the identity of
every file below each input (`auditor.cli.replay`); then the reader walks the same tree
(`auditor.sources.walk`) and keys each RPM file's model in the store by the same identity
(`auditor.sources.rpmbatch`). On a repository of 4,000 symlinked RPM files that was a second
walk and a second stat of every file, 0.05 s on the run's serial path, before any worker
could start. Both looks now go through the run's `FileSnapshot`.

A file changed between the first look and its reading is read as it then is; the reader,
which checks the identity of the descriptor it read against the first look's, does not
store it under the first look's identity, and says so here (`changed`): the run's report is
then not stored either, since its key holds the first look. The snapshot lives as long as
the run that made it (`auditor.engine.open_run`): a process that runs twice, as the tests
do, never sees the first run's files.
"""

from __future__ import annotations

import os

from auditor.runtime.store import file_identity


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


class FileSnapshot:
    """A run's listings and file identities, each taken at the first look and kept until the
    inputs are read (`release`). A failed look (`OSError`) is not kept: the next one tries
    again and raises."""

    __slots__ = ("_identities", "_listings", "changed")

    def __init__(self) -> None:
        self._listings: dict[str, list[os.DirEntry[str]]] = {}
        self._identities: dict[str, str] = {}
        self.changed: list[str] = []
        """Files whose identity when read was not the first look's."""

    def listing(self, directory: str) -> list[os.DirEntry[str]]:
        """The entries of ``directory`` in name order. An entry keeps what it learnt of its
        file (`os.DirEntry.is_dir` follows a symlink with a stat): a second walk asks nothing
        of the file system."""
        found = self._listings.get(directory)
        if found is None:
            with os.scandir(directory) as entries:
                found = sorted(entries, key=_name)
            self._listings[directory] = found
        return found

    def identity(self, path: str) -> str:
        """`file_identity` of ``path`` as the run first saw it."""
        found = self._identities.get(path)
        if found is None:
            found = self._identities[path] = file_identity(path)
        return found

    def release(self) -> None:
        """Let go of the listings and identities once the inputs are read: about 1 KB a file
        (an entry, its cached stat and its identity), which a tree of 100,000 files would
        otherwise hold through the audit and the report, the run's peak. What `changed`
        says is kept; a look after this one looks at the file system again."""
        self._listings.clear()
        self._identities.clear()
