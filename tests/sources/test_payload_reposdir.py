"""A package whose own main configuration names a ``reposdir`` outside the default ones makes
dnf and yum read the ``.repo`` files it puts there: they are judged as one in
``/etc/yum.repos.d`` is. Such a package was clean (red team installs56)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sources.test_payload_config import build, findings, package, scan

XS = "[xs]\nbaseurl=https://updates.xenserver.com/8/\n"


@pytest.mark.parametrize(
    ("main", "directory"),
    [("/etc/dnf/dnf.conf", "/etc/xs.repos.d"), ("/etc/yum.conf", "/opt/xs/repos")],
)
def test_a_repo_file_in_the_reposdir_its_main_configuration_names_is_judged(
    main: str, directory: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = build(
        tmp_path,
        "own-reposdir",
        {
            main: f"[main]\nreposdir=/etc/yum.repos.d, {directory}/\n",
            f"{directory}/xs.repo": XS,
            # A directory no reposdir names holds no configuration: an example, never read by dnf.
            "/usr/share/doc/own-reposdir/example.repo": XS,
        },
    )
    code, document = scan(list(map(str, made)), capsys)
    assert findings(document, "own-reposdir") == {
        f"{directory}/xs.repo [xs] baseurl": ("https://updates.xenserver.com/8/", "medium", "blocks")
    }
    assert package(document, "own-reposdir")["gaps"] == []
    assert code == 1


def test_a_repo_file_outside_the_reposdirs_without_a_main_configuration_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = build(tmp_path, "doc-only", {"/usr/share/doc/doc-only/example.repo": XS})
    code, document = scan(list(map(str, made)), capsys)
    assert package(document, "doc-only")["findings"] == [] and package(document, "doc-only")["gaps"] == []
    assert code == 0
