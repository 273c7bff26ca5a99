"""repomd.xml is read as librepo reads it for dnf: an element counts only where librepo's state
table expects it (``<data>`` in ``<repomd>``, ``<location>``, ``<checksum>``, ``<size>``,
``<open-size>`` in a ``<data>``); any other element is skipped with all it holds.

The repository's repomd.xml names, in its ``primary`` entry, the primary.xml of a clean
``base`` and a Citrix ``agent`` (the one dnf reads), and inside an element librepo skips (an
unknown ``<mirror>``, a ``<data>`` within the ``<data>``) the location, checksum and sizes of a
primary.xml listing ``base`` alone. The reader took the last ``<location>`` and ``<checksum>``
it met wherever they lay: it audited the clean primary.xml, and ``scan --strict`` passed, exit 0,
while ``dnf repoquery`` listed the Citrix package (the agent's file is not in the directory: a
publisher can give it an ``xml:base`` elsewhere, so no file outside the metadata said anything).
dnf is the authority; the packages are built by rpmbuild, the repositories by createrepo_c.

yum 3 (XCP-ng 8.x) reads repomd.xml otherwise (``repoMDObject.py``: a ``<data>`` at any depth,
the last of a type winning, and a ``<data>``'s children whatever their namespace prefix): an entry
it reads and librepo skips names for yum 3 hosts another primary.xml than dnf's, and is refused.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.sources.test_mirror_urls_as_librepo_reads import clean_and_vendor
from tests.sources.test_mirror_urls_as_librepo_reads import dnf_names as dnf_names_of

SKIPPED_WRAPPERS = {
    "an unknown element": ("<mirror>", "</mirror>"),
    "a data element inside the data element": ('<data type="other">', "</data>"),
}


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.S)
    assert match, pattern
    return match[0]


def primary_entry(repository: Path) -> str:
    return found(r'<data type="primary">.*?</data>', (repository / "repodata" / "repomd.xml").read_text())


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The directory as published (``base``'s file and repodata/) and the vendor's repository
    (``base`` and ``agent``), whose primary.xml the published repomd.xml names for dnf."""
    return clean_and_vendor(tmp_path_factory.mktemp("repomd"), "--no-database")


def repository_hiding_an_entry(published: tuple[Path, Path], wrapper: tuple[str, str], where: Path) -> Path:
    clean, vendor = published
    shutil.copytree(clean, where)
    vendors = primary_entry(vendor)
    href = found(r'href="[^"]+"', vendors).split('"')[1]
    shutil.copy(vendor / href, where / href)
    cleans = primary_entry(clean)
    hidden = "".join(re.findall(r"\s*<(?:checksum|location|size|open-size)[ >].*", cleans))
    opening, closing = wrapper
    entry = vendors.replace("</data>", f"{opening}{hidden}\n{closing}\n</data>")
    repomd = where / "repodata" / "repomd.xml"
    repomd.write_text(repomd.read_text().replace(cleans, entry))
    return where


def dnf_names(repository: Path, work: Path) -> set[str]:
    (work / "repos").mkdir(parents=True)
    (work / "repos" / "r.repo").write_text(f"[r]\nname=r\nbaseurl=file://{repository}/\ngpgcheck=0\n")
    return dnf_names_of(work / "repos" / "r.repo", work / "dnf")


@pytest.mark.parametrize("wrapper", SKIPPED_WRAPPERS.values(), ids=SKIPPED_WRAPPERS.keys())
def test_an_entry_librepo_skips_is_not_the_one_audited(
    published: tuple[Path, Path], wrapper: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repository = repository_hiding_an_entry(published, wrapper, tmp_path / "published")
    assert dnf_names(repository, tmp_path / "dnf") == {"base", "agent"}
    code = main(["scan", str(repository), "--strict", "--format", "json", "-q", "--no-cache"])
    document = json.loads(capsys.readouterr().out)
    assert {row["name"] for row in document["packages"]} == {"base", "agent"}
    assert code != 0


YUM_READS_OTHERWISE = {
    "a data element in an unknown element": '</data><mirror><data type="primary">{vendor}</data></mirror>',
    "a data element with a namespace prefix": '</data><y:data xmlns:y="{namespace}" type="primary">{vendor}</y:data>',
    "a location with a namespace prefix": '<y:location xmlns:y="{namespace}" href="{href}"/></data>',
}
"""What follows the clean entry's last child: an entry yum 3 reads (``repoMDObject.py``: a
``<data>`` at any depth, the last of a type winning; its children whatever their namespace
prefix) and librepo skips, naming for yum 3 the vendor's primary.xml, dnf reading the clean one."""


@pytest.mark.parametrize("change", YUM_READS_OTHERWISE.values(), ids=YUM_READS_OTHERWISE.keys())
def test_an_entry_yum_reads_and_librepo_skips_is_refused(
    published: tuple[Path, Path], change: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read as dnf reads it alone, the repository passed clean while yum 3 hosts (XCP-ng 8.x)
    install the Citrix package: the two readings differ, and only refusing keeps a pass true."""
    clean, vendor = published
    repository = tmp_path / "published"
    shutil.copytree(clean, repository)
    cleans, vendors = primary_entry(clean), primary_entry(vendor)
    href = found(r'href="[^"]+"', vendors).split('"')[1]
    shutil.copy(vendor / href, repository / href)
    inner = vendors.split(">", 1)[1].rsplit("</data>", 1)[0]
    namespace = "http://linux.duke.edu/metadata/repo"
    entry = cleans.replace("</data>", change.format(vendor=inner, href=href, namespace=namespace))
    repomd = repository / "repodata" / "repomd.xml"
    repomd.write_text(repomd.read_text().replace(cleans, entry))
    assert dnf_names(repository, tmp_path / "dnf") == {"base"}
    code = main(["scan", str(repository), "--format", "json", "-q", "--no-cache"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert f"{repomd}: lists " in err and "which yum 3 reads and dnf does not" in err, err
