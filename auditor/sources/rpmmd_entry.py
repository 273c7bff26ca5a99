"""One ``<rpm:entry>`` of repository metadata (a requirement, a provide...) as a `Dependency`,
read as libsolv reads it: shared by both primary.xml readers (`auditor.sources.primary`'s
expat handler and `auditor.sources.createrepo_layout`)."""

from __future__ import annotations

from sys import intern

from auditor.rpm.model import EVR, Dependency, Op, make_dependency, make_evr

_PREREQ = frozenset({"prereq"})
_OPS = dict(Op.__members__)
"""By the name repodata writes (``EQ``, ``GE``...): ``Op[name]`` runs Python code for each one."""
_NONE: frozenset[str] = frozenset()


def dependency_from_attributes(attrs: dict[str, str], strings: dict[str, str] | None = None) -> Dependency:
    """The `Dependency` an ``rpm:entry`` element's attributes describe (ValueError: a bad one);
    ``strings`` as `dependency_from_fields` takes it."""
    get = attrs.get
    fields = get("flags"), get("epoch"), get("ver"), get("rel"), get("pre")
    name, kind = get("name", ""), get("kind")
    if name and kind and kind != "package":
        # libsolv names the capability "KIND:NAME" (a patch's, a pattern's): no package's
        # NAME answers it, so reading NAME alone would resolve what dnf cannot.
        name = f"{kind}:{name}"
    return dependency_from_fields(name, *fields, strings=strings)


def epoch_number(text: str) -> int:
    """An epoch's digits as a number (ValueError: not digits). Not `int` alone: it takes
    " 1", "1_0" and other scripts' digits, which libsolv keeps as the strings they are."""
    if not (text.isascii() and text.isdigit()):
        raise ValueError(text)
    return int(text)


def dependency_from_fields(
    name: str,
    flags: str | None,
    epoch_text: str | None,
    version: str | None,
    release: str | None,
    pre: str | None,
    *,
    evrs: dict[tuple[str | None, str | None, str | None], EVR] | None = None,
    strings: dict[str, str] | None = None,
) -> Dependency:
    """`dependency_from_attributes` given each attribute's value (None: absent). ``evrs``: the
    versions made so far, by their attributes, for equal ones to share one `EVR` (a distribution's
    dependencies name 15,000 versions 80,000 times). ``strings``: the reader's table of the names
    and versions read so far (`auditor.sources.primary.PrimaryHandler.repeated`), for equal ones
    to be one string; without one they are interned."""
    if not name:
        raise ValueError("an entry without a name")
    qualifiers = _PREREQ if pre in ("1", "true") else _NONE
    name = intern(name) if strings is None else strings.setdefault(name, name)
    if flags is None:
        return make_dependency(name, qualifiers=qualifiers)
    op = _OPS.get(flags)
    if op is None:
        raise ValueError(f"unknown flags {flags!r} on {name}")
    key = (epoch_text, version, release)
    evr = None if evrs is None else evrs.get(key)
    if evr is None:
        # createrepo_c writes epoch="0" for an absent epoch; read it as absent so a capability
        # prints (and fingerprints) the same from repodata as from the RPM file.
        try:
            epoch = epoch_number(epoch_text) if epoch_text and epoch_text != "0" else None
        except ValueError:
            raise ValueError(f"epoch {epoch_text!r} of {name} is not a number") from None
        version = version or ""
        if strings is None:
            version, release = intern(version), intern(release) if release else None
        else:
            version = strings.setdefault(version, version)
            release = strings.setdefault(release, release) if release else None
        evr = make_evr(epoch, version, release)
        if evrs is not None:
            evrs[key] = evr
    return make_dependency(name, op, evr, qualifiers)
