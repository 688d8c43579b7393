"""People's time zones: checked once when read, turned into offsets when scoring.

A zone is an IANA name (``"Europe/Berlin"``, as Slack's ``users.json`` gives it) or a
fixed offset from UTC (``"+05:30"``, ``"-0800"``, ``"UTC"``). Only the offset at a
given moment is ever needed: the hour it was for someone, and where their night is.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["check_zone", "utc_offset"]

_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$")
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "Etc/UTC", "Etc/GMT"})


def check_zone(name: str) -> str:
    """The zone ``name`` as it will be kept, or a ValueError saying how to write it.

    Examples
    --------
    >>> check_zone(" Europe/Berlin ")
    'Europe/Berlin'
    >>> check_zone("+0530")
    '+05:30'
    """
    name = name.strip()
    _zone(name)
    match = _OFFSET.match(name)
    if match:
        sign, hours, minutes = match.groups()
        return f"{sign}{int(hours):02d}:{minutes or '00'}"
    return name


@lru_cache(maxsize=1024)
def _zone(name: str) -> tzinfo:
    if name in _UTC_NAMES:
        return timezone.utc
    match = _OFFSET.match(name)
    if match:
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if offset >= timedelta(hours=15):
            raise ValueError(f"time zone offset {name!r} is out of range")
        return timezone(-offset if sign == "-" else offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin "
            "or an offset such as +02:00"
        ) from None


def utc_offset(name: str, when: datetime) -> float:
    """Seconds to add to UTC for the wall time in zone ``name`` at ``when`` (aware).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> utc_offset("America/New_York", datetime(2024, 7, 1, tzinfo=timezone.utc))
    -14400.0
    """
    offset = when.astimezone(_zone(name)).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0
