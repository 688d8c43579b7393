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
# IANA names: "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5".
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}$")


@lru_cache(maxsize=4096, typed=True)  # typed: True is not the offset 1
def check_zone(name: str | float) -> str:
    """The zone ``name`` as it will be kept, or a ValueError saying how to write it.

    A number is an offset in hours (as a spreadsheet or a DataFrame may hold it).
    Remembered, as a table repeats the same few zones on every row.

    Examples
    --------
    >>> check_zone(" Europe/Berlin ")
    'Europe/Berlin'
    >>> check_zone("+0530")
    '+05:30'
    >>> check_zone(-5.0)
    '-05:00'
    """
    if isinstance(name, int | float) and not isinstance(name, bool):
        if not -15 < name < 15:
            raise ValueError("a time zone offset must be within 15 hours of UTC")
        minutes = round(abs(name) * 60)
        sign = "-" if name < 0 else "+"
        text = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    elif isinstance(name, str):
        text = name.strip()
    else:
        raise ValueError("a time zone is a name or an offset")
    _zone(text)
    match = _OFFSET.match(text)
    if match:
        plus_minus, hh, mm = match.groups()
        return f"{plus_minus}{int(hh):02d}:{mm or '00'}"
    return text


@lru_cache(maxsize=1024)
def _zone(name: str) -> tzinfo:
    if name in _UTC_NAMES:
        return timezone.utc
    match = _OFFSET.match(name)
    if match:
        sign, hours, minutes = match.groups()
        if int(minutes or 0) >= 60:
            raise ValueError(f"time zone offset {name!r} has minutes past 59")
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if offset >= timedelta(hours=15):
            raise ValueError(f"time zone offset {name!r} is out of range")
        return timezone(-offset if sign == "-" else offset)
    try:
        if not _NAME.match(name):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a name that is a folder of the zone database ("America"), or
        # too long to be a file name.
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
