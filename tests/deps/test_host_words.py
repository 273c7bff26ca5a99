"""A requirement a spec reading keeps with the build host's one-word answer still in it.

rpm runs ``%(eval "`perl -V:version`"; echo $version)`` as it parses the spec, and every perl
module's package requires ``perl(:MODULE_COMPAT_5.36.0)``: the host's perl version. The reader
never runs code and keeps the line as written (`auditor.rpm.spec.builtins.HOST_QUERY`), so the
requirement named ``perl(:MODULE_COMPAT_%(eval ...))``, which nothing provides: a blocking
``unresolved`` for every perl module's spec, and in ``check`` a new one beside BASE's.
The answer is one word of the repository's: what a provide in its place meets
(`auditor.deps.provides.host_word_pattern`); in ``check``, BASE's build's answer stands in.

Real packages: rpmbuild builds a perl that provides the compatibility capability, and BASE's
module, whose requirement rpm expands on this host.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.deps.provides import host_word_pattern
from tests.cli.test_check_srpm_declares import rpmbuild

QUERY = '%(eval "`perl -V:version`"; echo $version)'

PERL = """\
Name: perl
Version: 5.36.0
Release: 1
Summary: p
License: GPL+
BuildArch: noarch
Provides: perl(:MODULE_COMPAT_5.36.0)
Provides: perl(:MODULE_COMPAT_5.34.0)
%description
p
%files
"""

MODULE = f"""\
Name: perl-Foo
Version: 1.0
Release: {{release}}
Summary: m
License: GPL+
BuildArch: noarch
AutoReqProv: no
Requires: perl(:MODULE_COMPAT_{QUERY})
%description
m
%files
"""


def test_the_pattern_stands_for_one_word_per_run_of_code() -> None:
    pattern = host_word_pattern(f"perl(:MODULE_COMPAT_{QUERY})")
    assert pattern is not None
    assert pattern.fullmatch("perl(:MODULE_COMPAT_5.36.0)")
    assert not pattern.fullmatch("perl(:MODULE_COMPAT_5 36)") and not pattern.fullmatch("perl(:OTHER_5)")
    assert host_word_pattern("perl(:MODULE_COMPAT_5.36.0)") is None
    assert host_word_pattern("x-%(echo") is None  # unclosed: rpm runs no such code either


def test_a_spec_requiring_the_host_perl_is_met_by_the_repositorys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rpmbuild(tmp_path / "perl", PERL, "perl")
    subprocess.run(["createrepo_c", "--quiet", str(tmp_path / "perl" / "repo")], check=True)
    spec = tmp_path / "perl-Foo.spec"
    spec.write_text(MODULE.format(release=1))
    arguments = ["scan", str(spec), "--with", str(tmp_path / "perl" / "repo"), "--format", "json"]
    main([*arguments, "--no-cache", "--fail-on", "none"])
    document = json.loads(capsys.readouterr().out)
    (module,) = [item for item in document["packages"] if item["nevra"] == "perl-Foo-1.0-1.noarch"]
    assert module["unresolved"] == []


@pytest.mark.parametrize("given", ["spec", "srpm"])
def test_a_perl_module_rebuilt_says_what_base_said(
    given: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE has no perl: its perl-Foo's ``perl(:MODULE_COMPAT_5.36.0)`` is unresolved already,
    and the change's, as written, was a second, new blocking fact."""
    base = tmp_path / "base"
    rpmbuild(base, MODULE.format(release=1), "perl-Foo")
    for made in ("repo", "SRPMS"):
        subprocess.run(["createrepo_c", "--quiet", str(base / made)], check=True)
    rpmbuild(tmp_path / "new", MODULE.format(release=2), "perl-Foo", "-bs")
    (srpm,) = (tmp_path / "new" / "SRPMS").glob("*.src.rpm")
    target = str(tmp_path / "new" / "perl-Foo.spec") if given == "spec" else str(srpm)
    code = main(
        [
            "check",
            target,
            "--against",
            str(base / "repo"),
            str(base / "SRPMS"),
            "--no-cache",
            "--format",
            "json",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert document["regressions"] == []
    assert code == document["exit_code"] == 0


GLOBBED_MODULE = """\
Name: perl-Foo
Version: 1.0
Release: RELEASE
Summary: m
License: GPL+
BuildArch: noarch
AutoReqProv: no
Requires: perl(:MODULE_COMPAT_QUERY)
%description
m
%install
mkdir -p %{buildroot}/usr/share/perl5/Foo
echo 1 > %{buildroot}/usr/share/perl5/Foo/Foo.pm
%files
/usr/share/perl5/Foo/*
""".replace("QUERY", QUERY)

USER = """\
Name: app
Version: 1
Release: 1
Summary: a
License: MIT
BuildArch: noarch
Requires: /usr/share/perl5/Foo/Foo.pm
%description
a
%files
"""


def test_a_module_whose_host_word_is_answered_keeps_its_stand_in_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE's files the new spec's glob may package stand in for them, host word or not: with its
    requirement answered, the package was a copy that no longer knew its own ``%files``, which
    then claimed every file as another package's; app, requiring a module file by path, went
    ``unresolved`` in a change that moved nothing (scale63)."""
    base = tmp_path / "base"
    for text, name in ((PERL, "perl"), (GLOBBED_MODULE.replace("RELEASE", "1"), "perl-Foo"), (USER, "app")):
        rpmbuild(base, text, name)
    for made in ("repo", "SRPMS"):
        subprocess.run(["createrepo_c", "--quiet", str(base / made)], check=True)
    spec = tmp_path / "perl-Foo.spec"
    spec.write_text(GLOBBED_MODULE.replace("RELEASE", "2"))
    arguments = ["check", str(spec), "--against", str(base / "repo"), str(base / "SRPMS")]
    code = main([*arguments, "--no-cache", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert document["regressions"] == []
    assert code == document["exit_code"] == 0
