"""Group near-duplicate pictures by PDQ: the console's stacks and triage's stacks.

Greedy, in the order given: each picture joins the first group whose lead
(its first member) lies within ``threshold`` bits, else it leads a new group.
The order is the caller's priority, so a group's lead is its most urgent
member. A picture without a PDQ hash is a group of its own. Quadratic in the
number of groups, which is fine for a queue page or a seized folder; an
index (match/) is for banks.
"""

from __future__ import annotations

from collections.abc import Sequence


def group_near_duplicates(hashes: Sequence[int | None], threshold: int) -> list[int]:
    """The group index of each picture, groups numbered from 0 in order of their leads."""
    leads: list[tuple[int, int | None]] = []  # (group, lead hash)
    out = []
    for h in hashes:
        home = None
        if h is not None:
            home = next(
                (
                    g
                    for g, lead in leads
                    if lead is not None and (lead ^ h).bit_count() <= threshold
                ),
                None,
            )
        if home is None:
            home = len(leads)
            leads.append((home, h))
        out.append(home)
    return out


__all__ = ["group_near_duplicates"]
