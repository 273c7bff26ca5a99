"""What the configurations of one reading share: dnf's one namespace of repository ids, and
each repository several sections name, read once (`auditor.sources.repoconfig` reads them)."""

from __future__ import annotations

import os
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit, urlunsplit

from auditor.net.urlpaths import remove_dot_segments
from auditor.net.urlpolicy import UrlDecision
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package
from auditor.sources.inputpaths import repository_root
from auditor.sources.interface import ConfigReader, PartlyHidden
from auditor.sources.remote import repository_base
from auditor.sources.repodata import RepositoryRead
from auditor.sources.repofilter import PackageForms, names
from auditor.sources.sectionoptions import DEFAULT_PRIORITY


@dataclass
class ConfigScope:
    """What the configurations of one reading have named so far: dnf's one namespace of
    repository ids (where each was first), and the configuration files read (real paths)."""

    ids: dict[str, str] = field(default_factory=dict)
    binaries: set[str] = field(default_factory=set)
    """The ids of the enabled sections of binary packages read so far: a disabled source
    section is read as the sources of one of them (`auditor.sources.repoconfig`)."""
    all_disabled: list[Gap] = field(default_factory=list)
    """The `empty-input` gap of each configuration input whose sections are all disabled: a gap
    only when no configuration of the run has an enabled one (`auditor.sources.load`)."""
    default_reposdirs: list[Gap] = field(default_factory=list)
    """The `empty-input` gap of each main configuration with no ``reposdir=``: dnf reads the
    host's default directories, this machine's never are; a gap only when no ``.repo`` file is
    named too (`auditor.sources.load`)."""
    files: set[str] = field(default_factory=set)
    main: dict[str, str] = field(default_factory=dict)
    """While the ``.repo`` files of a ``reposdir`` are read: the ``[main]`` that names it."""
    main_readings: dict[ConfigReader, dict[str, str]] = field(default_factory=dict)
    """That ``[main]`` as each reader reads it (`auditor.sources.repofile.MainReadings`)."""
    locations: dict[str, ReadOnce] = field(default_factory=dict)
    """The repositories read so far, by where they were read from (`location_of`)."""
    filter_work: int = 0
    """`PackageFilter.work` of the sections read so far (bounded by `repofilter.MAX_RUN_WORK`)."""
    priorities: dict[int, str] = field(default_factory=dict)
    """The ``priority`` of each repository read so far, with the first section that set it."""

    def unseen_default_reposdirs(self, inputs: Iterable[str], warnings: list[str]) -> list[Gap]:
        """`default_reposdirs`, each said in ``warnings`` too, unless ``.repo`` files are named
        among ``inputs`` (the host's, given as inputs)."""
        if any(path.lower().endswith(".repo") for path in inputs):
            return []
        warnings.extend(gap.detail for gap in self.default_reposdirs)
        return list(self.default_reposdirs)

    def record_priorities(self, priorities: frozenset[int], where: str) -> None:
        """The priorities of the repository the section ``where`` read (`priority_gap`)."""
        for priority in sorted(priorities):
            self.priorities.setdefault(priority, where)

    def read_directly(self, location: str, where: str, read: RepositoryRead) -> None:
        """The repository at ``location`` (`location_of`), read as an input (``where``: named,
        or met in a directory's walk): a configuration's section naming it later is the same
        repository, read once (`ReadOnce.give_again`), as an input naming one a section read
        earlier is (`read_again`)."""
        modules = next((gap for gap in read.gaps if gap.kind is GapKind.MODULES_NOT_FILTERED), None)
        given = {id(package) for package in read.packages}
        # dnf's default, as a repository configured with no priority has: beside a context
        # section of priority 1, its clean packages are no way around the context's.
        self.priorities.setdefault(DEFAULT_PRIORITY, where)
        once = ReadOnce(
            where,
            list(read.packages),
            given,
            {},
            modules,
            nested=dict(read.nested),
            repomd_file=read.repomd_file,
        )
        self.locations.setdefault(location, once)

    def read_again(
        self, location: str, where: str, shown: str
    ) -> tuple[list[Package], list[str], dict[str, Gap]] | None:
        """For a repository input (``where``, at ``location``, `location_of`; ``shown`` in the
        warning) that a configuration or another input read already: the packages none showed
        yet, the warnings (an input shows every package, as a section without exclude or
        includepkgs does) and the repositories nested in it (`ReadOnce.nested`: an input's, as
        if it had read it); None when none read it."""
        earlier = self.locations.get(location)
        if earlier is None:
            return None
        return (*earlier.give_again(earlier.every, {}, where, shown), earlier.nested)

    def hidden_from_dnf(self) -> dict[int, Package]:
        """The audited packages (by id) that every section naming their repository hides from
        dnf, as every reader of their configurations reads them."""
        return {
            key: package
            for read in self.locations.values()
            for key, (package, readers) in read.hidden.items()
            if len(readers) == len(ConfigReader)
        }

    def hidden_on_some_hosts(self) -> dict[int, PartlyHidden]:
        """The packages (by id) that one reader hides, as every section naming their repository
        reads it, and the other does not (`PartlyHidden`)."""
        return {
            key: PartlyHidden(package, next(iter(readers)))
            for read in self.locations.values()
            for key, (package, readers) in read.hidden.items()
            if len(readers) == 1
        }

    def recounted(self, gaps: list[Gap]) -> list[Gap]:
        """``gaps`` with the `modules-not-filtered` gap of each repository read here counting
        the packages read as available, as every section naming it leaves them (what exclude
        and includepkgs hide cannot be the clean alternative the gap warns of). Kept when they
        hide every one: the repository's streams still hide other repositories' packages, and the
        gap counts one, the repository."""
        counts = {
            id(read.modules): max(1, read.available()) for read in self.locations.values() if read.modules
        }
        return [replace(gap, count=counts[id(gap)]) if id(gap) in counts else gap for gap in gaps]


