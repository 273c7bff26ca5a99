"""An input's error raised in a forked child crosses back pickled (`auditor.runtime.forked`), and
must cross whole: a `ServedElsewhere` carries the host dnf fetches the file from, which
`metadata_elsewhere` makes a config finding of (review 58).

`RedirectedToPolicyHost` (and so `MetadataRedirected`) pickled as a plain `InputError`: its
class and ``target`` were dropped, and the finding with them, leaving only an exit 3.
"""

from __future__ import annotations

import pickle

import pytest

from auditor.core.errors import InputError, MetadataElsewhere, ServedElsewhere
from auditor.net.failures import MetadataRedirected, RedirectedToPolicyHost
from auditor.runtime.parallel import Background, can_fork
from auditor.sources.interface import ConfigUrl, metadata_elsewhere

TARGET = "https://downloads.citrix.com/repo/repodata/primary.xml.gz"
ELSEWHERE: list[ServedElsewhere] = [
    MetadataRedirected("https://mirror.example/repodata/primary.xml.gz", "redirected there", TARGET),
    RedirectedToPolicyHost("https://mirror.example/x.rpm", "redirected there", TARGET),
    MetadataElsewhere("https://mirror.example/", "under an xml:base", TARGET),
]


@pytest.mark.parametrize("error", ELSEWHERE, ids=[type(error).__name__ for error in ELSEWHERE])
def test_an_error_served_elsewhere_pickles_whole(error: ServedElsewhere) -> None:
    again = pickle.loads(pickle.dumps(error, pickle.HIGHEST_PROTOCOL))
    assert type(again) is type(error)
    assert vars(again) == vars(error) and str(again) == str(error)
    assert (again.key, again.metadata) == (error.key, error.metadata)


@pytest.mark.skipif(not can_fork(), reason="this platform cannot fork")
def test_a_metadata_redirect_raised_in_a_child_is_still_a_config_finding() -> None:
    def fail() -> None:
        raise MetadataRedirected("https://mirror.example/repodata/primary.xml.gz", "redirected there", TARGET)

    with pytest.raises(InputError) as raised:
        Background(fail).result()
    assert metadata_elsewhere([raised.value]) == [
        ConfigUrl("https://mirror.example/repodata/primary.xml.gz", "", "redirect", TARGET)
    ]
