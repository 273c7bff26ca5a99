"""The repository configurations and signing keys a binary RPM installs, read from its payload.

A package that ships ``/etc/yum.repos.d/xs.repo`` with ``baseurl=https://updates.xenserver.com/...``
(XenServer's release packages do) makes every host that installs it fetch packages from Citrix,
and one that puts a Citrix key in ``/etc/pki/rpm-gpg`` makes it accept what that key signed,
whatever its own header says. Which files those are is decided from the header's file list
(`wanted_files`): a package without one costs that check alone. Those it has are read in one walk
of the payload (`auditor.formats.payload.extract_members`, with its bounds), parsed as the
auditor reads a configuration it is given (`auditor.sources.repofile`, dnf's and yum's readings;
``$name`` from the package's own ``/etc/dnf/vars`` and ``/etc/yum/vars``) and as a policy's key
files (`auditor.formats.pgpkeys`), and kept as `Installed` evidence, which the policy's host and
signing-key rules judge. What could not be read or judged is a `payload-unread` gap naming the file.
"""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from auditor.core.errors import InputError
from auditor.formats.payload import (
    RPMFILE_GHOST,
    S_IFLNK,
    S_IFMT,
    S_IFREG,
    Members,
    PayloadFiles,
    extract_members,
)
from auditor.formats.rpmheader import Header, RpmHeaders, Tag
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.installed import Installed, InstalledKind
from auditor.sources.installedurl import VARSDIRS, record_url

REPOSDIRS = ("/etc/yum.repos.d", "/etc/yum/repos.d", "/etc/distro.repos.d")
"""The directories whose ``*.repo`` files dnf and yum read when their main configuration names
no ``reposdir`` (dnf: all three; yum 3: the first two)."""
MAIN_CONFIGS = ("/etc/yum.conf", "/etc/dnf/dnf.conf")
"""Main configurations, which may hold repository sections beside ``[main]``."""
KEYDIR = "/etc/pki/rpm-gpg/"
FIRSTBOOT_KEYDIR = "/etc/firstboot.d/data/keys/"
"""Where a XenServer or XCP-ng host's firstboot (``import-trusted-keys``, XenServer's
``60-import-keys`` before it) takes the keys it copies to `KEYDIR` and imports into xapi's
keyring with full trust: a key installed here is trusted as one installed there."""
KEYDIRS = (KEYDIR, FIRSTBOOT_KEYDIR)
_DIRECTORIES = ("/etc/yum", "/etc/distro.repos.d/", "/etc/dnf/", *KEYDIRS)
"""What the directory of a wanted file starts with (``/etc/`` itself: ``yum.conf``): a package
none of whose directories does needs no look at its paths (`wanted_files`)."""
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
"""A variable's file name (`auditor.sources.configvars.NAME`)."""
MAX_FILE = 4 * 1024 * 1024
"""Bytes of one wanted file held (a configuration's own bound, `auditor.sources.repoinclude`)."""
MAX_FILES_TOTAL = 16 * 1024 * 1024
"""Bytes of all of one package's wanted files held together: a package listing thousands of
``.repo`` files of 4 MiB must not make the reader hold them all; past it, each is a gap."""


class Role(enum.Enum):
    CONFIG = "a repository configuration"
    VARIABLE = "a dnf variable"
    KEY = "an OpenPGP key file"
    ELSEWHERE = "a .repo file outside the default reposdirs"
    """Read only when the package installs a main configuration too: its ``reposdir=`` may name
    the directory (`named_reposdirs`), and then dnf and yum read the file as they read one of
    `REPOSDIRS`; a directory it does not name is no configuration of this package's hosts."""


UNSEEN = {
    Role.CONFIG: "the repositories it points its hosts at are unseen",
    Role.VARIABLE: "the value it gives the URLs that use it is unseen",
    Role.KEY: "the keys it makes its hosts trust are unseen",
    Role.ELSEWHERE: "the repositories it points its hosts at are unseen",
}


@dataclass(frozen=True, slots=True)
class Wanted:
    path: str
    role: Role
    member: str = ""
    """The file whose content is this one's: itself, or the target of a symbolic link the package
    holds (``/etc/yum.conf`` -> ``dnf/dnf.conf``); empty for a link whose target it does not hold."""

    @property
    def unread(self) -> bool:
        return not self.member


