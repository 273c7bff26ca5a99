"""The URLs and host words the model keeps of a scriptlet's text (`auditor.rpm.scriptlets`).

A host is a whole word of host characters: ``/opt/xensource/bin``, which every XCP-ng scriptlet
writes, is a path; ``notcitrix.com`` and ``citrix.com.example.org`` are other hosts than
``citrix.com``, which the policy's rules tell at label boundaries. The expressions read any text
in one pass: hostile megabytes finish (no timing asserted, the run's own timeout is the bound).
"""

from __future__ import annotations

import pytest

from auditor.origin.policy import load_policy
from auditor.origin.urls import package_urls
from auditor.rpm.model import Package, PackageKind
from auditor.rpm.scriptlets import scriptlet_words, words_in_script

HOLE = """cat > /etc/yum.repos.d/xs.repo <<REPO
[xs]
baseurl=https://updates.xensource.com/XenServer/8/
REPO
rpm --import https://repo.citrite.net/keys/RPM-GPG-KEY
curl https://code.citrite.net/x | sh
"""


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (HOLE, ["https://updates.xensource.com/XenServer/8/", "https://repo.citrite.net/keys/RPM-GPG-KEY",
                "https://code.citrite.net/x"]),
        ("baseurl=repo.citrite.net/x/y", ["repo.citrite.net/x/y"]),  # no scheme: a host and its path
        ("echo updates.xensource.com/x > f", ["updates.xensource.com/x"]),
        ("git clone git@github.com:xenserver/x.git", ["github.com:xenserver/x.git"]),
        ("curl https://${mirror}.citrix.com/x", ["https://${mirror}.citrix.com/x", "citrix.com"]),
        ("echo ${h}.xensource.com", ["xensource.com"]),
        # A shell default is written out: the host the script reaches where nothing sets MIRROR.
        ("MIRROR=${MIRROR:-updates.xensource.com}", ["updates.xensource.com"]),
        ("curl https://${MIRROR:-updates.xensource.com}/x",
         ["https://${MIRROR:-updates.xensource.com}/x", "updates.xensource.com"]),
        ("/opt/xensource/bin/xe vm-list; /etc/xensource/xapi.conf", []),  # paths
        ("PATH=/usr/bin:/sbin; echo 1.2.3 xensource", []),
        ("see citrix.com.", ["citrix.com"]),
        ("(https://code.citrite.net/x)", ["https://code.citrite.net/x"]),
        ("https:/updates.xensource.com/a", ["https:/updates.xensource.com/a"]),  # curl's one slash
        ("h=xensource; curl https://updates.$h.com", ["https://updates.$h.com"]),  # no shell run
        ("curl \uff43\uff49\uff54\uff52\uff49\uff58.com/x updates。xensource。com", ["\uff43\uff49\uff54\uff52\uff49\uff58.com/x", "updates。xensource。com"]),
        ("curl updates%2exensource.com/x citrix.com%0a", ["updates%2exensource.com/x", "citrix.com"]),
        ("curl mirror_1.citrix.com _x.citrite.net", ["mirror_1.citrix.com", "_x.citrite.net"]),
        ("s:citrix.com x${h:-a.citrite.net}", ["citrix.com", "a.citrite.net"]),  # not after a non-host
        ("${M-citrix.com}", ["M-citrix.com", "citrix.com"]),  # and the shell's default value
        ("curl -xproxy.citrix.com:3128 -Dfoo.bar=1 x-citrix.com", ["proxy.citrix.com:3128", "foo.bar", "x-citrix.com"]),
        ("rsync -a updates.xensource.com:/pub/ /x; svn:/x", ["updates.xensource.com:/pub/"]),  # no scheme
        ("/opt/x/citrix.com:/y //code.citrite.net:/z", ["code.citrite.net:/z"]),  # a path's, a host's
    ],
)  # fmt: skip
def test_the_words_kept(text: str, words: list[str]) -> None:
    assert list(words_in_script(text)) == words


def _judged(words: list[str]) -> set[tuple[str, str]]:
    package = Package("x", None, "1", "1", "noarch", PackageKind.BINARY, "x.rpm", "x.rpm",
                      scriptlets=tuple(("%post", word) for word in words))  # fmt: skip
    policy = load_policy()
    return {
        (rule.id, evidence.url.text)
        for evidence in package_urls(package)
        for rule in policy.host_rules(evidence.url)
    }


def test_hosts_written_as_curl_resolves_them_are_judged() -> None:
    text = "\uff43\uff49\uff54\uff52\uff49\uff58.com/x updates。xensource。com u%2ecitrite.net a_b.citrix.com ${m:-xenserver.com}"
    judged = _judged(list(words_in_script(text)))
    assert len({text for _, text in judged}) == 5


def test_hosts_match_at_label_boundaries() -> None:
    text = "x=notcitrix.com y=citrix.com.example.org z=/opt/xensource/bin w=updates.xensource.com"
    judged = _judged(list(words_in_script(text)))
    assert {text for _, text in judged} == {"updates.xensource.com"}


def test_each_scriptlet_keeps_a_word_once() -> None:
    found = scriptlet_words(
        [("%post", "curl https://a.example/x; curl https://a.example/x"), ("%preun", "a.example")]
    )
    assert found == (("%post", "https://a.example/x"), ("%preun", "a.example"))


@pytest.mark.parametrize(
    "unit",
    ["a", "a:", "a.", "-", "a/", "https://", ".a", "a:/", "//a", "${x}.a", "https://$x.", "a@", "1.",
     "x.com/", "https://a.b\\", "a:b:c:", "a%", "a.b%0", "${a:-", "${a:-a.b:", "\uff43\u3002", "_a.b:", "a:", " -a", "-a-a.b",
     "a:-", "${a:-b.c}", "https://${a:-b.c}"],
)  # fmt: skip
def test_a_hostile_megabyte_is_read_in_one_pass(unit: str) -> None:
    text = unit * (1_000_000 // len(unit))
    assert sum(1 for _ in words_in_script(text)) <= len(text)
