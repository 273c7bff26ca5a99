"""`CleanView`'s answers about a group are that group's, not those of a group gone before it
(rt-rich: chain universe 38 audited right after universe 37 in one process).

`auditor.deps.cleanscreen.CleanView.clean` and `CleanView.exactly_binds` kept their answers
by the group's ``id()`` alone. A group the view is asked about and that then goes (the graph
replaces it, or the run that made it ends) leaves its id free, and CPython gives it to the next
object of its size: a new group then read the gone group's clean members. Chain universe 38's
``p29`` read ``depends`` on the proprietary category after universe 37 was audited in the same
process, and ``may-depend`` alone, as libsolv agrees, once a garbage collection ran between
the two: the answers turned on what the process held. Each answer now keeps its group.
"""

from __future__ import annotations

from auditor.deps.cleanscreen import CleanView
from auditor.deps.hops import Group, HopKind
from auditor.rpm.model import Dependency


def test_a_group_in_a_gone_groups_place_is_read_itself() -> None:
    view = CleanView({}, tainted={1}, apart_from={}, partly=())
    gone = Group(HopKind.REQUIRES, Dependency("liba"), (1, 2))
    assert view.clean(gone) == [2]
    assert view.exactly_binds(gone)
    place = id(gone)
    del gone
    held = []  # each group made is kept, so that the next one takes another place
    for _attempt in range(10_000):
        group = Group(HopKind.REQUIRES, Dependency("(libb if c)"), (3, 4))
        if id(group) == place:
            break
        held.append(group)
    else:
        return  # the view holds the gone group: no other takes its place
    assert view.clean(group) == [3, 4]
    assert not view.exactly_binds(group)