def wanted_files(header: Header) -> tuple[Wanted, ...]:
    """The files of a binary's header that configure its hosts' repositories or keys, ``%ghost``
    files left out (nothing of theirs is in the payload)."""
    directories = header.strings(Tag.DIRNAMES)
    if (
        directories
        and not any(name == "/etc/" or name.startswith(_DIRECTORIES) for name in directories)
        and not _names_a_repo_file(header)
    ):
        return ()  # nearly every package: no path is looked at
    paths = header.file_paths()
    flags, modes = header.ints(Tag.FILEFLAGS), header.ints(Tag.FILEMODES)
    found = []
    for index, path in enumerate(paths):
        role = role_of(path)
        if role is None and is_repo_name(path):
            role = Role.ELSEWHERE
        if role is None or (index < len(flags) and flags[index] & RPMFILE_GHOST):
            continue
        kind = modes[index] & S_IFMT if index < len(modes) else S_IFREG
        if kind == S_IFREG:
            found.append(Wanted(path, role, path))
        elif kind == S_IFLNK:
            targets = header.strings(Tag.FILELINKTOS)
            written = targets[index] if index < len(targets) else ""
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), written)) if written else ""
            if target in paths and _is_regular(paths.index(target), flags, modes):
                found.append(Wanted(path, role, target))
            elif not target or role_of(target) is None:  # else it is read where it is installed from
                found.append(Wanted(path, role))
    return tuple(found)


def _names_a_repo_file(header: Header) -> bool:
    """Whether some file name may end in ``.repo``: one search of the names' bytes, each ended
    by its NUL, not a decoding of them all (a ``.repo`` anywhere may be in another package's
    reposdir: `auditor.audit.reposdirs`)."""
    found = header.raw(Tag.BASENAMES)
    return found is None or b".repo\0" in found[1]


def _is_regular(index: int, flags: Sequence[int], modes: Sequence[int]) -> bool:
    ghost = index < len(flags) and flags[index] & RPMFILE_GHOST
    return not ghost and index < len(modes) and modes[index] & S_IFMT == S_IFREG


def is_repo_name(path: str) -> bool:
    name = path.rpartition("/")[2]
    return name.endswith(".repo") and not name.startswith(".")  # dnf's glob(*.repo): no dot file


def role_of(path: str) -> Role | None:
    directory, _, name = path.rpartition("/")
    if directory in REPOSDIRS and is_repo_name(path):
        return Role.CONFIG
    if path in MAIN_CONFIGS:
        return Role.CONFIG
    if directory in VARSDIRS and _NAME.match(name):
        return Role.VARIABLE
    if path.startswith(KEYDIRS) and name:
        return Role.KEY
    return None


MembersReader = Callable[[str, list[str], PayloadFiles], Members]
"""Reads members of a package's payload in one walk (`extract_members`, with `MAX_FILE` and
`MAX_FILES_TOTAL`), given the payload's compressor, their names and the header's files; raises
`PayloadNotRead` when it did not read the payload (a remote one: a budget, ``--offline``)."""


class PayloadNotRead(Exception):
    """The payload was not read: each wanted file is a gap of ``kind`` saying ``why``."""

    def __init__(self, kind: GapKind, why: str) -> None:
        super().__init__(why)
        self.kind = kind
        self.why = why


def installed_by(
    headers: RpmHeaders, stream: BinaryIO | None, source: str, *, remote: bool = False
) -> tuple[tuple[Installed, ...], tuple[Gap, ...]]:
    """What the binary whose ``headers`` are given installs (`Installed`; a source package:
    nothing), from the payload of ``stream``, the open file (None: not read), and a gap for
    each wanted file not read or judged. A ``remote`` package's payload is its reader's to
    fetch (`auditor.sources.remotespec.remote_installs`): nothing is read here."""
    if remote:
        return (), ()

    def members(compressor: str, names: list[str], files: PayloadFiles) -> Members:
        if stream is None:
            raise PayloadNotRead(GapKind.PAYLOAD_UNREAD, "its payload was not read")
        stream.seek(headers.header_end)
        return extract_members(
            stream, compressor, names, source, files, limit=MAX_FILE, total=MAX_FILES_TOTAL
        )

    return read_installed(headers, members)


