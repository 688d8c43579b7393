"""WhatsApp chat exports: the ``.txt`` (Android and iOS) and the ``.zip`` the app makes.

A WhatsApp export is plain text. Each message starts with a header (date, time and,
for ordinary messages, ``Sender: ``); every line without a full header continues the
message above it, blank lines included. Dates follow the phone's locale, so the day /
month order is decided once for the whole file from every header (see
:func:`read`), and the reader stops and asks (``--date-order``) rather than guess.

One export writes every header in one layout (brackets or not, date separator, year
width, comma, seconds, 12- or 24-hour clock, what ends the time). A line in another
layout is text someone pasted, so it continues the message above it. A layout is
*used by the file* when it is the most common one, or when it comes at least twice and
in at least 5% of the headers (or at least 100 times: two exports pasted together);
the lines in other layouts are counted in a note.

The file is read twice as a stream: a first pass collects the header layouts and the
date-order evidence, a second parses. Only the message being assembled is held in
memory.
"""

from __future__ import annotations

import re
import sys
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    # The last field is a year (2 or 4 digits) or, in year-first dates, a day. Arabic
    # exports put U+200F after the day and the month ("٢٤\u200f/٤\u200f/٢٠٢٢").
    r"(?P<date>(?P<a>\d{4}|\d{1,2})"
    rf"{_INV}*(?P<sep>[./-])(?P<b>\d{{1,2}}){_INV}*(?P=sep)"
    r"(?P<c>\d{4}|\d{1,2}))"
    rf"(?P<gap>{_INV}*(?:[,\u060c]{_SP}*|{_SP}+))"  # U+060C: the Arabic comma
    r"(?P<time>"
    # Chinese writes 上午 (a.m.) and 下午 (p.m.) before the time, or after it.
    rf"(?:(?P<pre>上午|下午){_SP}*)?"
    r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
    rf"(?(pre)|(?:{_SP}*(?P<ampm>[aApP]\.?{_SP}*[mM]\.?"
    # Arabic ص (a.m.) and م (p.m.), German vorm. and nachm.
    r"|\u0635|\u0645|vorm\.|nachm\.|上午|下午))?))"
    r"(?P<tail>\.?"  # "13:01. - " (seen in a real export)
    # Exports from before 2015 end the time with ": " ("3/24/14, 1:59:59 PM: Name: ").
    rf"(?(open){_INV}*\]{_SP}?|(?:{_SP}[-\u2013]|:){_SP}))"
)
_G = _HEADER.groupindex
_OPEN, _DATE, _A, _B, _C = _G["open"], _G["date"], _G["a"], _G["b"], _G["c"]
_SEP, _GAP, _TIME, _PRE = _G["sep"], _G["gap"], _G["time"], _G["pre"]
_H, _MI, _S, _AMPM, _TAIL = _G["h"], _G["mi"], _G["s"], _G["ampm"], _G["tail"]
# First letters of the words that mean p.m. ("nachm." is German, "م" Arabic).
_PM_START = "pPn\u0645下"
# What a layout ignores: spaces and direction marks.
_LAYOUT_DROP = str.maketrans("", "", " \u00a0\u202f\u2009" + INVISIBLE)

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
# File names that say nothing about the chat ("_chat (1)" after a second download).
_GENERIC_STEM = re.compile(r"(?i)(?:_?chat|whatsapp[ _-]?chat)(?:\s*\(\d+\)|[ _-]\d+)?")

# How many recent timestamps remember their (sender, text) counts for message ids.
_ID_WINDOW = 512
# A layout other than the most common one is used by the file when it comes this
# many times and in this share of the headers, or this many times whatever the share.
_LAYOUT_MIN = 2
_LAYOUT_SHARE = 0.05
_LAYOUT_ALWAYS = 100
# A chat's first header must come within this many non-empty lines to be detected.
_SNIFF_LINES = 20
_CACHE_LIMIT = 50_000
# Dates come in order, so a few thousand recent ones are all the cache needs.
_DATE_CACHE_LIMIT = 4_096


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
# Pass 1: header layouts and day/month order


def _date_layout(found: re.Match[str]) -> str:
    """The date part of a header's layout, such as ``[NN/NN/YYYY,``."""
    a, sep, c, gap = found.group(_A, _SEP, _C, _GAP)
    if len(a) == 4:
        date = f"YYYY{sep}NN{sep}NN"
    else:
        date = f"NN{sep}NN{sep}{'YYYY' if len(c) == 4 else 'YY'}"
    # Interned: the caches of pass 2 hold one per entry.
    return sys.intern(
        ("[" if found.group(_OPEN) else "") + date + gap.translate(_LAYOUT_DROP)
    )


