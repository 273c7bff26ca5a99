"""filelists.xml, read only when a file requirement needs it (as dnf5 does by default).

A repository lists every file of every package in filelists.xml, as large as primary.xml
again, and the files most requirements name in primary.xml too: createrepo_c (and
createrepo before it, and every tool that reads rpm-md) puts there each path under
``/etc/``, each path with ``bin/`` in it, and ``/usr/lib/sendmail``. A requirement on
``/bin/sh`` or ``/usr/bin/perl`` is answered from primary alone.

So the packages of a repository get their primary files as a `PendingFileList`, and the
repository's filelists.xml (fetched and checked against repomd.xml's checksum with the rest
of the metadata) is parsed when first needed: before the audit, when a required path is one
primary does not answer for this repository (`complete_file_lists`), or when anything else
asks for a package's whole list (an inventory). The unresolved requirements, the providers
and every report are the same as when filelists.xml is read whole (the differential tests
against libsolv and dnf repoclosure check it).

To stay on the safe side of generators that list fewer files in primary than createrepo_c
does, primary answers for a path only when the repository's primary lists that path at all:
a path no package of the repository lists there has the repository's filelists.xml read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from auditor.core.errors import InputError
from auditor.rpm.filelist import FileList, PendingFileList
from auditor.sources.filedigest import counted, in_primary, joined_digest

Parse = Callable[[], dict[str, tuple[str, int]]]


class FilelistsSource:
    """One repository's filelists.xml, verified and not parsed until a package's list is needed."""

    def __init__(self, repository: str, parse: Parse) -> None:
        self.repository = repository
        """The repository as its packages name their input (`Package.input`)."""
        self.input = repository
        """The repository as its input's summary names it (`InputSummary.path`)."""
        self._parse: Parse | None = parse
        self._found: dict[str, tuple[str, int]] = {}
        self.error: InputError | None = None
        self.reported = False
        """Whether `error` reached the run's errors (`complete_file_lists` puts it there)."""
        self._lists: list[PendingFileList] = []
        """The lists of the binary packages: only they provide files to requirements."""
        self._answers: dict[frozenset[str], bool] = {}
        self._expected: dict[str, tuple[str, str]] = {}
        """pkgid -> (the digest of its file's header's files, the file): `expect`."""
        self.disagreements: list[InputError] = []
        """A file for each package whose list here is not its header's (`expect`), once read."""

    def pending_list(self, partial: Sequence[str], key: str, *, binary: bool) -> FileList:
        """The file list of the package ``key`` (its pkgid), ``partial`` the files primary lists."""
        files = PendingFileList(partial, self, key)
        if binary:
            self._lists.append(files)
        return files

    def expect(self, key: str, digest: str, where: str) -> None:
        if self._parse is None and self.error is None:
            self._compare(key, digest, where)  # read already, for another package's need
        else:
            self._expected[key] = (digest, where)

    def _compare(self, key: str, header: str, where: str) -> None:
        listed = joined_digest(self._found.get(key))
        if listed != header:
            said = f"{counted(header)} in the header, {counted(listed)} in filelists.xml"
            detail = f"the file's header and the repository metadata disagree: its files ({said})"
            self.disagreements.append(InputError(where, detail))

    @property
    def read(self) -> bool:
        return self._parse is None

    def refuse(self, error: InputError) -> None:
        """filelists.xml was refused before any list was needed
        (`auditor.sources.filelists_xml.check_filelists`): it is never parsed, and its error,
        already among the run's, is not said again (`complete_file_lists` counts it unread)."""
        self._parse, self.error, self.reported = None, error, True

    def read_through(self, wrap: Callable[[Parse], Parse]) -> None:
        """Parse filelists.xml through ``wrap`` (which holds it to yum 3's ``filelists_db``)."""
        if self._parse is not None:
            self._parse = wrap(self._parse)

    def load(self) -> None:
        """Parse filelists.xml now (once); a failure is kept in `error`."""
        parse, self._parse = self._parse, None
        if parse is None:
            return
        try:
            self._found = parse()
        except InputError as exc:
            self.error = exc
            return
        for key, (header, where) in self._expected.items():
            self._compare(key, header, where)
        self._expected.clear()

    def files(self, key: str) -> tuple[str, int] | None:
        self.load()
        if self.error is not None and not self.reported:
            # Read on some other need than the audit's (which reports the failure itself): a
            # list that stays partial must not pass for a complete one.
            raise self.error
        return self._found.get(key)

    def answers(self, paths: frozenset[str]) -> bool:
        """Whether the binary packages' primary files hold all of their ``paths``: every one is a
        path primary lists, and this repository's primary lists it for some package. (A source
        package's files are no requirement's answer: only its whole list is ever asked for.)"""
        found = self._answers.get(paths)
        if found is None:
            found = not self._lists or all(in_primary(path) for path in paths)
            if found and paths and self._lists:
                listed = self._primary_paths()
                found = all(path in listed for path in paths)
            self._answers[paths] = found
        return found

    def _primary_paths(self) -> set[str]:
        listed: set[str] = set()
        for files in self._lists:
            listed.update(FileList.__iter__(files))  # as far as known: never reads filelists.xml
        return listed


def complete_file_lists(
    sources: Iterable[FilelistsSource], wanted: frozenset[str], errors: list[InputError]
) -> list[FilelistsSource]:
    """Read the filelists.xml of each repository whose primary files do not answer for every
    path of ``wanted``; return the ones that could not be read (their errors are in ``errors``)."""
    failed = []
    for source in sources:
        if not source.read and source.answers(wanted):
            continue
        source.load()
        errors.extend(source.disagreements)
        source.disagreements.clear()  # said once, however often the run asks
        if source.error is not None:
            if not source.reported:
                source.reported = True
                errors.append(source.error)
            failed.append(source)
    return failed
