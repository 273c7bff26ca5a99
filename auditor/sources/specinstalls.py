"""The repository configurations and signing keys a package read from a spec installs, judged
from the spec's local Source files.

A spec carries no payload: ``%files`` says that a package installs ``/etc/yum.repos.d/xs.repo``
(or ``%{_sysconfdir}/yum.repos.d/*.repo``), and the build writes it, usually from a ``SourceN:
xs.repo`` that ``%install`` copies. The paths are picked as a binary's payload reading picks
them (`auditor.sources.payloadconfig.role_of`; a ``%files`` glob or directory is matched
against the reposdirs and the key directory), and the Source files found where rpmbuild takes
them (``%_sourcedir`` when ``--define`` gives it, else beside the spec, as dist-git keeps them,
and ``../SOURCES`` of a ``SPECS`` tree) are judged by the same code: a ``.repo`` Source as a
configuration, a key file Source as keys, each finding named by its Source. What the build
writes that no Source shows (a Source missing here, a file of another name, one ``%install``
writes with ``cat >``, ``echo >`` or ``tee``) is a `payload-unread` gap: the spec installs it
and its content is unseen.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from auditor.core.errors import InputError
from auditor.core.files import read_regular
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.installed import Installed
from auditor.rpm.model import Package, SourceFile, SourceKind, with_fields
from auditor.rpm.spec.files import ANY_FILE, may_package
from auditor.sources.installedurl import VARSDIRS
from auditor.sources.payloadconfig import (
    KEYDIRS,
    MAIN_CONFIGS,
    MAX_FILE,
    REPOSDIRS,
    UNSEEN,
    Role,
    is_repo_name,
    judge,
    named_reposdirs,
    role_of,
    set_aside,
)

_WRITTEN = re.compile(r"(?:>>?|\btee(?:\s+-a)?)\s*[\"']?(?P<target>[^\s;|&\"'()]+)")
"""A file a shell line of the spec writes (``cat > F <<EOF``, ``echo ... >> F``, ``tee F``)."""
_KEY_NAME = re.compile(r"(?:RPM-GPG-KEY|GPG-KEY).*|.*\.(?:asc|gpg|pub|key)\Z")
"""A Source that is a key file by its name; one of another name is one by its armor."""
_ARMOR = b"-----BEGIN PGP PUBLIC KEY BLOCK-----"
_DIRECTORIES = (
    *((item, Role.CONFIG) for item in REPOSDIRS),
    *((item.rstrip("/"), Role.KEY) for item in KEYDIRS),
    # A variable's file gives every package's URLs its value on the host: a glob putting one
    # there points another package's baseurl=https://$mirror/ where the build says.
    *((item, Role.VARIABLE) for item in VARSDIRS),
)
_DIRECTORY_WORDS = ("yum.repos.d", "yum/repos.d", "distro.repos.d", "rpm-gpg", "firstboot.d/data/keys")
"""How a spec's text names the directories a glob may package (`_directory_word`)."""
_KEY_WORDS = ("/rpm-gpg", "/firstboot.d/data/keys")
"""How a path the spec's %install writes names a key directory of `KEYDIRS`."""
_PROBE = "\x01"
"""A file name no ``%files`` line names: what a glob or a whole directory packages matches it."""


@dataclass(frozen=True, slots=True)
class _Local:
    source: SourceFile
    data: bytes | None
    """Its content, None when no file of its name is where rpmbuild takes it from."""
    why: str = ""

    @property
    def label(self) -> str:
        number = "" if self.source.number is None else str(self.source.number)
        return f"Source{number}: {self.source.filename}"

    @property
    def role(self) -> Role | None:
        name = self.source.filename
        if name.endswith(".repo") or name in ("yum.conf", "dnf.conf"):
            return Role.CONFIG
        if _KEY_NAME.match(name) or (self.data or b"").lstrip().startswith(_ARMOR):
            return Role.KEY
        return None


SourceFiles = Callable[[Sequence[str]], Mapping[str, bytes | str]]
"""Reads the Source files of the names given where a build takes them from: each one's content,
or why it could not be read (`from_directories`; a source RPM's payload,
`auditor.sources.rebuildspec`)."""