def _time_layout(found: re.Match[str]) -> str:
    """The time part of a header's layout, such as `` HH:MM:SS am/pm]``."""
    pre, seconds, marker, tail = found.group(_PRE, _S, _AMPM, _TAIL)
    clock = "HH:MM:SS" if seconds else "HH:MM"
    if pre:
        clock = f"上午/下午 {clock}"
    elif marker:
        word = marker.translate(_LAYOUT_DROP).lower()
        if word[0] in "ap":
            word = f"a{word[1:]}/p{word[1:]}"
        else:
            word = {"\u0635": "\u0635/\u0645", "\u0645": "\u0635/\u0645"}.get(
                word, "vorm./nachm." if word[0] in "vn" else "上午/下午"
            )
        clock = f"{clock} {word}"
    end = tail.translate(_LAYOUT_DROP).replace("\u2013", "-")
    if end[:1] == ".":  # "13:01. - "
        clock, end = clock + ".", end[1:]
    return sys.intern(f" {clock}{end}" if end.endswith("]") else f" {clock} {end}")


@dataclass
class _Survey:
    """The headers of one layout and their date-order evidence (pass 1)."""

    layout: tuple[str, str] = ("", "")  # see _date_layout and _time_layout
    first: int = 0  # line of the first header in this layout
    headers: int = 0  # headers, counting lines that repeat the date before unparsed
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
    # While reading.
    previous_date: str = ""
    last_dmy: tuple[int, int, int] | None = None
    last_mdy: tuple[int, int, int] | None = None
    seen: set[str] = field(default_factory=set)

    def add(self, found: re.Match[str], number: int) -> None:
        """Take the date-order evidence of one header."""
        date = found.group(_DATE)
        if date == self.previous_date:
            return
        self.previous_date = date
        a, b, c = found.group(_A, _B, _C)
        if len(a) == 4:
            self.ymd_line = self.ymd_line or number
            return
        first, second, year = int(a), int(b), int(c)
        if len(c) <= 2:
            year += 2000
        as_dmy, as_mdy = (year, second, first), (year, first, second)
        if self.last_dmy is not None and as_dmy < self.last_dmy:
            self.backwards_dmy += 1
        if self.last_mdy is not None and as_mdy < self.last_mdy:
            self.backwards_mdy += 1
        self.last_dmy, self.last_mdy = as_dmy, as_mdy
        if date in self.seen:
            return
        self.seen.add(date)
        self.dates += 1
        self.two_digit_first = self.two_digit_first or number
        if len(c) == 4 and not self.year_last_line:
            self.year_last_line = number
        if len(c) == 1:
            # Only year-first dates with a 2-digit year end in a 1-digit day.
            self.short_last_line = self.short_last_line or number
            self.ambiguous += 1
            self.ambiguous_line = self.ambiguous_line or number
        elif 13 <= first <= 31 and 1 <= second <= 12:
            self.dmy_count += 1
            if not self.dmy_line:
                self.dmy_line, self.dmy_value = number, a
        elif 13 <= second <= 31 and 1 <= first <= 12:
            self.mdy_count += 1
            if not self.mdy_line:
                self.mdy_line, self.mdy_value = number, b
        elif first == second:
            self.same_line = self.same_line or number
        elif first <= 12 and second <= 12:
            self.ambiguous += 1
            self.ambiguous_line = self.ambiguous_line or number


def _survey(export: Export, member: str) -> list[_Survey]:
    """Every header layout of the file with its evidence (a cheap first pass)."""
    surveys: dict[tuple[str, str], _Survey] = {}
    match = _HEADER.match
    # Most lines repeat the date of the header before them: they are counted with
    # that header's layout, unparsed, once two headers in a row have had that layout
    # (so a pasted line in another layout does not lend it to the lines after it).
    previous_start = "\n"
    previous: _Survey | None = None
    trusted = False
    for number, line in enumerate(export.text_lines(member), start=1):
        if trusted and line.startswith(previous_start):
            assert previous is not None
            previous.headers += 1
            continue
        found = match(line)
        if found is None:
            continue
        # With the character after the date: "1/1/21," is no prefix of "1/1/2101".
        previous_start = line[: found.end(_DATE) + 1]
        layout = (_date_layout(found), _time_layout(found))
        survey = surveys.get(layout)
        if survey is None:
            survey = surveys[layout] = _Survey(layout, first=number)
        survey.headers += 1
        trusted = survey is previous
        previous = survey
        survey.add(found, number)
    for survey in surveys.values():
        survey.seen = set()  # not needed any more: free it before pass 2
    if not surveys:
        raise ExportError(
            "no WhatsApp message header found (a line like '31/12/20, 21:05 - Name: "
            "text' or '[31.12.20, 21:05:10] Name: text'); is this a WhatsApp export?",
            export.where(member),
        )
    return list(surveys.values())


