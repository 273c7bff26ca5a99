"""URLs are read as the programs that fetch them read them: a URL that curl or a browser
takes to a Citrix location is on a Citrix host, however it is spelt."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from auditor.origin import urls
from auditor.origin.classify import _naming, classify
from auditor.origin.policy import Policy, load_policy
from auditor.origin.rules import HostRule
from auditor.origin.urls import ParsedUrl, host_matches, parse_url
from auditor.rpm.model import Package, SourceFile, SourceKind
from tests.universe import package


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


INTERNAL = "citrix-internal-host"
CORPORATE = "citrix-corporate-host"
PUBLIC_ORG = "citrix-public-organisation"

FETCHED_FROM_CITRIX: list[tuple[str, str, str | None, str]] = [
    # (Source0, the domain a fetcher reaches, the path prefix it reaches, the policy rule)
    ("https://%63itrix.com/foo.tar.gz", "citrix.com", None, CORPORATE),
    ("https://%43ITRIX.COM/foo.tar.gz", "citrix.com", None, CORPORATE),
    ("https://\uff23\uff29\uff34\uff32\uff29\uff38.com/foo.tar.gz", "citrix.com", None, CORPORATE),
    ("https://%EF%BC%A3itrix.com/foo.tar.gz", "citrix.com", None, CORPORATE),  # a fullwidth C, encoded
    ("https://cit\u00adrix.com/foo.tar.gz", "citrix.com", None, CORPORATE),  # soft hyphen: IDNA drops it
    ("https://repo\u3002citrite.net/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https://repo\uff0ecitrite.net/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https://repo\uff61citrite.net/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https://code.citrite\u3002net./foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https://github.com/foo/../xenserver/x/archive/v1.tar.gz", "github.com", "xenserver", PUBLIC_ORG),
    ("https://github.com/./xenserver/x/archive/v1.tar.gz", "github.com", "xenserver", PUBLIC_ORG),
    ("https://github.com/foo/%2e%2e/xenserver/x/archive/v1.tar.gz", "github.com", "xenserver", PUBLIC_ORG),
    ("https://github.com/foo/.%2E/xenserver/x/archive/v1.tar.gz", "github.com", "xenserver", PUBLIC_ORG),
    ("https://github.com\\xenserver\\x\\archive\\v1.tar.gz", "github.com", "xenserver", PUBLIC_ORG),
    ("https:/repo.citrite.net/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https:///repo.citrite.net/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https:\\\\repo.citrite.net/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https:repo.citrite.net/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("ftp:/ftp.citrix.com/pub/foo.tar.gz", "citrix.com", None, CORPORATE),
    ("https://repo.citrite.net:99999/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https://repo.citrite.net:65536/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https://repo.citrite.net:abc/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https://repo.citrite.net:-1/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https://repo.citrite.net:" + "9" * 5000 + "/foo.tar.gz", "citrite.net", None, INTERNAL),
    ("https://[repo.citrite.net/foo.tar.gz", "citrite.net", None, INTERNAL),  # bracket left open
    ("https://repo.citr\tite.net/foo.tar.gz", "citrite.net", None, INTERNAL),  # WHATWG drops tabs
]
"""Each URL is clean to the auditor before URLs were read as fetchers read them."""


@pytest.mark.parametrize(("url", "domain", "prefix", "rule"), FETCHED_FROM_CITRIX)
def test_the_parsed_url_is_where_a_fetcher_goes(url: str, domain: str, prefix: str | None, rule: str) -> None:
    parsed = parse_url(url)
    assert parsed is not None
    assert parsed.text == url  # reports show the text as written
    assert host_matches(parsed.host, domain)
    if prefix is not None:
        assert parsed.path_under(prefix)


@pytest.mark.parametrize(("url", "domain", "prefix", "rule"), FETCHED_FROM_CITRIX)
def test_a_source_fetched_from_citrix_is_a_finding(
    policy: Policy, url: str, domain: str, prefix: str | None, rule: str
) -> None:
    """End to end, through the shipped policy and the host-name prefilter of both callers
    (`classify`'s pattern, a rule's own tuple of names)."""
    source = _source_package(url)
    found = classify([source], policy).get(0, [])
    assert [(f.rule, f.field, f.value) for f in found] == [(rule, "source0", url)]
    by_rule = [f.rule for r in policy.rules if isinstance(r, HostRule) for f in r.match(source)]
    assert by_rule == [rule]


@pytest.mark.parametrize(
    "provides",
    [
        "gitsha(https://code.%63itrite.net/x.git) = 1",
        "gitsha(https:/code.citrite.net/x.git) = 1",
        "gitsha(https://code\u3002citrite.net/x.git) = 1",
    ],
)
def test_urls_in_capabilities_are_read_the_same_way(policy: Policy, provides: str) -> None:
    found = classify([package({"name": "x", "provides": [provides]})], policy).get(0, [])
    assert [(f.rule, f.field) for f in found] == [(INTERNAL, "provides")]


@pytest.mark.parametrize(
    "url",
    [
        "https:@code.citrite.net/x.git",  # curl: http://https:@code.citrite.net/x.git (urlfuzz59)
        "HTTP:example.org\\@code.citrite.net/x.git",
        "https:code.citrite.net/x.git",  # a browser's reading
    ],
)
def test_a_capability_url_without_a_slash_is_read_as_the_same_source(policy: Policy, url: str) -> None:
    """``gitsha(URL)`` names where the source came from as ``Source0: URL`` does: a special
    scheme with no slash after it was read as a Source, not as a capability (urlfuzz59)."""
    assert [f.rule for f in classify([_source_package(url)], policy).get(0, [])] == [INTERNAL]
    found = classify([package({"name": "x", "provides": [f"gitsha({url}) = 1"]})], policy).get(0, [])
    assert [(f.rule, f.field) for f in found] == [(INTERNAL, "provides")]


@pytest.mark.parametrize(
    ("url", "port"),
    [
        ("https://repo.citrite.net:99999/x", None),
        ("https://repo.citrite.net:abc/x", None),
        ("https://repo.citrite.net:-1/x", None),
        ("https://repo.citrite.net:65536/x", None),
        ("https://repo.citrite.net:/x", None),
        ("https://repo.citrite.net:65535/x", 65535),
        ("https://repo.citrite.net:0443/x", 443),
    ],
)
def test_a_port_no_fetcher_accepts_still_leaves_the_host_read(url: str, port: int | None) -> None:
    parsed = parse_url(url)
    assert parsed is not None and (parsed.host, parsed.port) == ("repo.citrite.net", port)


def test_a_broken_ip_literal_is_read_not_dropped() -> None:
    parsed = parse_url("https://[::1/x")
    assert parsed is not None and parsed.host == "::1"


@pytest.mark.parametrize(
    ("url", "path", "readings"),
    [
        ("https://github.com/a/b/../c/./d", "/a/c/d", ["/a/c/d"]),
        ("https://github.com/a/b/..", "/a/", ["/a/"]),
        ("https://github.com/..", "/", ["/"]),
        ("https://github.com/a//b", "/a//b", ["/a//b"]),
        # A browser removes %2e%2e as a dot segment, curl sends it to the server as written:
        # both readings are matched.
        ("https://github.com/xenserver/%2e%2e/foo", "/foo", ["/foo", "/xenserver/../foo"]),
        ("https://github.com/a%2F..%2Fxenserver/x", "/xenserver/x", ["/xenserver/x", "/a/../xenserver/x"]),
        # Tomcat, Jetty and Spring cut a segment's ";" parameters: "..;" is ".." there (redteam58).
        (
            "https://github.com/foo/..;/xenserver/x",
            "/foo/..;/xenserver/x",
            ["/foo/..;/xenserver/x", "/xenserver/x"],
        ),
        ("https://github.com/a;v=1/b", "/a;v=1/b", ["/a;v=1/b"]),
    ],
)
def test_dot_segments_are_removed_from_the_path(url: str, path: str, readings: list[str]) -> None:
    parsed = parse_url(url)
    assert parsed is not None and parsed.path == path and list(parsed.paths) == readings


def test_every_reading_of_an_encoded_dot_segment_counts(policy: Policy) -> None:
    """``/xenserver/%2e%2e/foo`` reaches ``/xenserver/%2e%2e/foo`` from curl: a server that
    does not decode it serves it from the xenserver organisation."""
    url = "https://github.com/xenserver/%2e%2e/foo/archive/v1.tar.gz"
    parsed = parse_url(url)
    assert parsed is not None and parsed.path_under("xenserver") and parsed.path_under("foo")
    found = classify([_source_package(url)], policy).get(0, [])
    assert [f.rule for f in found] == [PUBLIC_ORG]


CLEAN: list[str] = [
    "https://github.com/xenserver-next/x/archive/v1.tar.gz",
    "https://citrix.com%2f@example.org/foo.tar.gz",  # the encoded slash is in the user name
    "https://citrix.com\uff0f@example.org/foo.tar.gz",
    "https://example.org/?from=citrix.com",
    "https://example.org/mirror#citrix.com",
    "https://192.0.2.7/citrix.com/foo.tar.gz",
    "https://[2001:db8::1]/citrite.net/foo.tar.gz",
    "https://[::1/x",
    "https://notcitrix.com/foo.tar.gz",
    "https://citrix.com.example.org/foo.tar.gz",
    "https://example.org/%63itrix.com/foo.tar.gz",
    # Dot segments leave the organisation: curl and browsers fetch github.com/foo/x.
    "https://github.com/xenserver/../foo/x/archive/v1.tar.gz",
    "https://github.com/xenserver/./../foo/x/archive/v1.tar.gz",
]


@pytest.mark.parametrize("url", CLEAN)
def test_urls_no_fetcher_takes_to_citrix_stay_clean(policy: Policy, url: str) -> None:
    assert classify([_source_package(url)], policy).get(0, []) == []


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("https://example.org/foo.tar.gz", False),
        ("https://%65xample.org/foo.tar.gz", False),  # decoded, it still names no policy host
        ("https://%63itrix.com/foo.tar.gz", True),
        ("https://\uff23\uff29\uff34\uff32\uff29\uff38.com/foo.tar.gz", True),
        ("https://repo.citrite\u3002net/foo.tar.gz", True),
    ],
)
def test_the_prefilter_skips_texts_naming_no_policy_host_once_decoded(
    policy: Policy, monkeypatch: pytest.MonkeyPatch, url: str, parsed: bool
) -> None:
    """Most texts of a distribution are never parsed; an encoded host name is not skipped."""
    calls: list[str] = []

    def counting(text: str) -> ParsedUrl | None:
        calls.append(text)
        return parse_url(text)

    monkeypatch.setattr(urls, "parse_url", counting)
    needles = tuple(name for rule in policy.rules if isinstance(rule, HostRule) for name in rule.needles)
    list(urls.package_urls(_source_package(url), needles))
    assert calls == ([url] if parsed else [])


def _source_package(url: str) -> Package:
    return replace(
        package({"name": "x", "arch": "src"}),
        sources=(SourceFile(SourceKind.SOURCE, 0, url, url, 1),),
    )


def test_a_host_rule_answers_alike_with_its_hosts_remembered_and_past_their_bound(policy: Policy) -> None:
    """A host rule remembers whether a host is one of its hosts (a run checks every URL it fetches
    against every host rule), up to `HostRule.HOSTS_REMEMBERED` hosts: remembered, forgotten or
    past the bound, its answer is the one its domains, URL prefixes and ports give."""
    rules = [replace(rule) for rule in policy.rules if isinstance(rule, HostRule)]  # memories empty
    assert any(rule.urls for rule in rules) and any(rule.domains for rule in rules)
    # Hosts of the rules first (remembered), then enough others to pass the bound, then more
    # of the rules' hosts (past it, never remembered).
    hosts = ["github.com", "www.citrix.com", "code.citrite.net", "citrite.net.evil.example"]
    hosts += [f"h{i}.example.org" for i in range(HostRule.HOSTS_REMEMBERED + 40)]
    hosts += ["gitlab.com", "repo.citrite.net", "citrix.com"]
    urls = [
        parse_url(f"https://{host}{path}") for host in hosts for path in ("/xenserver/x", "/xapi-project/x")
    ]
    parsed = [url for url in urls if url is not None]

    def expected(rule: HostRule, url: ParsedUrl) -> bool:
        if rule.ports and url.port not in rule.ports:
            return False
        return any(host_matches(url.host, domain) for domain in rule.domains) or any(
            host_matches(url.host, host) and url.path_under(path) for host, path in rule.urls
        )

    for _ in range(2):  # the second time, from what the first remembered (and past the bound)
        for rule in rules:
            assert [rule.matches_url(url) for url in parsed] == [expected(rule, url) for url in parsed]
            assert len(rule._hosts) <= HostRule.HOSTS_REMEMBERED
    assert any(rule.matches_url(url) for rule in rules for url in parsed)


@pytest.mark.parametrize(
    "text",
    [
        "https://GitHub.COM/xenserver/x",
        "https://example.org/x",
        "https://githubu\u017fercontent.com/x",  # a long s: re's case-insensitive search takes it for s
        "https://\u212aitrix.com/x",  # a Kelvin sign
        "github.com",
        "",
    ],
)
@pytest.mark.parametrize(
    "names",
    [["citrix.com", "githubusercontent.com", "github.com"], ["k\u00f6ln.example", "citrix.com"]],
)
def test_the_prefilter_answers_as_a_case_insensitive_search_of_the_host_names(
    names: list[str], text: str
) -> None:
    """The classifier's prefilter lowers an ASCII text rather than searching it in any case."""
    any_case = re.compile("|".join(re.escape(name) for name in names), re.IGNORECASE)
    assert _naming(names)(text) is (any_case.search(text) is not None)


def test_a_parameter_hiding_a_dot_segment_is_read_as_tomcat_reads_it(policy: Policy) -> None:
    """``/foo/..;/xenserver/x`` is ``/xenserver/x`` for a server that cuts a segment's ``;``
    parameters (Tomcat, Jetty, Spring): the organisation is named (redteam58)."""
    url = "https://github.com/foo/..;/xenserver/x/archive/v1.tar.gz"
    found = classify([_source_package(url)], policy).get(0, [])
    assert [f.rule for f in found] == [PUBLIC_ORG]
