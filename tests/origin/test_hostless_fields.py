"""`hostless_url_gaps` on binaries: the shortcut for a package whose URL tags hold nothing to
judge must not skip a tag."""

from __future__ import annotations

import pytest

from auditor.origin.urlgaps import hostless_url_gaps
from auditor.rpm.gaps import GapKind
from auditor.rpm.model import with_fields
from auditor.rpm.package_fields import URL_TAGS
from tests.universe import package


@pytest.mark.parametrize("field", sorted(URL_TAGS))
def test_each_url_tag_of_a_plain_binary_without_a_host_is_a_gap(field: str) -> None:
    """A binary with no alternatives takes a shortcut when its URL tags hold nothing to judge:
    a value without a host in any tag must still reach the gap."""
    plain = with_fields(package({"name": "app"}), url="https://example.org/app")
    assert hostless_url_gaps(plain) == ()
    gaps = hostless_url_gaps(with_fields(plain, **{field: "https://:443/x"}))
    assert [gap.kind for gap in gaps] == [GapKind.URL_WITHOUT_HOST]
    assert gaps[0].detail.startswith(f"{URL_TAGS[field]}: ")


@pytest.mark.parametrize("field", sorted(URL_TAGS))
def test_a_word_without_a_host_in_a_url_tag_is_a_gap(field: str) -> None:
    """A tag may hold several URLs (TranslationURL as written, BugURL from its macro), each
    read apart: one of them without a host is as unjudged as a whole value without one."""
    plain = with_fields(package({"name": "app"}), url="https://example.org/app")
    gaps = hostless_url_gaps(with_fields(plain, **{field: "https://example.org/ https://:443/x"}))
    assert [gap.kind for gap in gaps] == [GapKind.URL_WITHOUT_HOST]
