"""WhatsApp chat exports: the ``.txt`` (Android and iOS) and the ``.zip`` the app makes.

A WhatsApp export is plain text. Each message starts with a header (date, time and,
for ordinary messages, ``Sender: ``); every line without a full header continues the
message above it, blank lines included. Dates follow the phone's locale, so the day /
month order is decided once for the whole file from every header (see
:func:`read`), and the reader stops and asks (``--date-order``) rather than guess.

The file is read twice as a stream: a first pass collects date-order evidence, a
second parses. Only the message being assembled is held in memory.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from ..errors import DateOrderError, ExportError
from ..records import Message
from ..report import ParseReport
from ._common import (
    INVISIBLE,
    ParseOptions,
    clean_header_spaces,
    slug,
    strip_invisible,
    synthetic_id,
)
from ._source import Export

__all__ = ["sniff", "read"]

# ---------------------------------------------------------------------------
# The header

_INV = "[" + INVISIBLE + "]"
# Exports put narrow (U+202F) and ordinary (U+00A0) no-break spaces in headers,
# before AM/PM and even inside "p. m.".
_SP = "[ \u00a0\u202f\u2009]"

#: Date, time and the separator before the sender (" - " on Android, "] " on iOS).
#: It stops there: the rest of the line (sender and text) is sliced off by position.
_HEADER = re.compile(
    rf"{_INV}*(?:(?P<open>\[){_INV}*)?"
    # The last field is a year (2 or 4 digits) or, in year-first dates, a day.
    r"(?P<date>(?P<a>\d{4}|\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{4}|\d{1,2}))"
    rf"(?:,{_SP}*|{_SP}+)"
    r"(?P<time>(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
    rf"(?:{_SP}*(?P<ampm>[aApP]\.?{_SP}*[mM]\.?))?)"
    r"\.?"  # "13:01. - " (seen in a real export)
    # Exports from before 2015 end the time with ": " ("3/24/14, 1:59:59 PM: Name: ").
    rf"(?(open){_INV}*\]{_SP}?|(?:{_SP}[-\u2013]|:){_SP})"
)
_G = _HEADER.groupindex
_DATE, _A, _B, _C = _G["date"], _G["a"], _G["b"], _G["c"]
_TIME, _H, _MI, _S, _AMPM = _G["time"], _G["h"], _G["mi"], _G["s"], _G["ampm"]

ORDERS = ("dmy", "mdy", "ymd")

# ---------------------------------------------------------------------------
# What a message is: markers the app writes in place of, or after, the text

_DELETED = re.compile(
    rf"{_INV}*(?:This message was deleted|You deleted this message"
    # Localised wordings: none is in our samples, so they are unconfirmed.
    r"|Se eliminó este mensaje|Eliminaste este mensaje"
    r"|Diese Nachricht wurde gelöscht|Du hast diese Nachricht gelöscht"
    r"|Questo messaggio è stato eliminato|Hai eliminato questo messaggio"
    r"|Esta mensagem foi apagada|Você apagou esta mensagem"
    r"|Ce message a été supprimé|Vous avez supprimé ce message)"
    rf"\.?{_INV}*\Z"
)
_MEDIA = re.compile(
    rf"{_INV}*(?:"
    r"<(?i:media omitted|medien ausgeschlossen|multimedia omitido|mídia oculta"
    r"|media omessi|médias? omis|media weggelaten)>"
    rf"{_INV}*(?:\n|\Z)"
    r"|<attached: [^>\n]+>"
    r"|(?:image|video|audio|sticker|GIF|document|Contact card) omitted"
    rf"{_INV}*(?:\n|\Z))"
    # iOS documents: "<U+200E>name.pdf • <U+200E>3 pages <U+200E>document omitted".
    rf"|{_INV}[^\n]*{_INV}document omitted{_INV}*(?:\n|\Z)"
)
# Android with media: "IMG-20190101-WA0001.jpg (file attached)", caption below.
_FILE_ATTACHED = re.compile(
    r"\S.* \((?:file attached|Datei angehängt|archivo adjunto|fichier joint"
    rf"|file allegato|arquivo anexado)\){_INV}*\Z"
)
_EDITED = re.compile(
    r"<(?:This message was edited|Se editó este mensaje\."
    r"|Diese Nachricht wurde bearbeitet|Questo messaggio è stato modificato"
    r"|Mensagem editada|Ce message a été modifié"
    rf"|Dit bericht is bewerkt)>{_INV}*\Z"
)
_EDITED_TRIM = " \n\u00a0\u202f" + INVISIBLE
_POLL = re.compile(rf"{_INV}*POLL:\n.*\n{_INV}*OPTION: ", re.S)
_CALL = re.compile(
    rf"{_INV}*Missed (?:group )?(?:voice|video) call(?:[,.] .*)?{_INV}*\Z"
    # "Voice call, 12 min" only with the mark iOS puts there: people write "video call".
    rf"|{_INV}*\u200e(?:Group )?(?:[Vv]oice|[Vv]ideo) call(?:[,.] .*)?{_INV}*\Z"
)
# System lines nobody would type, whoever the export puts in the sender place.
_NOTICE = re.compile(
    rf"{_INV}*(?:(?:Your )?[Mm]essages (?:and calls are end-to-end encrypted"
    r"|(?:to|you send to) this (?:group|chat)(?: and calls)? are now secured"
    r" with end-to-end encryption)"
    r"|Your security code with [^\n]+ changed\."
    r"|You (?:joined using this group's invite link|were added|'re now an admin"
    rf"|are now an admin|created group [\"“][^\n]*)\.?{_INV}*\Z)"
)
# One cheap test before the four above: most messages are none of them.
_MARKER = re.compile(
    "|".join(f"(?:{p.pattern})" for p in (_DELETED, _MEDIA, _CALL, _NOTICE))
)
# Membership and settings lines. Only trusted when the line has no sender, or when the
# text starts with U+200E or with the "sender's" own name (iOS puts the group name or
# the actor in the sender place of system lines).
_SYSTEM_ACTION = (
    r"(?:created (?:group|this group|the group)|added|removed|left\Z"
    r"|joined using|changed (?:the subject|the group|this group's|their phone number"
    r"|to )|deleted this group's icon|were added|was added|now an admin"
    r"|security code|turned (?:on|off) disappearing|reset this group's invite link"
    r"|pinned a message)"
)
_SYSTEM_TEXT = re.compile(r"(?:^|\s)" + _SYSTEM_ACTION)
_SYSTEM_AFTER_TILDE = re.compile(_SYSTEM_ACTION)
# After a plain name only actions nobody narrates: "Ben added a photo" is Ben talking.
_SYSTEM_AFTER_NAME = re.compile(
    r"(?:created (?:group|this group|the group)|joined using this group's invite link"
    r"|left\Z|changed (?:the subject|the group|this group's|their phone number|to \+)"
    r"|deleted this group's icon)"
)
# A "sender" holding these is the start of a system line whose quoted group name,
# subject or description contains ": ".
_SYSTEM_SENDER = re.compile(
    r" (?:created (?:group|this group|the group)|changed (?:the subject|the group"
    r"|this group's))"
)
_CHAT_PREFIX = re.compile(
    r"(?i)^(?:whatsapp[ -]chat(?:\s+(?:with|mit)|\s*-)|chat de whatsapp con"
    r"|conversa do whatsapp com|chat whatsapp con|discussion whatsapp avec)\s+(?=\S)"
)
_TILDE = "~ \u00a0\u202f"

# How many recent timestamps remember their (sender, text) counts for message ids.
_ID_WINDOW = 512
# A chat's first header must come within this many non-empty lines to be detected.
_SNIFF_LINES = 20
_CACHE_LIMIT = 50_000


# ---------------------------------------------------------------------------
# Detection


def _starts_like_chat(data: bytes) -> bool:
    """Whether the start of a text looks like a WhatsApp chat.

    A real export starts with a header; a few lines of other text above it (a note
    pasted in) are allowed and reported when the file is read.
    """
    text = data.decode("utf-8", errors="replace")
    seen = 0
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if not strip_invisible(line).strip():
            continue
        if _HEADER.match(line):
            return True
        seen += 1
        if seen >= _SNIFF_LINES:
            return False
    return False


def _candidates(export: Export) -> list[str]:
    """Text members that could hold the chat, most likely first."""
    if export.kind == "file":
        return list(export.members[:1])

    def rank(member: str) -> tuple[int, int, str]:
        name = PurePosixPath(member).name
        preferred = name == "_chat.txt" or _CHAT_PREFIX.match(PurePosixPath(name).stem)
        return (0 if preferred else 1, member.count("/"), member)

    texts = [m for m in export.members if m.lower().endswith(".txt")]
    return sorted(texts, key=rank)[:20]


def _find_member(export: Export) -> str | None:
    """The member holding the chat: the first candidate whose content has headers."""
    for member in _candidates(export):
        if _starts_like_chat(export.head(member, 16_384)):
            return member
    return None


def sniff(export: Export) -> bool:
    """Whether the export is a WhatsApp chat (a header among its first lines).

    Parameters
    ----------
    export : Export
        A file, folder or zip.

    Returns
    -------
    bool
        True when a text file (for a zip or folder: ``_chat.txt``, ``WhatsApp Chat
        with ….txt`` or another ``.txt``) starts with WhatsApp message headers.
    """
    try:
        return _find_member(export) is not None
    except (
        OSError,
        ExportError,
        zipfile.BadZipFile,
        NotImplementedError,  # a zip compression method Python cannot read
        RuntimeError,  # an encrypted zip member
        EOFError,
        zlib.error,
    ):
        # Damaged or unreadable: not ours to claim; read() names the problem if forced.
        return False


# ---------------------------------------------------------------------------
# Pass 1: day/month order


@dataclass
class _Survey:
    """Date-order evidence from every header of a file (pass 1)."""

    headers: int = 0  # headers parsed (those repeating the date before are skipped)
    dates: int = 0  # distinct date strings
    two_digit_first: int = 0  # line of the first date not starting with a year
    dmy_line: int = 0  # first date whose first field is a day above 12
    dmy_value: str = ""
    dmy_count: int = 0
    mdy_line: int = 0  # first date whose second field is a day above 12
    mdy_value: str = ""
    mdy_count: int = 0
    ymd_line: int = 0  # first date starting with a 4-digit year
    year_last_line: int = 0  # first non-year-first date ending with a 4-digit year
    short_last_line: int = 0  # first date ending with a 1-digit field
    ambiguous: int = 0  # distinct dates where day and month differ but both <= 12
    ambiguous_line: int = 0
    same_line: int = 0  # first date whose day and month are the same number
    backwards_dmy: int = 0  # date steps that go back in time when read as dmy
    backwards_mdy: int = 0


def _survey(export: Export, member: str) -> _Survey:
    """Collect date-order evidence from every header (a cheap first pass)."""
    survey = _Survey()
    match = _HEADER.match
    seen: set[str] = set()
    previous_date = None
    # Most lines repeat the date of the header before them: skip those unparsed.
    previous_start = "\n"
    last_dmy: tuple[int, int, int] | None = None
    last_mdy: tuple[int, int, int] | None = None
    for number, line in enumerate(export.text_lines(member), start=1):
        if line.startswith(previous_start):
            continue
        found = match(line)
        if found is None:
            continue
        survey.headers += 1
        # With the character after the date: "1/1/21," is no prefix of "1/1/2101".
        previous_start = line[: found.end(_DATE) + 1]
        date = found.group(_DATE)
        if date == previous_date:
            continue
        previous_date = date
        a, b, c = found.group(_A, _B, _C)
        if len(a) == 4:
            survey.ymd_line = survey.ymd_line or number
            continue
        first, second, year = int(a), int(b), int(c)
        if len(c) <= 2:
            year += 2000
        as_dmy, as_mdy = (year, second, first), (year, first, second)
        if last_dmy is not None and as_dmy < last_dmy:
            survey.backwards_dmy += 1
        if last_mdy is not None and as_mdy < last_mdy:
            survey.backwards_mdy += 1
        last_dmy, last_mdy = as_dmy, as_mdy
        if date in seen:
            continue
        seen.add(date)
        survey.dates += 1
        survey.two_digit_first = survey.two_digit_first or number
        if len(c) == 4 and not survey.year_last_line:
            survey.year_last_line = number
        if len(c) == 1:
            # Only year-first dates with a 2-digit year end in a 1-digit day.
            survey.short_last_line = survey.short_last_line or number
            survey.ambiguous += 1
            survey.ambiguous_line = survey.ambiguous_line or number
        elif 13 <= first <= 31 and 1 <= second <= 12:
            survey.dmy_count += 1
            if not survey.dmy_line:
                survey.dmy_line, survey.dmy_value = number, a
        elif 13 <= second <= 31 and 1 <= first <= 12:
            survey.mdy_count += 1
            if not survey.mdy_line:
                survey.mdy_line, survey.mdy_value = number, b
        elif first == second:
            survey.same_line = survey.same_line or number
        elif first <= 12 and second <= 12:
            survey.ambiguous += 1
            survey.ambiguous_line = survey.ambiguous_line or number
    if survey.headers == 0:
        raise ExportError(
            "no WhatsApp message header found (a line like '31/12/20, 21:05 - Name: "
            "text' or '[31.12.20, 21:05:10] Name: text'); is this a WhatsApp export?",
            export.where(member),
        )
    return survey


def _evidence(survey: _Survey, order: str) -> str:
    """Why the file says ``order``: line numbers and date fields, never text."""
    if order == "ymd":
        return f"dates start with a 4-digit year (line {survey.ymd_line})"
    if order == "dmy":
        value, line, count = survey.dmy_value, survey.dmy_line, survey.dmy_count
        place, other = "first", "second"
    else:
        value, line, count = survey.mdy_value, survey.mdy_line, survey.mdy_count
        place, other = "second", "first"
    more = f" and in {count - 1} more date(s)" if count > 1 else ""
    return (
        f"a day above 12 ({int(value)}) comes {place} in line {line}{more}; no date "
        f"has a {other} field above 12"
    )


def _decide_order(
    survey: _Survey,
    options: ParseOptions,
    report: ParseReport,
    export: Export,
    member: str,
) -> str:
    """Choose the day/month order for the file, record why, or raise."""
    where = export.where(member)
    given = options.date_order
    if given is not None and given not in ORDERS:
        raise ExportError(f"--date-order must be dmy, mdy or ymd, not {given!r}", where)
    if given is None and survey.dmy_line and survey.mdy_line:
        raise DateOrderError(
            f"the dates mix two orders: line {survey.dmy_line} has day "
            f"{int(survey.dmy_value)} first (day/month) but line {survey.mdy_line} "
            f"has day {int(survey.mdy_value)} second (month/day). One export uses one "
            "order; the file may be two exports pasted together. Split it, or fix the "
            "lines in the other order",
            where,
        )
    if survey.dmy_line:
        found: str | None = "dmy"
    elif survey.mdy_line:
        found = "mdy"
    elif not survey.two_digit_first:
        found = "ymd"  # every date starts with a 4-digit year
    else:
        found = None
    if given is not None:
        _check_given(survey, given, found, export, member)
        agrees = (
            "; the file agrees: " + _evidence(survey, given)
            if found == given
            else "; the dates in the file cannot tell"
        )
        report.decide(where, "date order", given, "given with --date-order" + agrees)
        return given
    year_first = (
        f"; dates that start with a 4-digit year (line {survey.ymd_line}) are read "
        "year-first"
        if survey.ymd_line and found != "ymd"
        else ""
    )
    if found is not None:
        report.decide(where, "date order", found, _evidence(survey, found) + year_first)
        return found
    if not survey.ambiguous:
        evidence = (
            "day and month are the same number in every date (first in line "
            f"{survey.same_line}), so both orders give the same dates"
            if survey.same_line
            else "no date in the file is valid in either order"
        )
        report.decide(where, "date order", "either", evidence + year_first)
        return "dmy"
    hint = ""
    steps = {"dmy": survey.backwards_dmy, "mdy": survey.backwards_mdy}
    better, worse = sorted(steps, key=steps.__getitem__)
    # Chats run forward in time, so an order under which the dates keep jumping
    # back is probably wrong; said only when the difference is large.
    if steps[worse] >= 3 and steps[better] * 4 <= steps[worse]:
        hint = (
            f" (a hint, not a proof: read as {worse} the dates jump back in time "
            f"{steps[worse]} times, read as {better} {steps[better]} times)"
        )
    if survey.short_last_line:
        hint += (
            f"; line {survey.short_last_line} ends in a 1-digit field, as year-first "
            "dates with a 2-digit year do (--date-order ymd)"
        )
    raise DateOrderError(
        "cannot tell whether dates are day/month or month/day: no day above 12 in any "
        f"of {survey.dates} dates (the first that could be either is in line "
        f"{survey.ambiguous_line}). Say which the phone used with --date-order dmy or "
        "--date-order mdy" + hint,
        where,
    )


def _check_given(
    survey: _Survey, given: str, found: str | None, export: Export, member: str
) -> None:
    """Raise when ``--date-order`` contradicts a date in the file."""
    conflict, reason = 0, ""
    if given == "dmy" and survey.mdy_line:
        conflict, reason = (
            survey.mdy_line,
            f"its second field {survey.mdy_value} cannot be a month",
        )
    elif given == "mdy" and survey.dmy_line:
        conflict, reason = (
            survey.dmy_line,
            f"its first field {survey.dmy_value} cannot be a month",
        )
    elif given == "ymd" and survey.mdy_line:
        conflict, reason = (
            survey.mdy_line,
            f"its second field {survey.mdy_value} cannot be a month",
        )
    elif given == "ymd" and survey.year_last_line:
        conflict, reason = survey.year_last_line, "its date ends with a 4-digit year"
    if conflict:
        if survey.dmy_line and survey.mdy_line:
            hint = "the file mixes day-first and month-first dates"
        else:
            hint = f"the file reads as {found}" if found else "the file does not fit it"
        raise DateOrderError(
            f"--date-order {given} does not fit line {conflict}: {reason}; {hint}. "
            "Leave out --date-order or give the right one",
            export.where(member, conflict),
        )


# ---------------------------------------------------------------------------
# Pass 2: messages


def _date_value(a: str, b: str, c: str, order: str) -> datetime | str:
    """Midnight of a header's date, or the reason it is not a date."""
    if len(a) == 4:
        if len(c) == 4:
            return "invalid date: a 4-digit year both first and last"
        year, month, day = int(a), int(b), int(c)
    elif order == "ymd":
        if len(c) == 4:
            return "invalid date: a 4-digit year last, but dates are read year-first"
        year, month, day = 2000 + int(a), int(b), int(c)
    elif len(c) == 1:
        return f"invalid date: a 1-digit year (dates read as {order})"
    else:
        year = int(c) + 2000 if len(c) == 2 else int(c)
        first, second = int(a), int(b)
        day, month = (first, second) if order == "dmy" else (second, first)
    if not 1 <= month <= 12:
        return f"invalid date: month {month} (dates read as {order})"
    try:
        return datetime(year, month, day)
    except ValueError:
        return f"invalid date: day {day} of month {month} (dates read as {order})"


