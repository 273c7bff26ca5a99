"""A source RPM given to ``check`` in a repository (createrepo_c's, its directory given) is
rebuilt as the same file given alone is: its spec read from the file the metadata lists.

The rebuild opened the package's location, which for a repository's package is the metadata's
``location href``, relative to the repository: from any other working directory it was "no such
file or directory", an input error naming the repository (exit 3), and the change's binaries
were BASE's, where the file given alone exits 1 for what the rebuilt spec moves.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.srpm_rebuild.harness import blocking, check, rpmbuild, summary
from tests.cli.srpm_rebuild.test_moved_file import HEAD, VARIANTS, base_repos


@pytest.mark.parametrize("given", ["file", "repository"])
def test_a_source_rpm_of_a_repository_is_rebuilt_as_its_file_is(
    given: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files, path = VARIANTS["exclude"]
    against = base_repos(tmp_path / "base", path)
    n = tmp_path / "new"
    rpmbuild(n, HEAD.format(release=2) + files, "foo", "-bs")
    (srpm,) = (n / "SRPMS").glob("*.src.rpm")
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(srpm.parent)], check=True)
    monkeypatch.chdir(tmp_path)  # not the repository: its href is no path from here
    target = str(srpm) if given == "file" else str(srpm.parent)
    code, doc = check(target, "--against", *against, capsys=capsys)
    print(given, summary(code, doc))
    assert doc.get("errors") == []
    assert code == 1 and any(package == "user" for package, _, _ in blocking(doc))