def priority_gap(*readings: dict[int, str]) -> Gap | None:
    """The `priority-not-modelled` gap when the repositories the run's configurations read
    (``readings``: the priorities of the audited inputs' and of the context's, each with the
    first section that set it) differ in priority. Judged apart, an audited configuration of
    dnf's default 99 and a context one of priority 1 were each of one priority: no gap, where
    dnf installs from the context's Citrix repository before the audited clean one."""
    every: dict[int, str] = {}
    for priorities in readings:
        for priority, where in priorities.items():
            every.setdefault(priority, where)
    if len(every) < 2:
        return None
    shown = ", ".join(f"{priority} ({first})" for priority, first in sorted(every.items()))
    detail = (
        f"repositories of different priorities: {shown}; dnf meets a requirement from those of "
        "the best priority only, which the auditor does not work out (a may-depend may be depends)"
    )
    return Gap(GapKind.PRIORITY_NOT_MODELLED, detail)


def location_of(decision: UrlDecision, *, configured: bool = False) -> str:
    """Where a URL reads a repository from, whatever its spelling: the repository its reader
    reads (`repository_root`, `repository_base`: for an input, ``repodata/repomd.xml``, a
    query and a fragment are no other repository; a section's query is kept, as dnf sends
    it), ``a/./b`` and ``a/b`` alike (dot segments removed, as curl removes them; ``a//b``
    is another path: curl keeps it, and a server that does not merge slashes serves another
    file there; ``a//`` is not, librepo takes trailing ones away), scheme and host in either
    case, the default port written or not, an unreserved character percent-encoded or not
    (RFC 3986, 6.2.2).
    ``configured``: a section's URL (`repository_base`)."""
    if decision.local_path is not None:
        if unreached(decision.local_path):  # its reader fails on it, as dnf does
            return local_location(decision.local_path)
        return local_location(os.path.realpath(repository_root(decision.local_path)))
    parts = urlsplit(repository_base(decision.url, configured=configured))
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    if scheme in _DEFAULT_PORTS:
        netloc = netloc.removesuffix(_DEFAULT_PORTS[scheme]).removesuffix(":")
    # As `under` makes its requests: trailing slashes taken away, then dot segments.
    path = _ESCAPE.sub(_unescaped, remove_dot_segments(parts.path.rstrip("/") + "/")[:-1])
    return urlunsplit((scheme, netloc, path, parts.query, ""))


_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")


