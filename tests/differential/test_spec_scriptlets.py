"""The interpreter a scriptlet needs, against what rpmbuild builds from the same spec.

rpmbuild adds ``Requires(post,interp): PROG`` for each scriptlet (``/bin/sh`` without ``-p``,
none for ``-p <lua>``), even with ``AutoReq: no``: a ``%post -p /usr/bin/cxsh`` of a spec whose
packages generate nothing else made the built package need a Citrix interpreter while the spec
read clean and complete.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from auditor.rpm.model import Dependency
from auditor.rpm.spec.scriptlets import scriptlet_header
from auditor.sources.specs import read_spec_file
from tests.differential.test_spec_reading import _run

SPEC = """\
Name: scr
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
AutoReq: no
%description
d
%package lua
Summary: l
%description lua
d
%package empty
Summary: e
%description empty
d
%package -n other-trig
Summary: t
%description -n other-trig
d
%pre
echo hi
%post -p /usr/bin/cxsh
print 1
%postun -p "/sbin/ldconfig"
%pretrans -p <lua>
print("x")
%verifyscript
echo v
%post lua -p <lua>
print("x")
%post empty
%preun -q empty
echo q
%triggerin -n other-trig -- foo
echo t
%triggerin -n other-trig -p /usr/bin/trigsh -- bar < 2
echo t
%filetriggerin -n other-trig -P 100 -- /usr/lib
echo f
%trigger -n other-trig -p /usr/bin/oldtrigsh -- baz
echo rpm reads %trigger as %triggerin
%files
%files lua
%files empty
%files -n other-trig
"""


def test_each_scriptlet_requires_its_interpreter_as_rpmbuild_adds_it(tmp_path: Path) -> None:
    spec_file = tmp_path / "scr.spec"
    spec_file.write_text(SPEC)
    tool = shutil.which("rpmbuild")
    assert tool, "rpmbuild is the authority here: install rpm (Debian package rpm)"
    top = tmp_path / "top"
    _run(tmp_path, [tool, "-bb", "--quiet", "--define", f"_topdir {top}", str(spec_file)])
    built: dict[str, set[tuple[str, str]]] = {}
    for rpm in (top / "RPMS").glob("*/*.rpm"):
        name = _run(tmp_path, ["rpm", "-qp", "--qf", "%{NAME}", str(rpm)]).stdout
        query = "[%{REQUIREFLAGS:deptype}|%{REQUIRENAME}\n]"
        lines = _run(tmp_path, ["rpm", "-qp", "--qf", query, str(rpm)]).stdout.splitlines()
        built[name] = {(kind, dep) for kind, dep in (line.split("|") for line in lines) if "interp" in kind}
    read = {
        package.name: {
            (",".join(sorted(dep.qualifiers, key=lambda q: q == "interp")), dep.name)
            for dep in package.requires
        }
        for package in read_spec_file(str(spec_file))
        if not package.is_source
    }
    assert built == {
        "scr": {("pre,interp", "/bin/sh"), ("post,interp", "/usr/bin/cxsh"),
                ("postun,interp", "/sbin/ldconfig"), ("verify,interp", "/bin/sh")},
        "scr-lua": set(),
        "scr-empty": {("post,interp", "/bin/sh"), ("preun,interp", "/bin/sh")},
        "other-trig": {("interp", "/bin/sh"), ("interp", "/usr/bin/trigsh"), ("interp", "/usr/bin/oldtrigsh")},
    }  # fmt: skip
    assert read == built


def test_a_header_names_its_package_by_option_or_suffix() -> None:
    assert scriptlet_header("post", "-n other -p /bin/x").package("main") == "other"
    assert scriptlet_header("post", "devel -p /bin/x").package("main") == "main-devel"
    assert scriptlet_header("triggerin", "-- devel").package("main") == "main"
    assert scriptlet_header("filetriggerin", "-P 100 -- /usr/lib").package("main") == "main"
    assert scriptlet_header("post", "-p <lua>").requirement is None
    # rpm's option parser (popt) reads an option's value glued to it: rpmbuild puts the script
    # of `%post -nother -p/usr/bin/bash` on other, run by /usr/bin/bash.
    glued = scriptlet_header("post", "-nother -p/usr/bin/bash")
    assert (glued.package("main"), glued.requirement) == (
        "other",
        Dependency("/usr/bin/bash", qualifiers=frozenset({"post", "interp"})),
    )


def test_an_interpreter_the_build_host_answers_is_required_either_way(tmp_path: Path) -> None:
    """rpm defines ``%_gnu`` on every host: ``%post -p %{?_gnu:/usr/bin/cxsh}%{!?_gnu:/bin/sh}``
    requires /usr/bin/cxsh wherever rpm builds (rpmspec is the control). The header was read
    with the reader's guess alone, /bin/sh, and no gap: the Citrix interpreter was never
    required. An option the spec tests (``%{?never_defined:...}``) is the user's to --define,
    as in a dependency line: rpm's reading, /bin/sh."""
    text = SPEC.split("%pre\n")[0] + (
        "%post -p %{?_gnu:/usr/bin/cxsh}%{!?_gnu:/bin/sh}\necho\n"
        "%pre lua -p %{?never_defined:/usr/bin/other}%{!?never_defined:/bin/sh}\necho\n"
        "%files\n%files lua\n%files empty\n%files -n other-trig\n"
    )
    spec_file = tmp_path / "scr.spec"
    spec_file.write_text(text)
    home = tmp_path / "home"
    home.mkdir()
    shown = _run(tmp_path, ["rpmspec", "-q", "--qf", "%{NAME}:[ %{REQUIRENEVRS}]\n", str(spec_file)]).stdout
    assert "scr: /usr/bin/cxsh\n" in shown
    packages = {package.name: package for package in read_spec_file(str(spec_file))}
    assert "/usr/bin/cxsh" in {item.name for item in packages["scr"].requires}
    assert "scr-lua: /bin/sh\n" in shown
    assert {item.name for item in packages["scr-lua"].requires} == {"/bin/sh"}