def read_installed(
    headers: RpmHeaders, members: MembersReader
) -> tuple[tuple[Installed, ...], tuple[Gap, ...]]:
    """`installed_by`, its payload's members read by ``members``."""
    wanted = wanted_files(headers.main) if Tag.SOURCERPM in headers.main else ()
    if not wanted:
        return (), ()
    unread = [(item, "a symbolic link to a file the package does not hold") for item in wanted if item.unread]
    readable = [item for item in wanted if not item.unread]
    compressor = headers.main.string(Tag.PAYLOADCOMPRESSOR) or "gzip"
    try:
        names = list(dict.fromkeys(item.member for item in readable))
        read = members(compressor, names, PayloadFiles.of(headers.main))
    except PayloadNotRead as exc:
        # A .repo file elsewhere is one only if a main configuration, this one's unread too,
        # names its directory: that configuration's gap, or the other's package's, says it.
        unread += [(item, exc.why) for item in readable]
        aside = tuple(Installed(InstalledKind.UNNAMED_GAP, item.path, _gap(item, why, exc.kind).detail)
                      for item, why in unread if item.role is Role.ELSEWHERE)  # fmt: skip
        return aside, tuple(
            _gap(item, why, exc.kind) for item, why in unread if item.role is not Role.ELSEWHERE
        )
    contents: dict[str, tuple[Role, bytes]] = {}
    for item in readable:
        data = read.found.get(item.member)
        if data is None:
            unread.append((item, _why_unread(item.member, read)))
        else:
            contents[item.path] = (item.role, data)
    named = named_reposdirs(contents)

    def configures(path: str, role: Role) -> bool:
        return role is not Role.ELSEWHERE or path.rpartition("/")[0] in named

    gaps = [_gap(item, why) for item, why in unread if configures(item.path, item.role)]
    kept: dict[str, tuple[Role, bytes]] = {
        path: (Role.CONFIG if role is Role.ELSEWHERE else role, data)
        for path, (role, data) in contents.items()
        if configures(path, role)
    }
    installs, judged = judge(kept)
    elsewhere = [
        (item.path, _gap(item, why).detail) for item, why in unread if not configures(item.path, item.role)
    ]
    return (*installs, *set_aside(contents, named, elsewhere)), (*gaps, *judged)


def set_aside(
    contents: dict[str, tuple[Role, bytes]], named: Mapping[str, str], unread: Sequence[tuple[str, str]]
) -> list[Installed]:
    """The directories the package's main configurations name as reposdirs, and what its
    ``.repo`` files in other directories than the default and those would configure (`UNNAMED_`
    kinds, their ``where`` the path, a NUL, then the rest): its hosts read them once another
    package's ``reposdir=`` names the directory (`auditor.audit.reposdirs`). ``unread``: the
    path and gap detail of each such file not read."""
    found = [
        Installed(InstalledKind.REPOSDIR, f"{path} reposdir", directory) for directory, path in named.items()
    ]
    found += [Installed(InstalledKind.UNNAMED_GAP, path, detail) for path, detail in unread]
    variables = {path: item for path, item in contents.items() if item[0] is Role.VARIABLE}
    for path, (role, data) in contents.items():
        if role is not Role.ELSEWHERE or path.rpartition("/")[0] in named:
            continue
        installs, gaps = judge({**variables, path: (Role.CONFIG, data)})
        found += [
            Installed(_UNNAMED.get(item.kind, item.kind), f"{path}\0{item.where[len(path) :]}", item.value)
            for item in installs
            # The variables are the package's own, said once; a URL's template stays after it:
            # another package's variables apply to it too (`auditor.audit.sharedvars`).
            if item.kind in _UNNAMED or item.kind is InstalledKind.URL_TEMPLATE
        ]
        found += [Installed(InstalledKind.UNNAMED_GAP, path, gap.detail) for gap in gaps]
    return found


_UNNAMED = {
    InstalledKind.REPOSITORY_URL: InstalledKind.UNNAMED_REPOSITORY_URL,
    InstalledKind.DISABLED_REPOSITORY_URL: InstalledKind.UNNAMED_DISABLED_REPOSITORY_URL,
}


def named_reposdirs(contents: dict[str, tuple[Role, bytes]]) -> dict[str, str]:
    """The directories the ``reposdir=`` of the package's own main configurations names, as
    dnf and yum read it (either reader's): dnf.conf's ``reposdir=/etc/xs.repos.d`` makes every
    host read the ``.repo`` files the package puts there."""
    from auditor.sources.repofile import parse_repo_config, reposdirs

    named: dict[str, str] = {}  # directory: the main configuration naming it first
    for path in MAIN_CONFIGS:
        if path not in contents:
            continue
        try:
            main = parse_repo_config(contents[path][1].decode("utf-8", "replace"), path).main
        except InputError:
            continue  # the configuration's own reading says it is a gap
        for item in reposdirs(main):
            if item.startswith("/"):
                # normpath keeps the two slashes of //opt/r (POSIX leaves them to the system);
                # Linux reads it as /opt/r, the directory the other package's file names.
                named.setdefault("/" + posixpath.normpath(item).lstrip("/"), path)
    return named


