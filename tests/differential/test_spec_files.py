"""The paths a spec's ``%files`` packages, against the package ``rpmbuild -bb`` makes of it.

A file requirement resolves to the packages that own the path, so a path read as packaged
that rpm leaves out makes the spec's package the way around a Citrix provider dnf installs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import _run
from tests.paths import ROOT

KEY = ROOT / "tests" / "data" / "rpms" / "RPM-GPG-KEY-fixtures"

FILES_DIRECTIVES = [
    # (the %files line, whether rpm 4.18 packages its path: build/files.c)
    ("/p/plain", True),
    ("%defattr(-,root,root,-)", False),  # no path
    ("%doc /p/doc", True),
    ("%license /p/license", True),
    ("%config /p/config", True),
    ("%config(noreplace) /p/noreplace", True),
    ("%dir /p/dirdir", True),
    ("%ghost /p/ghost", True),
    ("%attr(0644,root,root) /p/attr", True),
    ("%verify(not md5) /p/verify", True),
    ("%lang(fr) /p/lang", True),
    ("%caps(cap_net_raw=p) /p/caps", True),
    ("%readme /p/readme", True),
    ("%artifact /p/artifact", True),
    ("%missingok /p/missingok", True),
    ("%pubkey /p/key.asc", True),  # packaged, and its key goes in the header too
    ("%dev(c,1,3) /p/devnode", True),
    ("%docdir /p/helper", False),  # marks a directory as holding documentation, no more
    ("%docdir /p/docs", False),
    ("%exclude /p/excluded", False),
    ("%attr(0644,root,root) %exclude /p/attr-excluded", False),
]


def packaged(directory: Path, text: str, name: str) -> set[str]:
    """The paths ``rpm -qpl`` lists of the package ``name`` that ``rpmbuild -bb`` makes of the spec
    ``text`` (built once, in ``directory``/top)."""
    top = directory / "top"
    if not (top / "RPMS").is_dir():
        spec_file = directory / "built.spec"
        spec_file.write_text(text)
        tool = shutil.which("rpmbuild")
        assert tool, "rpmbuild is the authority here: install rpm (Debian package rpm)"
        # The paths rpm leaves out are in the build root: not a reason to stop the build here.
        unpackaged = ["--define", "_unpackaged_files_terminate_build 0"]
        _run(directory, [tool, "-bb", "--quiet", "--define", f"_topdir {top}", *unpackaged, str(spec_file)])
    (built,) = (top / "RPMS").glob(f"*/{name}-[0-9]*.rpm")
    return set(_run(directory, ["rpm", "-qpl", str(built)]).stdout.split())


def test_each_files_directive_packages_its_path_as_rpm_does(tmp_path: Path) -> None:
    """The auditor's files of the package are the paths ``rpm -qpl`` lists for each directive
    (``%docdir`` and ``%exclude`` package nothing; every other one its path)."""
    made = [line.split()[-1] for line, _ in FILES_DIRECTIVES if "/" in line]
    text = (
        "Name: fd\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "%description\nd\n%install\nmkdir -p %{buildroot}/p/dirdir %{buildroot}/p/docs\n"
        + "".join(f"echo x > %{{buildroot}}{path}\n" for path in made if path not in ("/p/dirdir", "/p/docs"))
        + f"cp {KEY} %{{buildroot}}/p/key.asc\n"
        + "%files\n"
        + "".join(f"{line}\n" for line, _ in FILES_DIRECTIVES)
    )
    listed = packaged(tmp_path, text, "fd")
    expected = {line.split()[-1] for line, packaged in FILES_DIRECTIVES if packaged}
    assert listed == expected
    assert set(parse_spec(text, "fd.spec").files["fd"]) == listed


GLOB_SECTIONS = {
    # %files lines of the package "g", and of its subpackage "g-other", under one build root
    "g": ["/g/bin/*", "/g/lib/lib?.so", "/g/share/{a,b}", "/g/dir", "%{_datadir}/g-data", "%doc README"],
    "g-other": ["/g/other/x", "/g/bin-extra"],
}
BUILD_ROOT = [
    "/g/bin/one", "/g/bin/two", "/g/lib/liba.so", "/g/lib/libab.so", "/g/share/a/f", "/g/share/b",
    "/g/share/c", "/g/dir/deep/file", "/g/other/x", "/g/bin-extra", "/usr/share/g-data/x",
]  # fmt: skip


def test_what_a_glob_may_package_covers_every_file_rpm_packages(tmp_path: Path) -> None:
    """`may_package`, the stand-in a spec's binary takes for the files only a build knows, holds
    every path ``rpm -qpl`` lists for it (globs, ``?``, braces, a directory packaged whole, a
    macro, a relative ``%doc``), and none of what the other package's plain paths own."""
    from auditor.rpm.spec.files import may_package

    text = (
        "Name: g\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "%description\nd\n%package other\nSummary: o\n%description other\no\n%install\n"
        + "".join(
            f"mkdir -p $(dirname %{{buildroot}}{path}); echo x > %{{buildroot}}{path}\n"
            for path in BUILD_ROOT
        )
        + "echo x > README\n"
        + "".join(
            f"%files {'' if name == 'g' else 'other'}\n" + "".join(f"{line}\n" for line in lines)
            for name, lines in GLOB_SECTIONS.items()
        )
    )
    spec = parse_spec(text, "g.spec")
    for name in GLOB_SECTIONS:
        listed = packaged(tmp_path, text, name)
        paths, patterns = spec.files.get(name, ()), spec.file_patterns.get(name, ())
        assert listed and all(may_package(path, paths, patterns) for path in listed), name
    # g's %doc and macro entries may package anything; g-other's plain paths only their own.
    other = spec.files["g-other"], spec.file_patterns.get("g-other", ())
    assert not may_package("/g/bin/one", *other) and not may_package("/g/share/c", *other)
    exact = spec.files["g"], tuple(p for p in spec.file_patterns["g"] if p != "*")
    assert not may_package("/g/share/c", *exact) and not may_package("/g/lib/libab.so", *exact)
    assert may_package("/g/share/a/f", *exact) and may_package("/g/dir/deep/file", *exact)
