"""A change older than what BASE holds is said to be, in every output of ``check``.

rpmdeplint's check-upgrade refuses a package older than the repository's of its name: dnf
upgrade keeps the newer one on the hosts that have it, and a repository holding both serves
the newer. ``check`` compared such a package with BASE's newest as if it were an update, and
listed what it improved as if the improvement reached anyone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.cli.test_workflow import BASE, NEW_XAPI, write_spec


@pytest.mark.parametrize("version", ["1.100.0", "1.250.0"], ids=["older", "newer"])
def test_a_new_package_older_than_bases_is_said_to_be(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, NEW_XAPI.replace("Version: 1.250.0", f"Version: {version}"))
    older = version == "1.100.0"  # BASE holds xapi 1.249.0

    assert main(["check", spec, "--against", *BASE, "--format", "json"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    [core] = [item for item in document["new"] if item["nevra"].startswith("xapi-core-")]
    assert core["compared_with"] == "xapi-core-1.249.0-1.xcpng.noarch"
    warning = (
        f"auditor: warning: xapi-core-{version}-1.xcpng.noarch is older than "
        "xapi-core-1.249.0-1.xcpng.noarch in BASE: dnf upgrade keeps BASE's"
    )
    # The report holds the warning too: a bot posting the comment never sees standard error.
    in_report = [text for text in document["warnings"] if text.startswith("xapi-core-")]
    if older:
        assert core["basis"] == "a newer version in BASE: dnf upgrade keeps it"
        assert warning in captured.err
        assert len(in_report) == 1 and warning.removeprefix("auditor: warning: ") in in_report[0]
    else:
        assert core["basis"] == "newest version in BASE (what dnf would install)"
        assert "is older than" not in captured.err and in_report == []

    assert main(["check", spec, "--against", *BASE, "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert ("a newer version in BASE: dnf upgrade keeps it" in markdown) is older
    assert ("**Warnings**" in markdown) is older