def _why_unread(path: str, members: Members) -> str:
    size = members.too_large.get(path)
    if size is not None:
        return (
            f"{size} bytes, more than the reader holds (a file: {MAX_FILE}; a package's files of this "
            f"kind together: {MAX_FILES_TOTAL})"
        )
    if members.error is not None:
        return f"its payload could not be read ({members.error.reason})"
    return "missing from the payload its header lists it in"


def judge(
    contents: dict[str, tuple[Role, bytes]], shown: Mapping[str, str] | None = None
) -> tuple[tuple[Installed, ...], list[Gap]]:
    """What the files ``contents`` (installed path: role, content) configure, each named by its
    path or by ``shown``'s name for it (a spec's Source: `auditor.sources.specinstalls`)."""
    shown = shown or {}
    installs: list[Installed] = []
    gaps: list[Gap] = []
    variables: dict[str, str] = {}
    for directory in VARSDIRS:  # in dnf's order: a later directory's value wins
        for path, (role, data) in contents.items():
            if role is Role.VARIABLE and path.rpartition("/")[0] == directory:
                line = data.partition(b"\n")[0]
                try:
                    variables[path.rpartition("/")[2]] = line.decode("utf-8")
                except UnicodeDecodeError:
                    gaps.append(_gap(Wanted(path, role), "not UTF-8 text"))
                    continue
                installs.append(Installed(InstalledKind.VARIABLE, path, line.decode("utf-8")))
    for path, (role, data) in contents.items():
        if role is Role.CONFIG:
            _judge_config(shown.get(path, path), data, variables, installs, gaps)
        elif role is Role.KEY:
            _judge_key(shown.get(path, path), data, installs, gaps)
    return tuple(installs), gaps


def _judge_config(
    path: str, data: bytes, variables: dict[str, str], installs: list[Installed], gaps: list[Gap]
) -> None:
    """Every URL of every repository section of the configuration at ``path``, as dnf and yum
    read it (`auditor.sources.repoconfig` records a configuration it is given alike), and of
    each ``include=`` line yum 3 follows (`auditor.sources.repoinclude`): not followed, a gap."""
    # Imported here: only the few packages that install a configuration need the readers.
    from auditor.sources.repofile import parse_repo_config
    from auditor.sources.repoinclude import INCLUDE_LINE

    text = data.decode("utf-8", "replace")
    try:
        parsed = parse_repo_config(text, path, variables=variables)
    except InputError as exc:
        gaps.append(_gap(Wanted(path, Role.CONFIG), exc.reason))
        return
    for section in parsed.sections:
        named = [("baseurl", url) for url in section.baseurls]
        named += [
            (key, url)
            for key, url in (("mirrorlist", section.mirrorlist), ("metalink", section.metalink))
            if url
        ]
        named += [("gpgkey", url) for url in section.gpgkeys]
        kind = InstalledKind.REPOSITORY_URL if section.enabled else InstalledKind.DISABLED_REPOSITORY_URL
        for key, raw in [*named, *section.unread]:
            record_url(kind, f"{path} [{section.id}] {key}", raw, variables, installs, gaps)
    for line in text.splitlines():
        included = INCLUDE_LINE.match(line)
        if included is not None and included.group("url").strip():
            where = f"{path} include"
            url = record_url(
                InstalledKind.REPOSITORY_URL, where, included.group("url").strip(), variables, installs, gaps
            )
            said = (
                f"{where}={url}: yum 3 reads what it names, not followed here; what it configures is unseen"
            )
            gaps.append(Gap(GapKind.PAYLOAD_UNREAD, said))


def _judge_key(path: str, data: bytes, installs: list[Installed], gaps: list[Gap]) -> None:
    from auditor.formats.pgpkeys import public_key_ids

    try:
        ids = public_key_ids(data)
    except ValueError as exc:
        gaps.append(_gap(Wanted(path, Role.KEY), f"not an OpenPGP key this reader can read ({exc})"))
        return
    installs.extend(Installed(InstalledKind.SIGNING_KEY, path, key_id) for key_id in dict.fromkeys(ids))


def _gap(item: Wanted, why: str, kind: GapKind = GapKind.PAYLOAD_UNREAD) -> Gap:
    return Gap(kind, f"{item.path} ({item.role.value} it installs): {why}; {UNSEEN[item.role]}")