def _time_value(
    h: str, mi: str, s: str | None, ampm: str | None
) -> tuple[timedelta | None, str, bool]:
    """A header's time as an offset from midnight, why it is invalid, and "00 a.m."."""
    hour, minute, second = int(h), int(mi), int(s) if s else 0
    odd = False
    if ampm:
        pm = ampm[0] in "pP"
        if hour > 12:
            return None, f"invalid time: hour {hour} with a 12-hour clock marker", False
        if hour == 0:
            odd = not pm  # "00:08 a. m.", seen in a real export: just after midnight
            hour = 12 if pm else 0
        elif hour == 12:
            hour = 12 if pm else 0
        elif pm:
            hour += 12
    elif hour > 23:
        return None, f"invalid time: hour {hour}", False
    if minute > 59 or second > 59:
        return (
            None,
            f"invalid time: minute or second above 59 ({minute}:{second})",
            False,
        )
    return timedelta(hours=hour, minutes=minute, seconds=second), "", odd


def _chat_name(export: Export, member: str) -> str:
    """The chat's name from the file (or zip, or folder) name."""
    if export.kind == "file":
        stem = PurePosixPath(export.path.name).stem
    elif export.kind == "zip":
        stem = export.path.stem
    else:
        inner = PurePosixPath(member).stem
        stem = inner if _CHAT_PREFIX.match(inner) else export.path.name
    name = _CHAT_PREFIX.sub("", stem).strip()
    return name or stem


