"""What one run has seen of the file system: each directory listed, each file's identity taken, once.

A scan looks at its inputs twice before it reads them. The replay key takes the identity of
every file below each input (`auditor.cli.replay`); then the reader walks the same tree
(`auditor.sources.walk`) and keys each RPM file's model in the store by the same identity
(`auditor.sources.rpmbatch`). On a repository of 4,000 symlinked RPM files that was a second
walk and a second stat of every file, 0.05 s on the run's serial path, before any worker
could start. Both looks now go through the run's `FileSnapshot`.

A file changed between the first look and its reading is read as it then is, and the run
says so here (`changed`): its report is then not stored, since its key holds the first look.
Every file the run opens is checked (`opened`, told by `auditor.core.files.open_regular`
through `auditor.core.readlog.watching_opens`): the identity of the descriptor read against
the first look's, and a file opened where the first look listed none, say a repository's
metadata swapped by a ``repodata`` symlink moved during the run. The RPM reader checks its
files itself too (`auditor.sources.rpmbatch`), since it reads them in worker processes, and
keeps a changed file's model out of the store. A file is known by its absolute path (a
repository given as ``r/x86_64`` is read as ``/…/r/x86_64``), a directory by its name as
listed, which the replay key and the reader spell alike. The snapshot lives as long as the
run that made it (`auditor.engine.open_run`): a process that runs twice, as the tests do,
never sees the first run's files.
"""

from __future__ import annotations

import os

from auditor.runtime.identity import identity_at, identity_size


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


class FileSnapshot:
    """A run's listings and file identities, each taken at the first look and kept until the
    inputs are read (`release`). A failed look (`OSError`) is not kept: the next one tries
    again and raises."""

    __slots__ = ("_identities", "_kept", "_listings", "_names", "changed")

    def __init__(self) -> None:
        self._listings: dict[str, list[os.DirEntry[str]]] = {}
        self._names: dict[str, dict[str, os.DirEntry[str]]] = {}
        self._identities: dict[str, str] = {}
        self._kept: dict[str, str] = {}
        """The first look at the files other than RPM files that were opened: kept past
        `release`, since one may be opened again after it (filelists.xml is parsed when a
        requirement needs it)."""
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

    def entry(self, path: str) -> os.DirEntry[str] | None:
        """The entry of ``path`` in the listing of its directory as ``path`` spells it (the
        first look), None when the directory holds no such name. Raises `OSError` when the
        directory cannot be listed."""
        directory, name = os.path.split(path)
        names = self._names.get(directory)
        if names is None:
            names = self._names[directory] = {entry.name: entry for entry in self.listing(directory)}
        return names.get(name)

    def identity(self, path: str) -> str:
        """`file_identity` of ``path`` as the run first saw it."""
        absolute = os.path.abspath(path)
        found = self._identities.get(absolute)
        if found is None:
            found = self._identities[absolute] = identity_at(absolute, os.stat(path))
        return found

    def size(self, path: str) -> int:
        """The size of the file at ``path`` as the run first saw it (its `identity`). Not its
        listing entry's `os.DirEntry.stat`: that one is made when first asked, after the first
        look, and kept on the entry (1.5 MB of rpms-2k's peak)."""
        return identity_size(self.identity(path))

    def opened(self, path: str, info: os.stat_result | None) -> None:
        """``path`` was opened for reading, its descriptor being ``info``: a file whose first
        look was another one, or none where its directory was listed, is `changed`. A file
        the run never looked at before (a configuration file, a cached download) is not.

        ``info`` None: the file could not be opened or read. One the first look saw is
        `changed` too, whatever the reason: gone during the run (a mirror's sync), or a passing
        failure (too many open files on a busy runner, an I/O error). Its input error, stored,
        was replayed by every later run against the same files, which a cold run reads whole."""
        absolute = os.path.abspath(path)
        first = self._identities.get(absolute) or self._kept.get(absolute)
        listings = self._listings
        listed = next((name for name in (path, absolute) if os.path.dirname(name) in listings), None)
        if info is None:
            if first is not None or (listed is not None and self.entry(listed) is not None):
                self.changed.append(path)
            return
        if first is None:
            if listed is not None and self.entry(listed) is None:
                self.changed.append(path)  # it appeared after the first look
            return
        if identity_at(absolute, info) != first:
            self.changed.append(path)
        elif not absolute.endswith(".rpm"):
            self._kept[absolute] = first

    def release(self) -> None:
        """Let go of the listings and identities once the inputs are read: about 1 KB a file
        (an entry, its cached stat and its identity), which a tree of 100,000 files would
        otherwise hold through the audit and the report, the run's peak. What `changed`
        says is kept, and the first look at the metadata files opened; a look after this
        one looks at the file system again."""
        self._listings.clear()
        self._names.clear()
        self._identities.clear()


class Outline(FileSnapshot):
    """A look at which files and directories there are, without their identities: what a file
    holds is checked when it is opened (`FileSnapshot.opened`), while a name that came or went
    is in no file opened. A key made through it (`auditor.cli.replay.RunKey`) tells whether the
    tree still has the shape the run's first look saw, without a second stat of each file."""

    __slots__ = ()

    @classmethod
    def of(cls, look: FileSnapshot) -> Outline:
        """The outline of what ``look`` has listed so far, from its listings: no directory is
        listed again (copied: what the outline lists is not the first look's)."""
        outline = cls()
        outline._listings = dict(look._listings)
        outline._names = dict(look._names)
        return outline

    def identity(self, path: str) -> str:
        return os.path.abspath(path)