def with_spec_installs(
    packages: list[Package],
    spec_path: str,
    text: str,
    defines: Mapping[str, str | None] | None,
    sources: SourceFiles | None = None,
) -> list[Package]:
    """``packages`` (a spec's source package, then its binaries) with, for each binary that
    installs such a file, what its Sources configure and the gaps of what they do not show; the
    Sources read by ``sources``, else where rpmbuild takes them for the spec at ``spec_path``."""
    if len(packages) < 2:
        return packages
    locals_: list[_Local] | None = None
    written: list[str] = []
    mentioned: list[str] = []
    result = [packages[0]]
    for package in packages[1:]:
        wanted = _Wanted.of(package)
        if not wanted:
            result.append(package)
            continue
        if locals_ is None:  # most specs install no such file: their text is not searched
            items = [item for item in packages[0].sources if item.kind is SourceKind.SOURCE]
            read = sources or from_directories(source_directories(spec_path, defines or {}))
            contents = read([item.filename for item in items if _takeable(item.filename)])
            locals_ = [_local(item, contents) for item in items]
            # The changelog's prose ("-> x.repo") writes nothing.
            script = re.split(r"^%changelog\b", text, maxsplit=1, flags=re.MULTILINE)[0]
            written = [match.group("target") for match in _WRITTEN.finditer(script)]
            mentioned = [item for item in _DIRECTORY_WORDS if item in script]
        installs, gaps = _judged(wanted, locals_, written, mentioned, spec_path, package.name)
        result.append(
            with_fields(package, installs=(*package.installs, *installs), gaps=(*package.gaps, *gaps))
        )
    return result


def source_directories(spec_path: str, defines: Mapping[str, str | None]) -> tuple[str, ...]:
    """Where rpmbuild would take the spec's Source files from (`auditor.cli.inputlook` keys a
    stored report by what they hold: an edited ``xs.repo`` beside an unchanged spec is a new
    audit)."""
    given = defines.get("_sourcedir")
    if given and "%" not in given:
        return (given,)
    here = os.path.dirname(os.path.abspath(spec_path))
    return (here, os.path.join(os.path.dirname(here), "SOURCES"))


def from_directories(directories: Sequence[str]) -> SourceFiles:
    """Reads Source files from the first of ``directories`` that holds one of the name."""

    def read(names: Sequence[str]) -> dict[str, bytes | str]:
        return {name: _in_directories(name, directories) for name in names}

    return read


def _in_directories(name: str, directories: Sequence[str]) -> bytes | str:
    for directory in directories:
        path = os.path.join(directory, name)
        if os.path.lexists(path):
            try:
                return read_regular(path, path, "a Source file", MAX_FILE)
            except InputError as exc:
                return f"{path}: {exc.reason}"
    return f"no file {name} in {' or '.join(directories)}"


def _takeable(name: str) -> bool:
    return bool(name) and "/" not in name and "%" not in name and name not in (".", "..")


def _local(source: SourceFile, contents: Mapping[str, bytes | str]) -> _Local:
    name = source.filename
    if not _takeable(name):
        return _Local(source, None, f"its file name {name!r} is not one rpmbuild takes from %_sourcedir")
    content = contents.get(name, f"no file {name}")
    return _Local(source, content, "") if isinstance(content, bytes) else _Local(source, None, content)