def _used_layouts(surveys: list[_Survey]) -> list[_Survey]:
    """The layouts the file uses: the most common, and others seen often enough."""
    total = sum(survey.headers for survey in surveys)
    main = max(surveys, key=lambda survey: survey.headers)  # the first on a tie
    return [
        survey
        for survey in surveys
        if survey is main
        or (
            survey.headers >= _LAYOUT_MIN
            and (
                survey.headers >= _LAYOUT_SHARE * total
                or survey.headers >= _LAYOUT_ALWAYS
            )
        )
    ]


def _merge(surveys: list[_Survey]) -> _Survey:
    """The evidence of several layouts as one."""
    if len(surveys) == 1:
        return surveys[0]
    merged = _Survey()
    for name in (
        "headers",
        "dates",
        "dmy_count",
        "mdy_count",
        "ambiguous",
        "backwards_dmy",
        "backwards_mdy",
    ):
        setattr(merged, name, sum(getattr(survey, name) for survey in surveys))
    for name in (
        "two_digit_first",
        "ymd_line",
        "year_last_line",
        "short_last_line",
        "ambiguous_line",
        "same_line",
    ):
        setattr(merged, name, min((getattr(s, name) for s in surveys), key=_first))
    dmy = min(surveys, key=lambda survey: _first(survey.dmy_line))
    merged.dmy_line, merged.dmy_value = dmy.dmy_line, dmy.dmy_value
    mdy = min(surveys, key=lambda survey: _first(survey.mdy_line))
    merged.mdy_line, merged.mdy_value = mdy.mdy_line, mdy.mdy_value
    return merged


def _first(line: int) -> float:
    """Sort key of a "first line" field: 0 (none) last."""
    return line or float("inf")


def _describe(layout: tuple[str, str]) -> str:
    """A layout as shown in notes: ``NN/NN/YYYY, HH:MM -``."""
    return "".join(layout)


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
    """Choose the day/month order for the file, record why, or raise.

    The file's own dates come first: ``--date-order`` is used only when they cannot
    decide, so one option can serve several files. When a date rules the option out
    and the file decides, the file is read its own way and a note says so.
    """
    where = export.where(member)
    given = options.date_order
    if given is not None and given not in ORDERS:
        raise ExportError(f"--date-order must be dmy, mdy or ymd, not {given!r}", where)
    conflict, reason = _conflict(survey, given)
    if survey.dmy_line and survey.mdy_line:
        if conflict:
            raise DateOrderError(
                f"--date-order {given} does not fit line {conflict}: {reason}; the "
                "file mixes day-first and month-first dates. Split the file, or fix "
                "the lines in the other order",
                export.where(member, conflict),
            )
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
    year_first = (
        f"; dates that start with a 4-digit year (line {survey.ymd_line}) are read "
        "year-first"
        if survey.ymd_line and found != "ymd"
        else ""
    )
    if given is not None:
        if conflict and found is not None:
            evidence = _evidence(survey, found)
            report.decide(
                where,
                "date order",
                found,
                f"{evidence}{year_first}; --date-order {given} not used: line "
                f"{conflict} rules it out",
            )
            report.note(
                where,
                f"--date-order {given} does not fit line {conflict} ({reason}); the "
                f"file's own dates decide, so they are read as {found}",
            )
            return found
        if conflict:
            raise DateOrderError(
                f"--date-order {given} does not fit line {conflict}: {reason}; the "
                "file does not fit it. Leave out --date-order or give the right one",
                export.where(member, conflict),
            )
        if found == "ymd":
            report.decide(
                where,
                "date order",
                found,
                f"{_evidence(survey, found)}; --date-order {given} not needed",
            )
            return found
        if found == given:
            agrees = "; the file agrees: " + _evidence(survey, given)
        elif found is None:
            agrees = "; the dates in the file cannot tell"
        else:
            # "13/1/10" fits year-first with a 2-digit year as well as day-first.
            agrees = f"; the dates in the file fit it as well as {found}"
        report.decide(where, "date order", given, "given with --date-order" + agrees)
        return given
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


