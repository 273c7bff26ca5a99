"""A variable of unknown value where the policy's host rules match a repository URL.

``$releasever``, ``$basearch`` and ``$arch`` after the host were no gap in a ``.repo`` file a
package installs: the host gives them. A host rule with a path prefix (``github.com/xenserver``)
matches the path too, so ``https://github.com/$releasever/repo/`` read clean, with no gap, while
a host whose release a variables file sets to ``xenserver`` fetches from Citrix's organisation.
Where the variable stands before the end of such a prefix it is now a gap (a value the package's
own variables file gives is substituted and judged); ``${basearch:+xenserver}``, which dnf 4.14
leaves as written and later versions make ``xenserver``, is one wherever it stands. A
configuration's ``gpgkey`` (no input error when a variable is left in it, as in a ``baseurl``) is
held to the same. Packages by rpmbuild, a repository by createrepo_c.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from auditor.audit.urlvariables import unjudged
from auditor.cli.main import main
from auditor.rpm.gaps import Gap
from auditor.rpm.installed import Installed, InstalledKind
from auditor.sources.installedurl import record_url
from tests.sources.test_payload_config import build, findings, payload_gaps, scan

GAPPED = {
    "first-segment": "https://github.com/$releasever/repo/",
    "braced": "https://github.com/${releasever}/repo/",
    "deeper-prefix": "https://api.github.com/repos/$basearch/x/",
    "inside-a-segment": "https://github.com/xen$arch/repo/",
    "a-modifier": "https://github.com/${basearch:+xenserver}/repo/",
    # The rule matches github.com//xenserver and github.com/a/../xenserver as it matches
    # github.com/xenserver: the variable stands at the organisation's place there too.
    "a-doubled-slash": "https://github.com//$releasever/repo/",
    "after-a-dot-segment": "https://github.com/a/../$releasever/repo/",
    "after-an-encoded-dot": "https://github.com/%2e/$releasever/repo/",
    # curl reads three slashes as two (`as_curl_reads`): the variable is the host dnf asks.
    "three-slashes-before-the-host": "https:///$releasever/repo/",
    "one-slash-before-the-host": "https:/$releasever/repo/",
}
CLEAN = {
    "a-distribution-mirror": "https://mirror.example.org/centos/$releasever/os/$basearch/",
    "after-another-organisation": "https://github.com/xcp-ng/$releasever/repo/",
    # The host ends at "?" or "#" too: the variable is in the query or fragment, no rule's part.
    "in-the-query": "https://github.com?x/$releasever/repo/",
    "in-the-fragment": "https://github.com#/$releasever/repo/",
}


def repo_file(url: str) -> str:
    return f"[v]\nbaseurl={url}\n"


@pytest.mark.parametrize("case", sorted(GAPPED))
def test_a_host_variable_where_a_path_prefix_rule_matches_is_a_gap(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = build(tmp_path, "vars", {"/etc/yum.repos.d/v.repo": repo_file(GAPPED[case])})
    code, document = scan([*map(str, made), "--strict"], capsys)
    said = payload_gaps(document, "vars")
    assert len(said) == 1 and "/etc/yum.repos.d/v.repo [v] baseurl" in said[0], said
    assert code == 3


@pytest.mark.parametrize("case", sorted(CLEAN))
def test_a_host_variable_no_rule_s_match_depends_on_is_no_gap(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = build(tmp_path, "vars", {"/etc/yum.repos.d/v.repo": repo_file(CLEAN[case])})
    code, document = scan([*map(str, made), "--strict"], capsys)
    assert payload_gaps(document, "vars") == []
    assert code == 0


def test_the_value_the_package_s_own_variables_give_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "/etc/yum.repos.d/v.repo": repo_file(GAPPED["first-segment"]),
        "/etc/dnf/vars/releasever": "xenserver\n",
    }
    made = build(tmp_path, "vars", files)
    code, document = scan(list(map(str, made)), capsys)
    assert findings(document, "vars") == {
        "/etc/yum.repos.d/v.repo [v] baseurl": ("https://github.com/xenserver/repo/", "medium", "blocks")
    }
    assert payload_gaps(document, "vars") == []
    assert code == 1


@pytest.mark.parametrize(
    ("gpgkey", "gapped"),
    [
        ("https://github.com/$owner/keys/RPM-GPG-KEY", True),
        ("https://github.com/xcp-ng/$owner/key", False),
        ("https://github.com?x/$owner/key", False),
    ],
)
def test_a_configuration_s_gpgkey_with_a_variable_where_a_rule_matches_is_a_gap(
    gpgkey: str, gapped: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = build(tmp_path, "clean", {"/usr/share/clean/README": "clean\n"})
    repository = tmp_path / "repo"
    repository.mkdir()
    for path in made:
        (repository / path.name).write_bytes(path.read_bytes())
    subprocess.run(["createrepo_c", "-q", str(repository)], check=True)
    config = tmp_path / "keyed.repo"
    config.write_text(f"[keyed]\nbaseurl=file://{repository}/\ngpgcheck=1\ngpgkey={gpgkey}\n")
    code = main(["scan", str(config), "--strict", "--format", "json", "-q", "--no-cache"])
    out = capsys.readouterr().out
    assert (f"[keyed] gpgkey: {gpgkey}" in out) is gapped
    assert code == (3 if gapped else 0)


SPELLINGS = [
    *(url for url in GAPPED.values() if ":+" not in url),  # a modifier is the reader's gap anywhere
    *CLEAN.values(),
    "https://github.com?$releasever/x",
    "https://github.com#$releasever",
    "https://github.com\\$releasever/x",
    "https://$releasever@github.com/x",
    "$releasever/x",
]


@pytest.mark.parametrize("url", SPELLINGS)
def test_the_reader_and_the_policy_see_the_same_host(url: str) -> None:
    """The reader's gap for a host variable in the host (`record_url`) and the policy's check
    (`unjudged`) read "in the host" alike (`url_part`): the host ends at "/", "?" or "#" as
    curl reads the URL. They did not: one ended it at "/" alone and read the URL as written,
    the other ended it at "/?#" and read it as written too, so ``https:///$releasever/`` (whose
    host curl takes the variable for) was a gap of neither, and a variable in a query was one."""
    installs: list[Installed] = []
    gaps: list[Gap] = []
    record_url(InstalledKind.REPOSITORY_URL, "w", url, {}, installs, gaps)
    in_host = "stands in its host" in (unjudged(url, [("github.com", "xenserver")]) or "")
    assert bool(gaps) == in_host, (gaps, in_host)