def _clean_sender(raw: str) -> str:
    """A name from a header: no direction marks, plain spaces, no "~ " prefix."""
    return clean_header_spaces(strip_invisible(raw)).strip().lstrip(_TILDE).strip()


def _strip_edited(text: str) -> str | None:
    """The text without a trailing "edited" marker, or None when there is none."""
    start = text.rfind("<")
    if start < 0 or not _EDITED.match(text, start):
        return None
    return text[:start].rstrip(_EDITED_TRIM)


def _classify(
    text: str, first: str, sender: str, raw_sender: str
) -> tuple[str, str, str]:
    """Kind, sender and text of a line with a sender; ``first`` is its first line."""
    if _MARKER.match(text):
        if _DELETED.match(text):
            return "deleted", sender, strip_invisible(text).strip()
        if _MEDIA.match(text):
            return "media", sender, strip_invisible(first) + text[len(first) :]
        if _CALL.match(text):
            return "call", sender, strip_invisible(text).strip()
        if _NOTICE.match(text):
            # Often with the chat's name in the sender place: not an actor.
            return "system", "", strip_invisible(text).strip()
    if first.endswith(")") and _FILE_ATTACHED.match(first):
        return "media", sender, text
    if "POLL:" in text[:6] and _POLL.match(text):
        return "poll", sender, text
    if first and _is_system(first, raw_sender):
        return "system", "", strip_invisible(text).strip()
    return "message", sender, text


