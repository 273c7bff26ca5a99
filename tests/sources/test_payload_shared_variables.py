"""The variables dnf substitutes in a ``.repo`` file a package installs come from every file of
its varsdir on the host, not only the package's own (review 58).

dnf reads ``/etc/yum/vars`` then ``/etc/dnf/vars`` (libdnf's ``VARS_DIRS``, the later one's value
winning; checked with dnf 4.14 in an installroot); yum 3 reads ``/etc/yum/vars`` alone, and a file
there overrides even ``$releasever``. The reader took ``/etc/yum/vars`` for the winner, and
expanded a package's URLs with its own variables alone: a package whose ``/etc/dnf/vars/org``
says ``xenserver`` read clean where dnf fetches from ``github.com/xenserver``, and so did one
whose URL another package's ``/etc/yum/vars/releasever`` (``../xenserver``) leads there. Each
value some package of the run gives is now judged, the finding naming whose file gives it.
Packages by rpmbuild, a repository by createrepo_c.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.audit.sharedvars import MAX_READINGS, through_shared_variables
from auditor.origin.policy import load_policy
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.installed import Installed, InstalledKind
from auditor.rpm.model import with_fields
from tests.sources.test_payload_config import build, findings, payload_gaps, scan
from tests.universe import package

ORG = "[v]\nbaseurl=https://github.com/$org/repo/\n"
RELEASE = "[v]\nbaseurl=https://github.com/xcp-ng/$releasever/repo/\n"
XS = "https://github.com/xenserver/repo/"
WHERE = "/etc/yum.repos.d/v.repo [v] baseurl"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    directory = tmp_path_factory.mktemp("shared-variables")
    specs: dict[str, dict[str, str]] = {
        # dnf's value is /etc/dnf/vars's, yum 3's /etc/yum/vars's
        "dnfwins": {"/etc/yum.repos.d/v.repo": ORG, "/etc/dnf/vars/org": "xenserver\n", "/etc/yum/vars/org": "xcp-ng\n"},
        "yumreads": {"/etc/yum.repos.d/v.repo": ORG, "/etc/dnf/vars/org": "xcp-ng\n", "/etc/yum/vars/org": "xenserver\n"},
        "relrepo": {"/etc/yum.repos.d/v.repo": RELEASE},
        "relvar": {"/etc/yum/vars/releasever": "../xenserver\n"},
        "orgrepo": {"/etc/yum.repos.d/v.repo": ORG, "/etc/yum/vars/org": "xcp-ng\n"},
        "orgvar": {"/etc/dnf/vars/org": "xenserver\n"},
        "cleanvar": {"/etc/dnf/vars/org": "xcp-ng\n"},
        "aside": {"/opt/r/v.repo": RELEASE},  # read where another package's reposdir names /opt/r
        "namer": {"/etc/dnf/dnf.conf": "[main]\nreposdir=/opt/r\n"},
    }  # fmt: skip
    return {name: build(directory, name, files) for name, files in specs.items()}


def binaries(built: dict[str, tuple[Path, Path]], *names: str) -> list[str]:
    return [str(built[name][1]) for name in names]


def test_dnf_s_varsdir_wins_over_yum_s(
    built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = scan(binaries(built, "dnfwins"), capsys)
    assert findings(document, "dnfwins") == {WHERE: (XS, "medium", "blocks")}
    assert code == 1


def test_yum_s_value_is_judged_too(
    built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = scan(binaries(built, "yumreads"), capsys)
    field = f"{WHERE} ($org as yumreads's /etc/yum/vars/org gives it)"
    assert findings(document, "yumreads") == {field: (XS, "medium", "blocks")}
    assert code == 1


@pytest.mark.parametrize(
    ("repo", "variable", "field", "url"),
    [
        ("relrepo", "relvar", "$releasever as relvar's /etc/yum/vars/releasever", "https://github.com/xcp-ng/../xenserver/repo/"),
        ("orgrepo", "orgvar", "$org as orgvar's /etc/dnf/vars/org", XS),
    ],
)  # fmt: skip
def test_another_package_s_variable_is_judged_on_the_url(
    repo: str,
    variable: str,
    field: str,
    url: str,
    built: dict[str, tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, document = scan(binaries(built, repo, variable), capsys)
    assert findings(document, repo) == {f"{WHERE} ({field} gives it)": (url, "medium", "blocks")}
    assert findings(document, variable) == {}
    assert code == 1
    code, document = scan(binaries(built, repo), capsys)  # the control: alone, it is clean
    assert findings(document, repo) == {}
    assert code == 0


def test_another_package_s_clean_value_is_clean(
    built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = scan(binaries(built, "orgrepo", "cleanvar"), capsys)
    assert findings(document, "orgrepo") == {} and payload_gaps(document, "orgrepo") == []
    assert code == 0


def test_a_repository_of_them(
    built: dict[str, tuple[Path, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("relrepo", "relvar"):
        for path in built[name]:
            shutil.copy(path, root)
    subprocess.run(["createrepo_c", "-q", str(root)], check=True)
    code, document = scan([str(root)], capsys)
    field = f"{WHERE} ($releasever as relvar's /etc/yum/vars/releasever gives it)"
    assert findings(document, "relrepo") == {
        field: ("https://github.com/xcp-ng/../xenserver/repo/", "medium", "blocks")
    }
    assert code == 1


def test_a_repo_file_read_through_another_package_s_reposdir(
    built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``.repo`` file set aside in ``/opt/r`` (`auditor.audit.reposdirs`) is read by dnf once a
    package's reposdir names it, with every package's variables: it lost its URL as written when
    set aside, and passed (exit 0) with another package's ``$releasever`` (redteam58)."""
    code, document = scan(binaries(built, "aside", "namer", "relvar"), capsys)
    field = (
        "/opt/r/v.repo [v] baseurl (dnf reads it through namer's /etc/dnf/dnf.conf reposdir=/opt/r) "
        "($releasever as relvar's /etc/yum/vars/releasever gives it)"
    )
    assert findings(document, "aside") == {
        field: ("https://github.com/xcp-ng/../xenserver/repo/", "medium", "blocks")
    }
    assert code == 1
    code, document = scan(binaries(built, "aside", "relvar"), capsys)  # the control: no host reads it
    assert findings(document, "aside") == {} and payload_gaps(document, "aside") == []
    assert code == 0


def test_too_many_readings_are_a_gap() -> None:
    raw = "https://github.com/$a$b/repo/"
    url, template = (
        Installed(InstalledKind.REPOSITORY_URL, WHERE, raw),
        Installed(InstalledKind.URL_TEMPLATE, WHERE, raw),
    )
    packages = [with_fields(package({"name": "repo"}), installs=(url, template))]
    for number in range(9):  # 9 values of $a, 9 of $b: 81 readings
        given = (Installed(InstalledKind.VARIABLE, "/etc/dnf/vars/a", f"a{number}"),
                 Installed(InstalledKind.VARIABLE, "/etc/yum/vars/b", f"b{number}"))  # fmt: skip
        packages.append(with_fields(package({"name": f"v{number}"}), installs=given))
    gaps: dict[int, list[Gap]] = {}
    assert through_shared_variables(packages, load_policy(), None, gaps) == {}
    [gap] = gaps[0]
    assert gap.kind is GapKind.PAYLOAD_UNREAD and f"more than {MAX_READINGS} readings" in gap.detail