def _unescaped(escape: re.Match[str]) -> str:
    """A percent-encoding as RFC 3986 normalises it: an unreserved character decoded, any
    other in upper case."""
    character = chr(int(escape.group()[1:], 16))
    return character if character in _UNRESERVED else escape.group().upper()


def unreached(path: str) -> bool:
    """Whether opening ``path`` fails (nothing there, or ``file/..`` on the way). Its real
    path is no key then: `os.path.realpath` and `os.path.abspath` take ``gone/..`` and
    ``file/..`` away without looking, where the kernel, as dnf and the readers, fails on them.
    Keyed as the directory it spells lexically, it was "the same repository" as that one: its
    error hidden behind the other's reading, or the other skipped as read already."""
    return not os.path.exists(path)


def local_location(real: str) -> str:
    """`location_of` the local repository at real path ``real``."""
    return "file:" + real


@dataclass
class ReadOnce:
    """A repository read by one section, which other sections naming the same location share:
    reading it again for each (ten sections naming a 60,000-package repository took 100 s and
    2 GB) would make a configuration of a few hundred bytes cost without bound."""

    where: str
    every: list[Package]
    """Its packages before any section's exclude and includepkgs."""
    given: set[int]
    """The packages (by id) some section already gave: dnf sees the union of what each shows."""
    hidden: dict[int, tuple[Package, frozenset[ConfigReader]]]
    """The packages (by id) given that a reader hides in every section naming it so far, with
    the readers that do: those of an audited repository every reader hides (given, audited,
    and installable by no section), and those of any repository one reader hides (installable
    on the other's hosts only)."""
    modules: Gap | None = None
    """Its `modules-not-filtered` gap, counting every package it lists (`ConfigScope.recounted`)."""
    forms: PackageForms | None = None
    """`package_forms` of ``every``, once a section with exclude or includepkgs made it."""
    nested: dict[str, Gap] = field(default_factory=dict)
    """The repositories found inside this local one (`RepositoryRead.nested`): an input naming
    it reads them as a gap unless read too, which a section never does (dnf reads the
    repository its base URL names, nothing below it)."""
    repomd_file: str | None = None
    """`RepositoryRead.repomd_file`: the remote repomd.xml read, which a metalink naming the
    repository checks (not the file its mirror serves later: it may have synced since)."""

    def shown_everywhere(self) -> set[int]:
        """The packages (by id) some section gave and none left hidden from any host."""
        return self.given - self.hidden.keys()

    def give_again(
        self,
        packages: list[Package],
        hidden: dict[int, tuple[Package, frozenset[ConfigReader]]],
        where: str,
        location: str,
    ) -> tuple[list[Package], list[str]]:
        """Another naming of this repository (``where``, read from ``location``), which shows
        ``packages`` (some of `every`) and hides ``hidden`` from the readers with each: the
        packages it shows that no naming showed yet (its exclude may hide fewer), and the
        warnings. A package a reader hides is hidden from its hosts only when every naming hides
        it there: the hosts see what any naming shows. An audited one's hidden packages were all
        given."""
        fresh = [package for package in packages if id(package) not in self.given]
        self.given.update(id(package) for package in fresh)
        fresh_ids = {id(package) for package in fresh}
        still_hidden = {}
        for key, (package, readers) in hidden.items():
            if key in fresh_ids:  # no earlier naming showed it to any host
                still = readers
            elif key in self.hidden:
                still = readers & self.hidden[key][1]
            else:  # an earlier naming showed it to every host
                continue
            if still:
                still_hidden[key] = (package, still)
        said = []
        # What earlier namings left hidden on some hosts and this one shows every host: said, as
        # their warnings said it hidden.
        unhidden = [
            p for key, (p, readers) in self.hidden.items() if len(readers) == 1 and key not in still_hidden
        ]
        if unhidden:
            said.append(
                f"{where}: shows to every host {len(unhidden)} package(s) an earlier section naming the "
                f"repository left hidden on some hosts: {names(unhidden)}"
            )
        self.hidden = still_hidden
        said.append(f"{where}: the same repository as {self.where} ({location}); read once")
        return fresh, said

    def available(self) -> int:
        """How many of its packages dnf sees through some section (a context one gives only those)."""
        hidden = sum(1 for _package, readers in self.hidden.values() if len(readers) == len(ConfigReader))
        return len(self.given) - hidden