@dataclass(frozen=True, slots=True)
class _Wanted:
    exact: tuple[tuple[str, Role], ...]
    """The plain ``%files`` paths the payload reading would read, with their roles."""
    directories: tuple[tuple[str, Role], ...]
    """The reposdirs and the key directory a glob or a whole directory of ``%files`` packages."""
    files: tuple[str, ...]
    patterns: tuple[str, ...]
    listed: bool = False
    """Whether ``%files`` takes a list the build writes (``-f``) or a path left with a macro."""
    configs: tuple[str, ...] = ()
    """The main configurations (dnf.conf, yum.conf) a glob or a directory of ``%files`` packages:
    their repository sections are read as a ``.repo`` file's."""
    elsewhere: tuple[str, ...] = ()
    """The plain ``%files`` paths of ``.repo`` files outside the reposdirs: configuration of the
    package's hosts once some package's ``reposdir=`` names their directory."""

    def __bool__(self) -> bool:
        return bool(self.exact or self.directories or self.elsewhere or self.configs)

    @classmethod
    def of(cls, package: Package) -> _Wanted:
        # A -f list or a macro left as written (ANY_FILE) may package anything: no Source is
        # taken for it, and it is read as a glob over /etc (else a rebuild writing a Citrix .repo
        # through its list passed as clean, its only gap automatic-requires, which hides no
        # origin evidence: e561969f).
        patterns = tuple(item for item in package.file_patterns if item != ANY_FILE)
        listed = ANY_FILE in package.file_patterns
        exact = tuple((path, role) for path in package.files if (role := role_of(path)) is not None)
        globs = [item for item in patterns if item[:1] not in "!="]
        directories = tuple(
            (directory, role)
            for directory, role in _DIRECTORIES
            if listed
            or may_package(f"{directory}/{_PROBE}.repo", package.files, patterns)
            or any(fnmatchcase(directory, posixpath.dirname(glob)) for glob in globs)
        )
        elsewhere = tuple(path for path in package.files if role_of(path) is None and is_repo_name(path))
        configs = tuple(
            path
            for path in MAIN_CONFIGS
            if not listed and path not in package.files and may_package(path, package.files, patterns)
        )
        return cls(exact, directories, tuple(package.files), patterns, listed, configs, elsewhere)

    def installs(self, path: str) -> bool:
        return may_package(path, self.files, self.patterns)


def _judged(
    wanted: _Wanted,
    locals_: list[_Local],
    written: list[str],
    mentioned: list[str],
    spec_path: str,
    name: str,
) -> tuple[tuple[Installed, ...], list[Gap]]:
    contents: dict[str, tuple[Role, bytes]] = {}
    read: dict[str, str] = {}
    """Each path whose content a Source shows (as its Source names it): a directory, besides."""
    gaps: list[Gap] = []

    def unseen(path: str, role: Role, why: str) -> None:
        said = f"{spec_path}: {name} installs {path} ({role.value}): {why}; {UNSEEN[role]}"
        gaps.append(Gap(GapKind.PAYLOAD_UNREAD, said))

    def take(path: str, role: Role, local: _Local) -> None:
        if local.data is None:
            unseen(path, role, f"its content is {local.label}, and {local.why}")
        else:
            contents[path] = (role, local.data)
            read[path] = local.label

    by_name = {local.source.filename: local for local in locals_}
    quiet: list[str] = []
    for path, role in wanted.exact:
        local = by_name.get(posixpath.basename(path))
        if local is None:
            unseen(path, role, "no Source of the spec is a file of that name: the build writes it")
        else:
            take(path, role, local)
    for path in wanted.configs:  # `/etc/dnf/*`, `/etc/dnf`: as a glob over a reposdir
        local = by_name.get(posixpath.basename(path))
        if local is not None and local.role is Role.CONFIG:
            take(path, Role.CONFIG, local)
        else:
            quiet.append(path)
    # A directory the package's own dnf.conf or yum.conf names as reposdir= is read as the
    # default ones are (`auditor.sources.payloadconfig.named_reposdirs`).
    named = [(item, Role.CONFIG) for item in sorted(named_reposdirs(contents)) if item not in REPOSDIRS]
    for directory, role in [*wanted.directories, *named]:
        if (directory, role) in named and not wanted.installs(f"{directory}/{_PROBE}.repo"):
            for local in locals_:
                target = f"{directory}/{local.source.filename}"
                if local.role is role and is_repo_name(target) and wanted.installs(target):
                    take(target, role, local)
            for path in wanted.files:
                if posixpath.dirname(path) == directory and is_repo_name(path) and path not in contents:
                    unseen(path, role, "no Source of the spec is a file of that name: the build writes it")
            continue
        matched = False
        for local in locals_:
            target = f"{directory}/{local.source.filename}"
            fits = role_of(target) is role or ((directory, role) in named and is_repo_name(target))
            if local.role is role and fits and target not in contents and wanted.installs(target):
                take(target, role, local)
                matched = True
        if matched:
            read[f"{directory}/"] = "what else the build puts there"
            continue
        if (directory, role) in named or _directory_word(directory) in mentioned:
            unseen(
                f"{directory}/", role, "what the build puts there, no Source of the spec being such a file"
            )
        else:
            quiet.append(directory)
    if quiet:
        # A glob over /etc (``%{_sysconfdir}/*``) or a -f list packages whatever the build puts
        # there, and shell spells a directory in ways no reading of the spec's text sees
        # (``d=yum; ... /etc/$d.repos.d/``): one gap says so, where the text names none of them.
        how = (
            "takes a list its build writes (-f) or a path left with a macro"
            if wanted.listed
            else "has a glob or a directory"
        )
        said = f"{spec_path}: {name}'s %files {how}, which may package files in {', '.join(quiet)}"
        gaps.append(
            Gap(
                GapKind.PAYLOAD_UNREAD,
                f"{said}: what its build puts there is unseen, a repository "
                "configuration or key among it unjudged",
            )
        )
    if read:
        # A Source shows what it holds, not what the build installs: the copy edited in place
        # (sed -i), another file installed or linked under its name, a tarball or make install
        # over it or beside it in a directory packaged whole. The spec read clean, its only gap
        # automatic-requires, while rpmbuild's binary pointed its hosts at XenServer's updates,
        # and a Citrix package's rebuild passed as cured.
        paths = ", ".join(f"{path} ({label})" for path, label in read.items())
        gaps.append(
            Gap(
                GapKind.PAYLOAD_UNREAD,
                f"{spec_path}: {name} installs {paths}: what the build makes of them is unseen, the "
                "Sources read for them showing only what they hold; a repository configuration or "
                "key among it unjudged",
            )
        )
    for target in dict.fromkeys(written):
        plain = re.sub(r"%\{?buildroot\}?|\$\{?RPM_BUILD_ROOT\}?", "", target)
        plain = re.sub(r"%\{?_sysconfdir\}?", "/etc", plain)
        # A path left with a macro may be any package's: each that installs such files says it.
        other = "%" not in plain and "$" not in plain and not wanted.installs(plain)
        if not other and (
            any(word in plain for word in (*_KEY_WORDS, "yum.repos.d", "/vars/", "yum.conf", "dnf.conf"))
            or plain.endswith(".repo")
        ):
            role = Role.KEY if any(word in plain for word in _KEY_WORDS) else Role.CONFIG
            unseen(plain, role, f"the spec's %install writes {target} itself, not from a Source")
    installs, judged = judge(contents, {path: f"{path} ({read[path]})" for path in contents})
    return (*installs, *_aside(wanted, by_name, contents, f"{spec_path}: {name}")), [*gaps, *judged]


