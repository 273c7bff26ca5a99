"""What every source yields: packages, the problems of what could not be read, and a summary
of each input. A bad input never stops the others from being read."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import chain

from auditor.core.errors import InputError, ServedElsewhere
from auditor.rpm.gaps import Gap
from auditor.rpm.model import Package
from auditor.runtime.progress import Reporter
from auditor.runtime.snapshot import FileSnapshot
from auditor.sources.filelists import FilelistsSource, complete_file_lists

__all__ = [
    "ConfigReader",
    "ConfigUrl",
    "InputKind",
    "InputSummary",
    "LoadResult",
    "PartlyHidden",
    "ReadOptions",
]


class ConfigReader(enum.StrEnum):
    """A reader of a repository configuration, whose hosts may use it: XCP-ng hosts run yum 3
    (configparser's reading) and dnf (libdnf's). A verdict is the worst over both."""

    DNF = "dnf"
    YUM = "yum"

    def reading(self) -> str:
        """How a warning names what this reader makes of a configuration."""
        return f"{self.value}'s reading"


@dataclass(frozen=True)
class PartlyHidden:
    """A package one reader of its repository's configuration hides (``exclude``/``includepkgs``
    read differently: ``exclude="foo"`` is ``foo`` to dnf, a quoted name to configparser) and
    the other shows: installable on the hosts of the one, not on those of the other. It is a
    provider where it is tainted (a host that sees it may install it) and never a way around
    a tainted one (the host that hides it lacks it)."""

    package: Package
    hidden_by: ConfigReader


class InputKind(enum.StrEnum):
    """What an input turned out to be (a string enum: reports write its value as is)."""

    RPM = "rpm"
    SPEC = "spec"
    DIRECTORY = "directory"
    REPOSITORY = "repository"
    SOURCE_REPOSITORY = "source-repository"
    """A source repository the auditor found beside a binary one (one --sources names is a REPOSITORY)."""
    REPO_CONFIG = "repo-config"


@dataclass(frozen=True, slots=True)
class ConfigUrl:
    """A repository URL written in a configuration, not carried by a package.

    A ``.repo`` file's or ``yum.conf``'s ``baseurl``, ``mirrorlist``, ``metalink`` or
    ``gpgkey``; a mirror a mirrorlist names; a repository URL given on the command line.
    The sources record them whether or not the repository could be read; the policy
    classifies them (`auditor.origin.classify.classify_config`).
    """

    file: str
    """The configuration it was read from (a path or a URL)."""
    section: str
    """The repository id (``[section]``); empty for a URL given on the command line."""
    key: str
    """``baseurl``, ``mirrorlist``, ``metalink``, ``gpgkey``, ``mirror``, ``include`` (a yum
    ``include=`` not followed), ``url``, ``redirect`` (the policy host a section's URL was
    redirected to, never contacted), or ``xml:base`` (where ``repomd.xml`` places a metadata
    file: `MetadataElsewhere`)."""
    url: str
    enabled: bool = True
    """False for a section with ``enabled=0``: reported, but it cannot block."""


@dataclass(frozen=True, slots=True)
class InputSummary:
    """One input as the user gave it, and what it turned out to be."""

    path: str
    kind: InputKind
    packages: int
    revision: str | None = None
    filelists: bool | None = None
    """For a repository: whether its filelists.xml is there for file requirements (read when
    one needs it), and could be read when one did."""
    found_beside: str | None = None
    """For a source repository the auditor found beside a binary one: that repository."""


@dataclass
class LoadResult:
    packages: list[Package] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    inputs: list[InputSummary] = field(default_factory=list)
    config_urls: list[ConfigUrl] = field(default_factory=list)
    """Repository URLs configured by the inputs, read or not: the policy classifies them."""
    warnings: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    """Evidence about the inputs (not one package) that could not be seen."""
    file_lists: list[FilelistsSource] = field(default_factory=list)
    """The repositories' filelists.xml, parsed when a requirement needs them (`complete_files`)."""
    nested: dict[str, Gap] = field(default_factory=dict)
    """Repositories inside an input repository (by real path), with their gap: `load_inputs`
    moves to ``gaps`` those no input reads."""
    hidden_from_dnf: dict[int, Package] = field(default_factory=dict)
    """Packages among ``packages`` (by ``id``; held, so no other object takes the id) that the
    configuration of the audited repository they are in hides from dnf (``exclude``,
    ``includepkgs``): audited, as they ship, but never installable, so no provider, obsoleted
    package or root (`auditor.sources.repofilter`)."""
    hidden_on_some_hosts: dict[int, PartlyHidden] = field(default_factory=dict)
    """Packages among ``packages`` (by ``id``) that one reader of their repository's
    configuration hides and the other does not (`PartlyHidden`)."""
    priorities: dict[int, str] = field(default_factory=dict)
    """The ``priority`` of each repository a configuration read, with the first section that
    set it: judged over the audited inputs and the context together (dnf resolves with both:
    `auditor.sources.configscope.priority_gap`)."""

    def extend(self, other: LoadResult) -> None:
        self.packages.extend(other.packages)
        self.errors.extend(other.errors)
        self.inputs.extend(other.inputs)
        self.config_urls.extend(other.config_urls)
        self.warnings.extend(other.warnings)
        self.gaps.extend(other.gaps)
        self.file_lists.extend(other.file_lists)
        self.nested.update(other.nested)
        self.hidden_from_dnf.update(other.hidden_from_dnf)
        self.hidden_on_some_hosts.update(other.hidden_on_some_hosts)
        for priority, where in other.priorities.items():
            self.priorities.setdefault(priority, where)

    def complete_files(self, wanted: frozenset[str]) -> None:
        """Read the filelists.xml that the file requirements ``wanted`` need; a repository's
        that cannot be read is an input error, and its summary says so."""
        failed = complete_file_lists(self.file_lists, wanted, self.errors)
        if failed:
            unread = {source.input for source in failed}
            self.inputs = [
                replace(item, filelists=False) if item.filelists and item.path in unread else item
                for item in self.inputs
            ]


