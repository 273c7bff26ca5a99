"""The URLs of a package the policy cannot judge, each a gap: one written as a URL with no
host to read, and one a header holds with an rpm macro rpmbuild left unexpanded in it."""

from __future__ import annotations

import re

from auditor.origin.urls import PLAIN_HOST, SCHEME, may_be_url, parse_url, url_fields
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package, PackageKind
from auditor.rpm.package_fields import URL_TAGS

_LEFT_MACRO = re.compile(r"%(?:[{(\[]|!?\?|(?![0-9A-Fa-f]{2})[A-Za-z_][A-Za-z0-9_])")
"""An rpm macro as rpmbuild leaves one it cannot expand (``%{xs_mirror}``, ``%{lower:...}`` on
an rpm without that builtin, ``%name``), not a percent escape (``%2F``): no URL holds one."""
_WHERE_END = re.compile(r"[?#]")


def hostless_url(value: str) -> bool:
    """Whether ``value`` is written as a URL (`may_be_url`) from which no host can be read
    (``https://:443/x``, ``git:///x``, ``ftp://@/x``): no rule can say where it leads. A
    ``file:`` URL is a local path, as rpm reads it; a bare file name is no URL at all."""
    if not may_be_url(value) or PLAIN_HOST.match(value) or parse_url(value) is not None:
        return False
    scheme = SCHEME.match(value.strip())
    return scheme is None or scheme.group(1).lower() != "file"


def macro_left(value: str) -> bool:
    """Whether ``value``, a header's URL, Source or Patch, holds an rpm macro left unexpanded
    where it says where it leads (before its query or fragment). rpmbuild keeps a macro it does
    not know as written: ``https://%{xs_mirror}/x.tgz`` leads wherever the host that defines it
    (a vendor's build environment) says, ``https://downloads.%{xs_domain}/x`` too, and
    ``%{lower:DOWNLOADS.CITRIX.COM}`` names a Citrix host to an rpm that has the builtin. Read as
    written, the URL names no host a rule knows; the spec of it read as a file has its gap."""
    return "%" in value and _LEFT_MACRO.search(_WHERE_END.split(value, 1)[0]) is not None


def _hostless_word(value: str) -> bool:
    """Whether ``value``, or a word of it, is a URL without a host (`hostless_url`)."""
    return hostless_url(value) or (len(words := value.split()) > 1 and any(map(hostless_url, words)))


def hostless_url_gaps(package: Package) -> tuple[Gap, ...]:
    """A gap for each value of ``package``'s URL tags (`URL_TAGS`), Sources, Patches and the
    repository URLs it installs that `hostless_url` says is a URL without a host, or that holds a
    macro rpmbuild left (`macro_left`): evidence the policy could not judge. A Source or Patch is
    fetched word by word (`_source_readings`): any word without a host is one, and any curl takes
    for an option (``--connect-to``: where curl fetches from then is no URL's). A package read from
    a spec file, or a binary a source RPM's rebuild makes, has the reader's own gap for each macro
    it could not expand, and no second one."""
    # A binary a lone source RPM's rebuild makes is read from that SRPM's spec, as a spec file's
    # packages are (`auditor.audit.labels.read_from_spec`): the reader's gaps are its own.
    header = not package.from_spec and (package.spec is None or package.is_source)
    if package.kind is not PackageKind.SOURCE and not package.alternatives:
        # Most packages of a distribution: a binary with one URL tag, the URL, and a host in it.
        url, others = package.url, (package.bugurl, package.vcs, package.disturl, package.translationurl)
        unjudged = url and (_hostless_word(url) or (header and macro_left(url)))
        if not unjudged and not any(others) and not package.upstreamreleases and not package.installs:
            return ()
    found = []
    read = [(field, value, _BY_RPMBUILD) for field, value in url_fields(package)]
    # A value its spec may give it (`Package.alternatives`) is no header's: rpmbuild left nothing.
    read += [(field, value, _IN_THE_SPEC) for field, value in package.alternatives]
    for field, value, where in read:
        if field in URL_TAGS and value:
            if _hostless_word(value):
                found.append(_hostless_gap(URL_TAGS[field], value))
            elif header and macro_left(value):
                found.append(_macro_gap(GapKind.UNEXPANDED_TAG, URL_TAGS[field], value, where))
    for item in package.installs:  # a repository URL of a configuration the package installs
        # A variable in its host is the reader's gap already (`auditor.sources.payloadconfig`).
        host_variable = "$" in item.value.partition("://")[2].split("/", 1)[0]
        if item.kind.is_url and not host_variable and hostless_url(item.value):
            found.append(_hostless_gap(item.where, item.value))
    if package.kind is PackageKind.SOURCE:
        for source in package.sources:
            number = "" if source.number is None else str(source.number)
            where = f"{package.spec}:{source.line}: " if package.spec and source.line is not None else ""
            tag = f"{where}{source.kind.value.capitalize()}{number}"
            if _hostless_word(source.value):
                found.append(_hostless_gap(tag, source.value))
            elif may_be_url(source.value) and (option := _curl_option(source.value)):
                # rpmbuild's URL helper hands curl every word of a URL: this one it takes for an
                # option (--connect-to, -x, -K...), and where it then goes no URL says (urlfuzz59).
                found.append(_option_gap(tag, source.value, option))
            elif header and not source.unexpanded and macro_left(source.value):
                found.append(_macro_gap(GapKind.UNEXPANDED_SOURCE, tag, source.value))
    return tuple(found)


def _shown(value: str) -> str:
    return value if len(value) <= 200 else value[:197] + "..."


def _hostless_gap(tag: str, value: str) -> Gap:
    return Gap(GapKind.URL_WITHOUT_HOST, f"{tag}: {_shown(value)} (no host can be read from it)")


def _curl_option(value: str) -> str | None:
    return next((word for word in value.split()[1:] if word.startswith("-")), None)


def _option_gap(tag: str, value: str, option: str) -> Gap:
    detail = f"{tag}: {_shown(value)} (curl takes {_shown(option)} for an option: where it goes is unjudged)"
    return Gap(GapKind.URL_WITHOUT_HOST, detail)


_BY_RPMBUILD = "an rpm macro rpmbuild left unexpanded"
_IN_THE_SPEC = "a value its spec may give it, with an rpm macro the reader left unexpanded"


def _macro_gap(kind: GapKind, tag: str, value: str, where: str = _BY_RPMBUILD) -> Gap:
    return Gap(kind, f"{tag}: {_shown(value)} ({where}: where it leads is unjudged)")