def _is_system(first: str, raw_sender: str) -> bool:
    """Whether a line with a sender is a membership or settings line.

    iOS writes these with the group's name, or the actor, in the sender place:
    ``Group: <U+200E>Anna added Ben`` or ``~ AK: ~ AK created this group``. A person
    writing "I left" must stay a message, so the phrase alone is not enough: the
    text must start with U+200E, or with the sender's own name and then an action.
    """
    if first[0] in INVISIBLE:
        return _SYSTEM_TEXT.search(strip_invisible(first)) is not None
    if not first.startswith(raw_sender + " "):
        return False
    # "~ " marks a name the export shows in place of a contact: an actor.
    action = _SYSTEM_AFTER_TILDE if raw_sender.startswith("~") else _SYSTEM_AFTER_NAME
    return action.match(first, len(raw_sender) + 1) is not None


def _classify_system(text: str) -> tuple[str, str]:
    """Kind and text of a line without a sender."""
    clean = strip_invisible(text).strip()
    if _CALL.match(clean):
        return "call", clean
    if _DELETED.match(clean):
        return "deleted", clean
    return "system", clean


def _span(first: int, last: int) -> str:
    """``line 3`` or ``lines 3-7``."""
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _member(export: Export) -> str:
    """The member to read, or an error saying why there is none."""
    if export.kind == "file":
        return export.members[0]  # the first pass says if it holds no header
    member = _find_member(export)
    if member is not None:
        return member
    texts = [m for m in export.members if m.lower().endswith(".txt")]
    what = (
        f"none of its {len(texts)} .txt files starts with WhatsApp message headers"
        if texts
        else "it holds no .txt file"
    )
    raise ExportError(
        f"{what}; give the _chat.txt or 'WhatsApp Chat with ….txt' file or the .zip "
        "WhatsApp made",
        export.name,
    )


