"""The shipped example exports parse exactly as examples/README.md describes them."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import classifier

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_friendship_example() -> None:
    rows = list(classifier.parse([EXAMPLES / "whatsapp-maya-and-jonas.txt"]))
    assert Counter(r.kind for r in rows) == {
        "message": 177, "media": 8, "system": 1, "deleted": 1,
    }  # fmt: skip
    assert Counter(r.sender for r in rows if r.sender) == {"Maya": 95, "Jonas": 91}
    assert rows[0].timestamp == datetime(2024, 3, 4, 12, 38)
    assert rows[-1].timestamp == datetime(2024, 3, 30, 11, 55)
    assert not any(r.tz_known for r in rows)
    assert sum(r.edited for r in rows) == 1
    # The long message of 19/03 18:41 keeps its blank lines, and "cool" answers it.
    long = next(r for r in rows if r.timestamp == datetime(2024, 3, 19, 18, 41))
    assert long.sender == "Maya" and "\n\n" in long.text
    reply = next(r for r in rows if r.timestamp == datetime(2024, 3, 20, 6, 58))
    assert (reply.sender, reply.text) == ("Jonas", "cool")


def test_group_example() -> None:
    rows = list(classifier.parse([EXAMPLES / "whatsapp-climbing-group.txt"]))
    assert Counter(r.kind for r in rows) == {"message": 171, "system": 7, "media": 3}
    assert Counter(r.sender for r in rows if r.sender) == {
        "Dan": 41, "Priya": 40, "Alex": 38, "Sam": 35, "Leonie": 20,
    }  # fmt: skip
    assert rows[0].text == 'Dan created group "Thursday Climbing"'
    assert rows[-1].timestamp == datetime(2024, 2, 18, 16, 47)
    assert len({r.message_id for r in rows}) == len(rows)
