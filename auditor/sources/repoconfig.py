"""Repository configuration: ``.repo`` files and ``yum.conf``, as a host or a build root has them.

Each section with a ``baseurl``, ``mirrorlist`` or ``metalink`` is a repository. Every
URL it names (and ``gpgkey``, and each mirror a mirrorlist or metalink lists) is
recorded as a `ConfigUrl` whether or not the repository can be read, so the policy can
flag a configuration that points at a vendor host even when that host is unreachable.
An enabled section's repository is then read: the first ``baseurl`` that works, else
the mirrors of its ``mirrorlist``, else those of its ``metalink``, in order. URLs on a
policy host are never contacted. ``$releasever`` and ``$basearch`` (and ``$arch``) are
expanded from the options; a variable left in a URL is an input error for that section.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason, read_regular
from auditor.net.http import strip_userinfo
from auditor.net.remote import SMALL_FILE_CEILING, Remote
from auditor.rpm.model import Package
from auditor.sources.formats.xmlstream import decompressed_chunks, parse_xml
from auditor.sources.interface import ConfigUrl
from auditor.sources.remote import read_remote_repository
from auditor.sources.repodata import RepositoryRead, read_repository

REPOSITORY_KEYS = ("baseurl", "mirrorlist", "metalink")
_SECTION = re.compile(r"^\s*\[[^\]\n]+\]\s*$", re.MULTILINE)
_REPOSITORY_KEY = re.compile(r"^\s*(?:baseurl|mirrorlist|metalink)\s*=", re.MULTILINE | re.IGNORECASE)
_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)[^}]*\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")
_SNIFF = 64 * 1024


@dataclass(frozen=True)
class RepoSection:
    id: str
    baseurls: tuple[str, ...]
    mirrorlist: str | None
    metalink: str | None
    gpgkeys: tuple[str, ...]
    enabled: bool


def is_repo_config(path: str) -> bool:
    """A ``.repo`` file, ``yum.conf``/``dnf.conf``, or text with a ``[section]`` and a repository key."""
    name = os.path.basename(path).lower()
    if name.endswith(".repo") or name in ("yum.conf", "dnf.conf") or name.startswith("yum.conf."):
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


def parse_repo_config(text: str, shown: str) -> list[RepoSection]:
    parser = configparser.ConfigParser(
        interpolation=None, strict=False, default_section="\0no-defaults", comment_prefixes=("#", ";")
    )
    try:
        parser.read_string(text, source=shown)
    except configparser.Error as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(shown, f"not a repository configuration: {first}") from None
    sections = []
    for name in parser.sections():
        values = parser[name]
        if not any(values.get(key, "").strip() for key in REPOSITORY_KEYS):
            continue  # [main] and other sections without a repository
        enabled = values.get("enabled", "1").strip().lower() not in ("0", "false", "no", "off")
        sections.append(
            RepoSection(
                id=name,
                baseurls=tuple(_split(values.get("baseurl", ""))),
                mirrorlist=values.get("mirrorlist", "").strip() or None,
                metalink=values.get("metalink", "").strip() or None,
                gpgkeys=tuple(_split(values.get("gpgkey", ""))),
                enabled=enabled,
            )
        )
    return sections


def _split(value: str) -> list[str]:
    """Several URLs, separated by white space, new lines or commas, as dnf reads them."""
    return [item for item in re.split(r"[\s,]+", value) if item]


def expand(value: str, variables: dict[str, str]) -> tuple[str, list[str]]:
    """``value`` with the known variables substituted, and the names of the ones left."""
    left: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("bare")
        found = variables.get(name.lower())
        if found is None or (match.group("braced") and match.group(0) != f"${{{name}}}"):
            left.append(name)
            return match.group(0)
        return found

    return _VARIABLE.sub(substitute, value), left


@dataclass
class ConfigRead:
    """What one configuration file gave."""

    packages: list[Package]
    errors: list[InputError]
    config_urls: list[ConfigUrl]
    repositories: list[RepositoryRead]
    warnings: list[str]


def read_repo_config(text: str, shown: str, remote: Remote) -> ConfigRead:
    """Record every URL of every repository section of ``text``; read the enabled ones."""
    result = ConfigRead([], [], [], [], [])
    variables = {"basearch": remote.options.basearch, "arch": remote.options.basearch}
    if remote.options.releasever is not None:
        variables["releasever"] = remote.options.releasever
    for section in parse_repo_config(text, shown):
        where = f"{shown} [{section.id}]"
        urls: dict[str, list[str]] = {}
        unexpanded: list[tuple[str, str]] = []
        named = [("baseurl", raw) for raw in section.baseurls]
        named += [
            (key, raw)
            for key, raw in (("mirrorlist", section.mirrorlist), ("metalink", section.metalink))
            if raw
        ]
        named += [("gpgkey", raw) for raw in section.gpgkeys]
        for key, raw in named:
            expanded, left = expand(raw, variables)
            url = strip_userinfo(expanded)
            if url != expanded:
                result.warnings.append(f"{where}: the user name and password in {key} are never sent")
            result.config_urls.append(ConfigUrl(shown, section.id, key, url, section.enabled))
            urls.setdefault(key, []).append(url)
            if key != "gpgkey":
                unexpanded.extend((key, name) for name in left)
        if not section.enabled:
            continue
        candidates = [url for key in REPOSITORY_KEYS for url in urls.get(key, [])]
        refusals = [(url, remote.refused(url)) for url in candidates]
        if all(reason for _url, reason in refusals):
            # Nothing here may be contacted: the config finding says it all, and no
            # variable needs expanding for a request that will not be made.
            shown_refusals = "; ".join(f"{url} ({reason})" for url, reason in refusals)
            result.warnings.append(f"{where}: not read: {shown_refusals}")
            continue
        if unexpanded:
            key, name = unexpanded[0]
            hint = " (give --releasever)" if name == "releasever" else ""
            result.errors.append(InputError(where, f"${name} left unexpanded in {key}{hint}"))
            continue
        read = _read_section(
            section,
            where,
            shown,
            urls.get("baseurl", []),
            next(iter(urls.get("mirrorlist", ())), None),
            next(iter(urls.get("metalink", ())), None),
            remote,
            result,
        )
        if read is not None:
            result.repositories.append(read)
            result.packages.extend(read.packages)
            result.errors.extend(read.errors)
    return result


def _read_section(
    section: RepoSection,
    where: str,
    shown: str,
    baseurls: list[str],
    mirrorlist: str | None,
    metalink: str | None,
    remote: Remote,
    result: ConfigRead,
) -> RepositoryRead | None:
    failures: list[InputError] = []
    refused: list[str] = []

    def attempt(url: str) -> RepositoryRead | None:
        reason = remote.refused(url)
        if reason:
            refused.append(f"{url} ({reason})")
            return None
        try:
            if urlsplit(url).scheme.lower() == "file":
                return read_repository(unquote(urlsplit(url).path), shown=url)
            return read_remote_repository(url, remote)
        except InputError as exc:
            failures.append(exc)
            return None

    for url in baseurls:
        read = attempt(url)
        if read is not None:
            return read
    for key, listing, parse in (("mirrorlist", mirrorlist, _mirrorlist), ("metalink", metalink, _metalink)):
        if listing is None:
            continue
        mirrors = [
            strip_userinfo(mirror) for mirror in _mirrors(listing, key, parse, remote, failures, refused)
        ]
        for mirror in mirrors:
            result.config_urls.append(ConfigUrl(shown, section.id, "mirror", mirror, section.enabled))
        for mirror in mirrors:
            read = attempt(mirror)
            if read is not None:
                return read
    if failures:
        last = failures[-1]
        tried = len(failures) + len(refused)
        more = f" ({tried} URLs tried)" if tried > 1 else ""
        result.errors.append(InputError(where, f"no repository could be read{more}; last: {last}"))
    elif refused:
        result.warnings.append(f"{where}: not read: {'; '.join(refused)}")
    return None


def _mirrors(
    url: str,
    key: str,
    parse: Callable[[str, str], list[str]],
    remote: Remote,
    failures: list[InputError],
    refused: list[str],
) -> list[str]:
    reason = remote.refused(url)
    if reason:
        refused.append(f"{url} ({reason})")
        return []
    try:
        path = remote.fetch_by_url(url, key)
        return parse(path, url)
    except InputError as exc:
        failures.append(exc)
        return []


def _mirrorlist(path: str, url: str) -> list[str]:
    """A mirrorlist: one URL a line, ``#`` comments; only http(s) and file mirrors are kept."""
    text = read_regular(path, url, "a mirrorlist", SMALL_FILE_CEILING).decode("utf-8", "replace")
    lines = text.splitlines()
    mirrors = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return [mirror for mirror in mirrors if urlsplit(mirror).scheme.lower() in ("http", "https", "file")]


def _metalink(path: str, url: str) -> list[str]:
    """A metalink's ``<url>`` elements for ``repomd.xml``, as repository URLs, in order."""
    found: list[str] = []
    text: list[str] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        text.clear()

    def end(name: str) -> None:
        if name.rsplit(":", 1)[-1] == "url":
            value = "".join(text).strip()
            if value.endswith("/repodata/repomd.xml") and urlsplit(value).scheme.lower() in ("http", "https"):
                found.append(value[: -len("repodata/repomd.xml")])

    try:
        with open_regular(path, url, "a metalink") as stream:
            parse_xml(decompressed_chunks(stream, url, SMALL_FILE_CEILING), url, start, end, text.append)
    except OSError as exc:
        raise InputError(url, os_reason(exc)) from None
    return found
