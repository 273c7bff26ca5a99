"""Only a mixed group whose clean way can be ruled out counts toward `askevery.ASK_EVERY`.

``liba`` is Citrix's ``cx-a`` or ``clean-a``, and nothing ``clean-a`` is or holds is apart
from any package: an installation that takes ``cx-a`` can always take ``clean-a`` instead,
so the many packages that may reach it (``user-N``) need no question. ``libb`` is ``cx-b`` or
``clean-b``, which conflicts with ``pal``: ``app`` Requires ``mid`` (which Requires ``libb``)
and ``pal``, and libsolv cannot install it without ``cx-b``. Counting every package that may
reach a mixed group, a run with ``ASK_EVERY`` between the two counts asked only the screen's
choice, and said so; counting those that may reach ``libb``, it asks each of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.deps import askevery
from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs, verdicts

USERS = 6
PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-a", "provides": ["liba"], **CITRIX},
    {"name": "clean-a", "provides": ["liba"]},
    *({"name": f"user-{number}", "requires": ["liba"]} for number in range(USERS)),
    {"name": "cx-b", "provides": ["libb"], **CITRIX},
    {"name": "clean-b", "provides": ["libb"], "conflicts": ["pal"]},
    {"name": "mid", "requires": ["libb"]},
    {"name": "pal"},
    {"name": "app", "requires": ["mid", "pal"]},
]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("rulable"))


@pytest.mark.parametrize(("limit", "asked_every"), [(5, True), (1, False)])
def test_packages_that_reach_only_a_group_nothing_can_rule_out_are_not_counted(
    repository: Path, monkeypatch: pytest.MonkeyPatch, limit: int, asked_every: bool
) -> None:
    """Two packages may reach ``libb``'s owner (``mid`` and ``app``), eight a mixed group:
    with at most 5 asked, each is; past 1, only the screen's choice is."""
    monkeypatch.setattr(askevery, "ASK_EVERY", limit)
    result = audit(repository)
    said = [warning for warning in result.warnings if "clean-way screen" in warning]
    assert (not said) is asked_every
    found = verdicts(result)
    assert libsolv_installs(repository, "app-1.0-1.noarch", locked=["cx-b"]) is None
    assert libsolv_installs(repository, "app-1.0-1.noarch", locked=[]) is not None
    assert found["app-1.0-1.noarch"] == "depends"
    for number in range(USERS):
        assert libsolv_installs(repository, f"user-{number}-1.0-1.noarch", locked=["cx-a"]) is not None
        assert found[f"user-{number}-1.0-1.noarch"] == "may-depend"
