"""Imports give new records time-ordered uids, so the uid index grows at its end."""

from __future__ import annotations

import time

from amity.core import bulk


def test_they_are_distinct_version_7_uuids() -> None:
    uids = bulk.time_ordered_uids(5000)
    assert len(set(uids)) == 5000
    assert {u.version for u in uids} == {7}
    assert {u.variant for u in uids} == {"specified in RFC 4122"}


def test_a_later_batch_sorts_after_an_earlier_one() -> None:
    first = bulk.time_ordered_uids(100)
    time.sleep(0.002)
    second = bulk.time_ordered_uids(100)
    assert max(u.hex for u in first) < min(u.hex for u in second)
