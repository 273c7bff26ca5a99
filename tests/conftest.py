from __future__ import annotations

import gzip
import hashlib
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.httpserver import LocalServer

# No timing assertion in a unit test: Hypothesis fails an example that takes over 200 ms by
# default, which a property test does on a loaded machine (two shared cores, a CI runner),
# not on a wrong answer. Every property test inherits this; its own @settings add to it.
settings.register_profile("auditor", deadline=None)
settings.load_profile("auditor")

DATA = Path(__file__).parent / "data"
RPMS = DATA / "rpms"


def primary_of(repo: Path) -> Path:
    return next((repo / "repodata").glob("*-primary.xml.gz"))


def rewrite_primary(
    repo: Path, change: Callable[[str], str], open_size: Callable[[int], int] = lambda n: n
) -> None:
    """Replace primary.xml's text by ``change(text)`` and fix repomd.xml's checksum and sizes,
    so that what a test changed in the XML is what the reader meets (``open_size`` may make
    repomd declare another decompressed size than the text's)."""
    primary = primary_of(repo)
    text = change(gzip.decompress(primary.read_bytes()).decode()).encode()
    replace_metadata(repo, "primary", text, open_size(len(text)))


def rewrite_filelists(repo: Path, change: Callable[[str], str]) -> None:
    """As `rewrite_primary`, for filelists.xml, with the ``rpm:`` namespace declared on its root:
    a test can then put there what primary.xml holds (libsolv would read it)."""
    path = next((repo / "repodata").glob("*-filelists.xml.gz"))
    text = gzip.decompress(path.read_bytes()).decode()
    text = text.replace(
        'metadata/filelists"', 'metadata/filelists" xmlns:rpm="http://linux.duke.edu/metadata/rpm"'
    )
    replace_metadata(repo, "filelists", change(text).encode())


def replace_metadata(repo: Path, kind: str, text: bytes, open_size: int | None = None) -> Path:
    """Write ``text`` (gzipped) as the repository's ``kind`` metadata file (primary, filelists)
    and fix repomd.xml's checksum and sizes to match: the file passes every check but the
    parse. ``open_size`` is the decompressed size repomd.xml declares (default: the text's)."""
    path = next((repo / "repodata").glob(f"*-{kind}.xml.gz"))
    payload = gzip.compress(text, mtime=0)
    path.write_bytes(payload)
    repomd = repo / "repodata" / "repomd.xml"
    xml = repomd.read_text()
    start = xml.index(f'<data type="{kind}">')
    end = xml.index("</data>", start)
    block = re.sub(
        r'(<checksum type="sha256">)[0-9a-f]+',
        lambda m: m.group(1) + hashlib.sha256(payload).hexdigest(),
        xml[start:end],
        count=1,
    )
    block = re.sub(r"<size>\d+</size>", f"<size>{len(payload)}</size>", block)
    declared = len(text) if open_size is None else open_size
    block = re.sub(r"<open-size>\d+</open-size>", f"<open-size>{declared}</open-size>", block)
    xml = xml[:start] + block + xml[end:]
    if kind == "primary":
        # The SQLite copy of primary.xml (createrepo_c's default) says what it said before the
        # change, and yum 3 reads it instead: the repository is then one made without it.
        xml = re.sub(r'\s*<data type="primary_db">.*?</data>', "", xml, flags=re.S)
    repomd.write_text(xml)
    return path


@pytest.fixture
def www(tmp_path: Path) -> Path:
    """The document root of the test HTTP server: the fixture repository at ``/repo/``. A
    module serving something else defines its own ``www``; `server` serves that one."""
    root = tmp_path / "www"
    root.mkdir()
    shutil.copytree(DATA / "repo", root / "repo")
    return root


@pytest.fixture
def server(www: Path) -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1 serving ``www``."""
    with LocalServer(www) as running:
        yield running


INCOMPLETE = "auditor: warning: the audit is incomplete: "


def only_incompleteness(err: str) -> bool:
    """Standard error says nothing but that the audit is incomplete (the fixture RPMs include
    an SRPM whose spec has Sources no reader can expand: the auditor must say so)."""
    lines = err.splitlines()
    return len(lines) == 1 and lines[0].startswith(INCOMPLETE)


def errors_of(err: str) -> list[str]:
    """Standard error's lines but the incompleteness line: a scan of binary RPMs without their
    source RPMs says, rightly, that their Source URLs were not seen."""
    return [line for line in err.splitlines() if not line.startswith(INCOMPLETE)]


def pytest_configure(config: pytest.Config) -> None:
    missing = [tool for tool in ("rpm", "createrepo_c") if shutil.which(tool) is None]
    if missing:
        raise pytest.UsageError(
            f"the tests compare against real tools; install {', '.join(missing)} (apt-get install rpm createrepo-c)"
        )


@pytest.fixture(scope="session")
def rpm_files() -> list[Path]:
    return sorted(RPMS.glob("*.rpm"))


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets an empty cache directory: no test reads what another stored, and the
    user's own ~/.cache is never touched."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
