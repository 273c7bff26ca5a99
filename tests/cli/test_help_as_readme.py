"""What `--help` says of an option is what the README says of it: a user reads either.

Each case is a sentence of the README's and the help text of the same option, which had
drifted apart (the help written before the behaviour changed).
"""

from __future__ import annotations

import pytest

from auditor.cli.commands import COMMANDS
from auditor.cli.main import build_parser
from tests.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def help_of(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        build_parser(only=command).parse_args([command, "--help"])
    return " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_with_takes_a_url_as_the_readme_shows(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's synopsis is `[--with PATH|URL]...` and its remote example
    `--with https://vault.centos.org/...`; the help named `--with PATH` alone, as if a context
    repository had to be on the disk."""
    assert "[--with PATH|URL]..." in README and "--with https://" in README
    assert "--with PATH|URL context input" in help_of(command, capsys)


def test_read_rpms_is_not_said_to_be_needed_for_the_headers(capsys: pytest.CaptureFixture[str]) -> None:
    """The README: a repository is read from its metadata *and from the headers of its
    packages* (signing key, Distribution, Source URLs), and `--read-rpms` only ignores the
    metadata. The help said `--read-rpms` was the way to see what "repodata lacks": a user
    following it gave up the checks of each header against its metadata for nothing."""
    assert "**and from the headers of\nits packages**" in README
    assert "`--read-rpms` ignores a directory's `repodata/` metadata" in README
    text = help_of("scan", capsys)
    assert "repodata lacks" not in text.split("--read-rpms", 2)[2].split("--no-cache")[0]
    assert "a repository's package headers are read without it" in text