def _aside(
    wanted: _Wanted, by_name: Mapping[str, _Local], contents: dict[str, tuple[Role, bytes]], who: str
) -> list[Installed]:
    """What the binary's ``.repo`` files outside the reposdirs would configure, kept aside as a
    binary's payload reading keeps them (`auditor.sources.payloadconfig.set_aside`): judged once
    another package of the run names their directory as its ``reposdir=``. Those in a directory
    the package's own configuration names were read above; one no Source shows is the gap that
    package's reposdir would make of it."""
    named = named_reposdirs(contents)
    aside = {path: item for path, item in contents.items() if item[0] is Role.VARIABLE}
    unread: list[tuple[str, str]] = []
    for path in wanted.elsewhere:
        if posixpath.dirname(path) in named:
            continue
        local = by_name.get(posixpath.basename(path))
        if local is not None and local.data is not None:
            aside[path] = (Role.ELSEWHERE, local.data)
            # As in a reposdir (`_judged`): the Source shows what it holds, not what the build
            # makes of it; said once some package's reposdir= names the directory.
            built = f"what the build makes of it is unseen, {local.label} showing only what it holds"
            unread.append((path, f"{who} installs {path}: {built}; {UNSEEN[Role.ELSEWHERE]}"))
            continue
        why = (
            "no Source of the spec is a file of that name" if local is None else f"{local.label}: {local.why}"
        )
        unread.append((path, f"{who} installs {path}: {why}; {UNSEEN[Role.ELSEWHERE]}"))
    return set_aside(aside, named, unread) if aside or unread or named else []


def _directory_word(directory: str) -> str:
    """The word of `_DIRECTORY_WORDS` naming ``directory`` (``/etc/yum.repos.d``: ``yum.repos.d``;
    the key directory by its last name, as ``cp -a rpm-gpg %{buildroot}/etc/pki/`` names it)."""
    return directory.removeprefix("/etc/").removeprefix("pki/")