def read(
    export: Export, options: ParseOptions, report: ParseReport
) -> Iterator[Message]:
    """Read a WhatsApp export into messages, in file order.

    Parameters
    ----------
    export : Export
        A ``.txt``, or a ``.zip`` or folder holding ``_chat.txt`` /
        ``WhatsApp Chat with ….txt`` (media files beside it are ignored).
    options : ParseOptions
        ``date_order`` ("dmy", "mdy", "ymd") overrides the order found in the file.
    report : ParseReport
        Gets the date-order decision with its evidence, notes (timestamps running
        backwards, "00 a.m." hours) and a problem per header whose date or time is
        invalid and per text before the first header.

    Yields
    ------
    Message
        Naive wall-time timestamps (``tz_known=False``). ``kind`` is ``message``,
        ``media``, ``deleted``, ``poll``, ``call`` or ``system`` (sender ``""``).

    Raises
    ------
    ExportError
        If no chat text is found or the file is not UTF-8.
    DateOrderError
        If the dates cannot tell day/month from month/day and ``date_order`` is not
        given, if they mix both orders, or if ``date_order`` contradicts them.
    """
    member = _member(export)
    where = export.where(member)
    survey = _survey(export, member)
    order = _decide_order(survey, options, report, export, member)
    name = _chat_name(export, member)
    conversation_id = f"whatsapp-{slug(name)}"
    id_prefix = conversation_id + "/"

    match = _HEADER.match
    dates: dict[str, datetime | str] = {}
    times: dict[str, tuple[timedelta | None, str, bool]] = {}
    senders: dict[str, str | None] = {}
    recent: OrderedDict[datetime, dict[str, int]] = OrderedDict()

    backwards = 0
    backwards_line = 0
    zero_am = 0
    zero_am_line = 0
    stray_first = stray_last = 0  # text lines before the first header
    bad_line = 0  # a header whose date or time is invalid...
    bad_reason = ""
    bad_extra = 0  # ...and the text lines that belong to it

    # The message being assembled.
    cur_line = 0
    cur_ts: datetime | None = None
    cur_sender = ""
    cur_raw_sender = ""
    cur_first = ""
    cur_more: list[str] | None = None
    cur_system = False
    blanks = 0
    last_ts: datetime | None = None

    def finish() -> Message:
        nonlocal backwards, backwards_line, last_ts
        assert cur_ts is not None
        text = cur_first if cur_more is None else "\n".join([cur_first, *cur_more])
        edited = False
        if cur_system:
            kind, text = _classify_system(text)
            sender = ""
        else:
            last = text[-1:]
            if last == ">" or (last and last in INVISIBLE):
                cut = _strip_edited(text)
                if cut is not None:
                    text, edited = cut, True
            first = text if cur_more is None else cur_first
            kind, sender, text = _classify(text, first, cur_sender, cur_raw_sender)
        if last_ts is not None and cur_ts < last_ts:
            backwards += 1
            backwards_line = backwards_line or cur_line
        last_ts = cur_ts
        bucket = recent.get(cur_ts)
        if bucket is None:
            bucket = recent[cur_ts] = {}
            if len(recent) > _ID_WINDOW:
                recent.popitem(last=False)
        # Joined as synthetic_id joins its parts: pairs that join alike share a count,
        # so they never share an id.
        key = f"{sender}\x1f{text}"
        n = bucket.get(key, 0)
        bucket[key] = n + 1
        return Message(
            conversation_id=conversation_id,
            message_id=id_prefix + synthetic_id(cur_ts.isoformat(), sender, text, n),
            timestamp=cur_ts,
            tz_known=False,
            sender=sender,
            text=text,
            kind=kind,
            edited=edited,
            conversation_name=name,
            source=f"{where}:{cur_line}",
        )

    def report_bad() -> None:
        lines = f"line {bad_line}" + (
            f" and its {bad_extra} continuation line(s)" if bad_extra else ""
        )
        report.problem(f"{where}:{bad_line}", f"{bad_reason}; {lines} not read")

    for number, line in enumerate(export.text_lines(member), start=1):
        found = match(line)
        if found is None:
            if cur_ts is not None:
                if not line:
                    blanks += 1
                    continue
                if cur_more is None:
                    cur_more = []
                if blanks:
                    cur_more.extend([""] * blanks)
                    blanks = 0
                cur_more.append(line)
            elif bad_line:
                bad_extra += 1 if line else 0
            elif line and strip_invisible(line).strip():
                stray_first = stray_first or number
                stray_last = number
            continue

        # A header: the message before it is complete.
        if cur_ts is not None:
            yield finish()
            cur_ts = None
        elif bad_line:
            report_bad()
            bad_line = 0
        elif stray_first:
            report.problem(
                f"{where}:{stray_first}",
                f"{_span(stray_first, stray_last)}: text before the first message "
                "header (no date, time or sender to attach it to); not read",
            )
            stray_first = 0

        date_key = found.group(_DATE)
        day = dates.get(date_key)
        if day is None:
            if len(dates) > _CACHE_LIMIT:
                dates.clear()
            a, b, c = found.group(_A, _B, _C)
            day = dates[date_key] = _date_value(a, b, c, order)
        time_key = found.group(_TIME)
        clock = times.get(time_key)
        if clock is None:
            if len(times) > _CACHE_LIMIT:
                times.clear()
            clock = times[time_key] = _time_value(*found.group(_H, _MI, _S, _AMPM))
        offset = clock[0]
        if isinstance(day, str) or offset is None:
            bad_line, bad_extra = number, 0
            bad_reason = day if isinstance(day, str) else clock[1]
            continue
        if clock[2]:
            zero_am += 1
            zero_am_line = zero_am_line or number
        cur_ts = day + offset
        cur_line = number
        cur_more = None
        blanks = 0

        rest = line[found.end() :]
        cut = rest.find(": ")
        if cut > 0:
            raw = rest[:cut]
            sender = senders.get(raw)
            if sender is None and raw not in senders:
                if len(senders) > _CACHE_LIMIT:
                    senders.clear()
                clean = _clean_sender(raw)
                sender = senders[raw] = (
                    None if not clean or _SYSTEM_SENDER.search(raw) else clean
                )
            if sender is not None:
                cur_system = False
                cur_sender, cur_raw_sender, cur_first = sender, raw, rest[cut + 2 :]
                continue
        elif rest.endswith(":."):
            # "John Doe:." with no space: chat-miner's sample writes a view-once
            # message so. Read as the sender and the text ".".
            raw = rest[:-2]
            clean = _clean_sender(raw)
            if clean and not _SYSTEM_SENDER.search(raw):
                cur_system = False
                cur_sender, cur_raw_sender, cur_first = clean, raw, "."
                continue
        cur_system = True
        cur_sender = cur_raw_sender = ""
        cur_first = rest

    if cur_ts is not None:
        yield finish()
    elif bad_line:
        report_bad()
    elif stray_first:
        report.problem(
            f"{where}:{stray_first}",
            f"{_span(stray_first, stray_last)}: text with no message header; not read",
        )
    if backwards:
        report.note(
            where,
            f"{backwards} message(s) are older than the message before them (first at "
            f"line {backwards_line}); kept in file order",
        )
    if zero_am:
        report.note(
            where,
            f"{zero_am} header(s) give the hour as 00 with a.m. (first at line "
            f"{zero_am_line}); read as just after midnight",
        )