def _conflict(survey: _Survey, given: str | None) -> tuple[int, str]:
    """The first line whose date rules ``--date-order`` out and why, or ``(0, "")``."""
    if given in ("dmy", "ymd") and survey.mdy_line:
        return survey.mdy_line, f"its second field {survey.mdy_value} cannot be a month"
    if given == "mdy" and survey.dmy_line:
        return survey.dmy_line, f"its first field {survey.dmy_value} cannot be a month"
    if given == "ymd" and survey.year_last_line:
        return survey.year_last_line, "its date ends with a 4-digit year"
    return 0, ""


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
    """A header's time as an offset from midnight, why it is invalid, and "00 a.m.".

    ``ampm`` is the 12-hour clock word, before or after the time, or None.
    """
    hour, minute, second = int(h), int(mi), int(s) if s else 0
    odd = False
    if ampm:
        pm = ampm[0] in _PM_START
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
    """The chat's name from the file name, or from the folder or zip holding it.

    ``WhatsApp Chat with Anna.txt`` is "Anna" wherever it is. A file named only
    ``_chat.txt`` (iOS), ``chat.txt`` or ``WhatsApp Chat.txt`` takes the name of the
    folder holding it (inside a zip or folder given whole: its subfolder, else the
    zip or folder itself), so that ``A/_chat.txt`` and ``B/_chat.txt`` differ. Any
    other file given alone keeps its own name; read from a zip or folder given
    whole, it takes the zip's or folder's name.
    """
    inner = export._inner  # a zip member opened as a file (Export has no public name)
    if export.kind == "file" and inner is None:
        path = PurePosixPath(export.path.name)
        # The folder holding the file, whatever the working directory.
        container = export.path.absolute().parent.name
    else:
        path = PurePosixPath(inner or member)
        if export.kind == "folder":
            container = export.path.absolute().name
        else:
            # A zip member's path is the zip's path joined with the member's.
            archive = export.path.parents[len(path.parts) - 1] if inner else export.path
            container = archive.stem
    stem = path.stem
    own = _CHAT_PREFIX.sub("", stem).strip()
    if own and own != stem:
        return own  # "WhatsApp Chat with Anna"
    if _GENERIC_STEM.fullmatch(stem.strip()):
        holder = path.parent.name or container
    elif export.kind == "file":
        return stem
    else:
        holder = container
    name = _CHAT_PREFIX.sub("", holder).strip()
    return name or holder or stem


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
    # Most texts neither start with a mark nor with the sender's name: skip the call.
    if (
        first
        and (first[0] in INVISIBLE or first.startswith(raw_sender))
        and _is_system(first, raw_sender)
    ):
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
        ``WhatsApp Chat with ….txt`` (media files beside it are ignored). From a zip
        or folder exactly one chat is read: the first by name among ``_chat.txt`` and
        ``WhatsApp Chat with ….txt`` files, nearest the top, else among the other
        ``.txt`` files; the caller reads any others on their own.
    options : ParseOptions
        ``date_order`` ("dmy", "mdy", "ymd") is used when the file's dates cannot
        decide the order; a file whose dates decide is read its own way.
    report : ParseReport
        Gets the date-order decision with its evidence, notes (timestamps running
        backwards, "00 a.m." hours, header-like lines in a layout the file does not
        use, ids that include a line number, a ``--date-order`` the file overrules)
        and a problem per header whose date or time is invalid and per text before
        the first header.

    Yields
    ------
    Message
        Naive wall-time timestamps (``tz_known=False``). ``kind`` is ``message``,
        ``media``, ``deleted``, ``poll``, ``call`` or ``system`` (sender ``""``).
        Ids are unique within the file and the same on every read: made from the
        timestamp, sender, text and how many times that triple came before; a
        message whose timestamp is older than the ids can still remember (see
        ``_ID_WINDOW``) gets its line number instead of that count.

    Raises
    ------
    ExportError
        If no chat text is found or the file is not UTF-8.
    DateOrderError
        If the dates cannot tell day/month from month/day and ``date_order`` is not
        given, if they mix both orders, or if ``date_order`` contradicts a file that
        cannot decide between day/month and month/day either.
    """
    member = _member(export)
    where = export.where(member)
    surveys = _survey(export, member)
    used_surveys = _used_layouts(surveys)
    order = _decide_order(_merge(used_surveys), options, report, export, member)
    used = {survey.layout for survey in used_surveys}
    if len(used_surveys) > 1:
        layouts = ", ".join(
            f"{_describe(survey.layout)} (from line {survey.first})"
            for survey in sorted(used_surveys, key=lambda survey: survey.first)
        )
        report.note(
            where,
            f"the headers come in {len(used_surveys)} layouts: {layouts}; the file "
            "may be several exports pasted together",
        )
    name = _chat_name(export, member)
    conversation_id = f"whatsapp-{slug(name)}"
    id_prefix = conversation_id + "/"

    match = _HEADER.match
    # Keyed by the header up to the time (with the time layouts the file uses after
    # that date layout), and by the time to the end of the header.
    heads: dict[str, tuple[datetime | str, frozenset[str], str]] = {}
    allowed: dict[str, frozenset[str]] = {}
    for date_layout, time_layout in used:
        allowed[date_layout] = allowed.get(date_layout, frozenset()) | {time_layout}
    clocks: dict[str, tuple[timedelta | None, str, bool, str]] = {}
    senders: dict[str, str | None] = {}
    # Per recent timestamp: how many times each (sender, text) came, or the key of
    # the only message so far at that time.
    recent: OrderedDict[datetime, str | dict[str, int]] = OrderedDict()
    forgotten = datetime.min  # the latest timestamp dropped from ``recent``

    backwards = 0
    backwards_line = 0
    zero_am = 0
    zero_am_line = 0
    by_line = 0  # messages whose id holds their line number
    by_line_first = 0
    foreign = 0  # header-like lines in a layout the file does not use
    foreign_line = 0
    foreign_layouts: dict[tuple[str, str], None] = {}
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
        nonlocal backwards, backwards_line, last_ts, forgotten, by_line, by_line_first
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
        stamp = cur_ts.isoformat()
        # Joined as synthetic_id joins its parts: pairs that join alike share a
        # count, so they never share an id.
        key = f"{sender}\x1f{text}"
        bucket = recent.get(cur_ts)
        n: int | str
        if bucket is None:
            if cur_ts <= forgotten:
                # Messages at this time may have been forgotten, and a count would
                # start again and repeat their ids. The line number is unique; as
                # "line N" is never a count, no id made from a count can equal it.
                by_line += 1
                by_line_first = by_line_first or cur_line
                n = f"line {cur_line}"
            else:
                # The first message at this time; its key alone, until a second.
                recent[cur_ts] = key
                n = 0
                if len(recent) > _ID_WINDOW:
                    dropped = recent.popitem(last=False)[0]
                    if dropped > forgotten:
                        forgotten = dropped
        elif isinstance(bucket, str):
            n = 1 if bucket == key else 0
            recent[cur_ts] = {key: 2} if n else {bucket: 1, key: 1}
        else:
            n = bucket.get(key, 0)
            bucket[key] = n + 1
        message_id = synthetic_id(stamp, sender, text, n)
        return Message(
            conversation_id=conversation_id,
            message_id=id_prefix + message_id,
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
        if found is not None:
            split = found.start(_TIME)
            end = found.end()
            head_key = line[:split]
            try:
                head = heads[head_key]
            except KeyError:
                if len(heads) > _DATE_CACHE_LIMIT:
                    heads.clear()
                a, b, c = found.group(_A, _B, _C)
                date_layout = _date_layout(found)
                head = heads[head_key] = (
                    _date_value(a, b, c, order),
                    allowed.get(date_layout, frozenset()),
                    date_layout,
                )
            clock_key = line[split:end]
            try:
                clock = clocks[clock_key]
            except KeyError:
                if len(clocks) > _CACHE_LIMIT:
                    clocks.clear()
                h, mi, s, pre, ampm = found.group(_H, _MI, _S, _PRE, _AMPM)
                clock = clocks[clock_key] = (
                    *_time_value(h, mi, s, pre or ampm),
                    _time_layout(found),
                )
            if clock[3] not in head[1]:
                # Pasted text in another export's layout: not a message of this one.
                foreign += 1
                foreign_line = foreign_line or number
                foreign_layouts[head[2], clock[3]] = None
                found = None
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

        day = head[0]
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

        rest = line[end:]
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
    if foreign:
        shown = [_describe(layout) for layout in list(foreign_layouts)[:3]]
        more = len(foreign_layouts) - len(shown)
        report.note(
            where,
            f"{foreign} line(s) look like message headers in a layout this file does "
            f"not use ({'; '.join(shown)}{f'; {more} more' if more > 0 else ''}; first "
            f"at line {foreign_line}); read as message text, not as new messages",
        )
    if by_line:
        report.note(
            where,
            f"{by_line} message(s) have a timestamp older than the last {_ID_WINDOW} "
            f"distinct timestamps (first at line {by_line_first}), as when exports are "
            "pasted together or the clock goes back; their ids include their line "
            "number so that they stay unique",
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
