"""What an input is, told from its path without reading it: a URL, a repository (where its
repomd.xml is), the source repositories beside one, a repository configuration file.

The loaders (`auditor.sources.load`) read inputs by these answers, and a replayed report
(`auditor.cli.replay`) keys on the same files without importing the loaders. And which paths
a repository's own metadata may name (`safe_href`), inside it.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from auditor.core.errors import InputError, MetadataElsewhere
from auditor.core.files import open_regular
from auditor.formats.repomd import AUDITED_TYPES, MetadataFile

SOURCE_DIRECTORIES = ("SRPMS", "Source", "source", "SRPM", "srpms", "src", "Sources")
"""Where distributions keep the source repository beside a binary one (Fedora, CentOS and
XCP-ng keep it in a sibling directory of the architecture's)."""

_SECTION = re.compile(r"^\s*\[[^\]\n]+\]\s*$", re.MULTILINE)
_REPOSITORY_KEY = re.compile(r"^\s*(?:baseurl|mirrorlist|metalink)\s*=", re.MULTILINE | re.IGNORECASE)
_SNIFF = 64 * 1024


def is_url(path: str) -> bool:
    return path.lower().startswith(("http://", "https://"))


def local_path(location: str) -> str | None:
    """The directory a repository's location names: a path, or a ``file:`` URL's path."""
    if location.lower().startswith("file:"):
        return unquote(urlsplit(location).path)
    return None if is_url(location) else location


def find_repomd(path: str) -> str | None:
    """The repomd.xml of ``path`` when it is a repository directory, its ``repodata/`` or the
    file itself.

    A directory holding ``repodata/`` (a directory, or a symlink: mirrors swap repodata
    by symlink) is a repository whatever state its repomd.xml is in: missing, dangling,
    a directory or a pipe is that repository's input error, never a walk that finds
    nothing (a mirror caught mid-sync must not pass the gate with 0 packages).
    """
    if os.path.isdir(path):
        repodata = os.path.join(path, "repodata")
        if os.path.isdir(repodata) or os.path.islink(repodata):
            return os.path.join(repodata, "repomd.xml")
        if os.path.basename(os.path.normpath(path)) == "repodata" and os.path.lexists(
            os.path.join(path, "repomd.xml")
        ):
            return os.path.join(path, "repomd.xml")  # ``repo/repodata/`` names the repository
        return None
    if os.path.basename(path) == "repomd.xml":
        return path
    return None


def repository_input(path: str, *, read_rpms: bool) -> str | None:
    """The repomd.xml of ``path`` when the loaders read it as a repository (`find_repomd`),
    else None: with ``read_rpms`` a directory is walked for its RPM files even when it holds
    ``repodata/``. The replay key follows the same answer (`auditor.cli.replay`)."""
    if read_rpms and os.path.isdir(path):
        return None
    return find_repomd(path)


def repository_in_walk(directory: str, *, read_rpms: bool) -> bool:
    """Whether a directory met by the walk of a directory is read as a repository of its own
    (`repository_input`); a ``repodata/`` is its repository's metadata, not one."""
    return (
        os.path.basename(directory) != "repodata"
        and repository_input(directory, read_rpms=read_rpms) is not None
    )


def repository_directory(path: str) -> str:
    """The directory holding ``repodata/`` of the repository ``path`` names (one must),
    spelt as ``path`` spells it: the walk of its files and the replay key's look at them
    list each directory under the same name (`auditor.runtime.snapshot`)."""
    repomd = find_repomd(path)
    if repomd is None:
        # The caller saw a repository there a moment ago; it is gone (a mirror mid-sync took
        # its repodata/ away, a directory under /proc went with its process). Its reader says
        # so, as an input error: until then it is named as if it were still there.
        name = os.path.normpath(path)
        name = os.path.dirname(name) if os.path.basename(name) == "repomd.xml" else name
        return os.path.dirname(name) or os.curdir if os.path.basename(name) == "repodata" else path
    return os.path.dirname(os.path.dirname(repomd)) or os.curdir


def repository_root(path: str) -> str:
    """The directory holding ``repodata/`` of the repository ``path`` names (one must), absolute."""
    return os.path.abspath(repository_directory(path))


def source_repositories(path: str) -> list[str]:
    """The source repositories beside the binary repository at ``path``, by the layouts
    distributions use (``.../x86_64/`` beside ``.../Source/`` or ``.../SRPMS/``)."""
    parent = os.path.dirname(repository_root(path))
    found = []
    for name in SOURCE_DIRECTORIES:
        candidate = os.path.join(parent, name)
        if find_repomd(candidate) is not None or unsearchable(candidate):
            found.append(candidate)
    return found


def unsearchable(path: str) -> bool:
    """A directory that cannot be looked into: whether it is a repository cannot be told. A
    source directory beside a repository is then taken for one, and its reader says why it
    cannot be read (an input error), rather than the audit going on as if there were none."""
    try:
        with os.scandir(path):
            return False
    except PermissionError:
        return True
    except OSError:
        return False


def lands_inside(real_root: str, path: str) -> bool:
    """Whether ``path`` lands inside the directory ``real_root`` (already `os.path.realpath`'d)
    once every symbolic link on the way is followed: a link inside a repository may still
    lead out of it."""
    try:
        return os.path.commonpath([real_root, os.path.realpath(path)]) == real_root
    except ValueError:
        return False


def is_rpm_name(name: str) -> bool:
    """A file a directory's walk reads as an RPM file, by its name, in any case."""
    return name.lower().endswith(".rpm")


def is_spec_file(path: str) -> bool:
    """A spec file, by its name, in any case (a ``SPECS/foo.SPEC`` too: rpmbuild reads any name,
    and one skipped would be evidence lost). A package read from one has it as its location."""
    return path.lower().endswith(".spec")


def is_repo_config_name(name: str) -> bool:
    """A ``.repo`` file or ``yum.conf``/``dnf.conf``, by its name (any case)."""
    name = name.lower()
    return name.endswith(".repo") or name in ("yum.conf", "dnf.conf") or name.startswith("yum.conf.")


def is_repo_config(path: str) -> bool:
    """A ``.repo`` file, ``yum.conf``/``dnf.conf``, or text with a ``[section]`` and a repository key."""
    if is_repo_config_name(os.path.basename(path)):
        return True
    try:
        with open_regular(path, path) as stream:  # a named pipe is not waited on
            head = stream.read(_SNIFF)
    except (InputError, OSError):
        return False  # not a configuration: the reader it goes to says what is wrong with it
    if b"\0" in head:
        return False
    text = head.decode("utf-8", "replace")
    return bool(_SECTION.search(text) and _REPOSITORY_KEY.search(text))


def safe_href(href: str, shown: str, base: str | None = None) -> str:
    """A metadata ``location href`` normalised, refused when it leaves the repository: by an
    ``xml:base`` too, from which librepo downloads the file (``lr_downloadtarget_new`` with the
    record's ``location_base``): dnf would fetch it from that host, which is then what the
    repository depends on, while this reader would read the mirror's copy."""
    if base is not None and base.strip():
        reason = f"repomd.xml points outside the repository: {href} at xml:base {base}"
        raise MetadataElsewhere(shown, reason, _under_base(base, href))
    if "://" in href or href.startswith("/"):
        raise InputError(shown, f"repomd.xml points outside the repository: {href}")
    normal = posixpath.normpath(href)
    if normal.startswith("../") or normal == "..":
        raise InputError(shown, f"repomd.xml points outside the repository: {href}")
    return normal


def _under_base(base: str, href: str) -> str:
    return f"{base.strip().rstrip('/')}/{href.lstrip('/')}"


def unread_elsewhere(files: Mapping[str, MetadataFile]) -> list[str]:
    """Where librepo fetches each metadata file of ``files`` the reader never reads (comps,
    updateinfo, modules...: not of `AUDITED_TYPES`, whose ``xml:base`` `safe_href` refuses with
    its own finding) that ``repomd.xml`` places under an ``xml:base``: dnf downloads
    comps and updateinfo from there with the rest, so a Citrix host there is the repository's
    config finding, as one under primary's is. It read clean (exit 0), no format naming it."""
    return [
        _under_base(entry.base, entry.href)
        for kind, entry in files.items()
        if kind not in AUDITED_TYPES and entry.base is not None and entry.base.strip()
    ]