@dataclass(frozen=True)
class ReadOptions:
    """How the sources read what the user named (the engine builds it from the run's options)."""

    defines: tuple[tuple[str, str | None], ...] = ()
    """Macros for spec files (``--define``, ``--with``, ``--without``; None: ``--undefine``), as
    ``rpmbuild`` takes them."""
    spec_arches: tuple[str, ...] = ()
    """The host architectures a spec file is read for (``--arch``): its ``%ifarch`` branches,
    ``%{_arch}`` and ``%{?_isa}`` are that host's. None: x86_64's, the reader's default."""
    read_rpms: bool = False
    """Read the RPM files of a directory even where it holds repodata/, ignoring the metadata."""
    metadata_only: bool = False
    """Read repositories from their metadata alone (``--metadata-only``): fast, and incomplete."""
    verify_checksums: bool = False
    """Hash each package file of a local repository whose header is read, and hold it to the
    checksum its metadata gives (``--verify-checksums``): what dnf checks before installing a
    file, and the one check no rebuild of the same NEVRA passes. Off by default: the other
    checks (`auditor.sources.overlay`) read headers alone, this reads every byte."""
    binary_headers: bool = True
    """Read the headers of a repository's binary packages for what repodata lacks (signing key,
    Distribution, BugURL). The engine sets it when the policy has a rule on those fields or a
    host rule (`auditor.origin.policy.Policy.reads_header_fields`)."""
    discover_sources: bool = True
    """Look for the source repository beside a binary one (``SRPMS/``, ``Source/``...)."""
    context: bool = False
    """The inputs are context (``--with``): read to resolve requirements, not audited. The
    source repository beside a remote one is then not looked for: a distribution's base
    repository (``--with https://vault.centos.org/…/x86_64/``) has one beside it, whose
    thousands of headers and payloads would be read for packages nobody asked to audit."""
    progress: Reporter | None = None
    """Where long reads report how far they are."""
    snapshot: FileSnapshot | None = None
    """The run's look at the files (`auditor.runtime.snapshot`): each directory listed and each
    file's identity taken once, by whichever part of the run looks first."""


def metadata_elsewhere(*errors: Iterable[InputError]) -> list[ConfigUrl]:
    """Where dnf fetches each metadata file ``errors`` say is elsewhere (under an ``xml:base``,
    or redirected there): configuration the policy judges (a Citrix host there was an input
    error alone, no format naming the host). A section's failures are its own (`_redirected`)."""
    return [
        ConfigUrl(error.source, "", error.key, error.target)
        for error in chain.from_iterable(errors)
        if isinstance(error, ServedElsewhere) and error.metadata
    ]
