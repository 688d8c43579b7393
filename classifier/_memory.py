"""Bounded memories: dicts that remember results and forget the oldest when full."""

from __future__ import annotations

import itertools
from typing import Any


def forget_oldest_half(memory: dict[Any, Any]) -> None:
    """Drop the older half of a dict used as a bounded memory (dicts keep order).

    Unlike clearing it, this keeps what was used lately, which in a chat is what
    comes back: the same short replies, the names of the people talking.

    Examples
    --------
    >>> memory = {"a": 1, "b": 2, "c": 3, "d": 4}
    >>> forget_oldest_half(memory)
    >>> memory
    {'d': 4}
    """
    for key in list(itertools.islice(memory, len(memory) // 2 + 1)):
        memory.pop(key, None)  # another thread may have forgotten it already
