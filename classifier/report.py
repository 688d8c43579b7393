"""The parse report: what was read, what was decided, every record that was not read.

Readers record problems and decisions here instead of printing; ``reread parse`` shows
the report on stderr and ``--report FILE`` writes it as JSON. It never holds message
text: chat exports are private.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import RecordError, TableError
from .records import Message

__all__ = ["ParseReport"]


@dataclass
class ParseReport:
    """Counts, decisions and problems gathered while parsing.

    Parameters
    ----------
    strict : bool
        When True, the first unreadable record raises :class:`RecordError` instead of
        being recorded.

    Attributes
    ----------
    inputs : list of dict
        One entry per input: ``path``, ``format``, ``messages``, ``conversations``.
    decisions : list of dict
        ``{"where", "what", "value", "evidence"}``: choices made from the data, such as
        a WhatsApp file's day/month order.
    problems : list of dict
        ``{"where", "reason"}`` for every line or record that could not be read.
    notes : list of dict
        ``{"where", "note"}``: things worth knowing that lose nothing (duplicates
        merged, timestamps running backwards, continuation lines).
    """

    strict: bool = False
    inputs: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    senders: Counter[str] = field(default_factory=Counter)
    conversations: Counter[str] = field(default_factory=Counter)
    messages: int = 0
    _range_aware: tuple[Any, Any] = (None, None)
    _range_naive: tuple[Any, Any] = (None, None)

    def problem(self, where: str, reason: str) -> None:
        """Record a line or record that could not be read (raise it when strict)."""
        if self.strict:
            raise RecordError(
                f"{reason} (--strict stops at the first unreadable record)", where
            )
        self.problems.append({"where": where, "reason": reason})

    def note(self, where: str, note: str) -> None:
        """Record something a user may want to know; nothing was lost."""
        self.notes.append({"where": where, "note": note})

    def decide(self, where: str, what: str, value: str, evidence: str) -> None:
        """Record a choice made from the data, with the evidence for it."""
        self.decisions.append(
            {"where": where, "what": what, "value": value, "evidence": evidence}
        )

    def count(self, message: Message) -> None:
        """Account for one message that reaches the output."""
        self.messages += 1
        self.kinds[message.kind] += 1
        if message.sender:
            self.senders[message.sender] += 1
        self.conversations[message.conversation_id] += 1
        # Aware and naive times cannot be compared, so each kind keeps its own range;
        # the report shows both as wall-clock readings.
        stamp = message.timestamp
        low, high = self._range_aware if stamp.tzinfo else self._range_naive
        if low is None or stamp < low:
            low = stamp
        if high is None or stamp > high:
            high = stamp
        if stamp.tzinfo:
            self._range_aware = (low, high)
        else:
            self._range_naive = (low, high)

    @property
    def first(self) -> datetime | None:
        """The earliest timestamp (UTC values read as UTC wall time)."""
        ends = [r[0].replace(tzinfo=None) for r in self._ranges() if r[0] is not None]
        return min(ends, default=None)

    @property
    def last(self) -> datetime | None:
        """The latest timestamp (UTC values read as UTC wall time)."""
        ends = [r[1].replace(tzinfo=None) for r in self._ranges() if r[1] is not None]
        return max(ends, default=None)

    def _ranges(self) -> tuple[tuple[Any, Any], ...]:
        return (self._range_aware, self._range_naive)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "messages": self.messages,
            "kinds": dict(self.kinds.most_common()),
            "senders": dict(self.senders.most_common()),
            "conversations": dict(self.conversations),
            "first_timestamp": self.first.isoformat() if self.first else None,
            "last_timestamp": self.last.isoformat() if self.last else None,
            "inputs": self.inputs,
            "decisions": self.decisions,
            "problems": self.problems,
            "notes": self.notes,
        }

    def write_json(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`to_dict` as UTF-8 JSON.

        Raises
        ------
        TableError
            If the file cannot be written.
        """
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise TableError(
                f"{path}: cannot write the report ({exc.strerror})"
            ) from None

    def format_text(self, max_rows: int = 20) -> str:
        """The report for people, as printed on stderr."""
        lines = []
        for entry in self.inputs:
            lines.append(
                f"{entry['path']}: {entry['format']}, {entry['messages']} messages in "
                f"{entry['conversations']} conversation(s)"
            )
        kinds = ", ".join(f"{n} {k}" for k, n in self.kinds.most_common())
        lines.append(f"{self.messages} messages ({kinds or 'none'})")
        if self.first and self.last:
            lines.append(
                f"from {self.first:%Y-%m-%d %H:%M} to {self.last:%Y-%m-%d %H:%M}"
            )
        senders = self.senders.most_common()
        shown = ", ".join(f"{name} ({n})" for name, n in senders[:max_rows])
        more = (
            f", and {len(senders) - max_rows} more" if len(senders) > max_rows else ""
        )
        lines.append(f"{len(senders)} senders: {shown}{more}")
        for decision in self.decisions:
            lines.append(
                f"{decision['where']}: {decision['what']} = {decision['value']} "
                f"({decision['evidence']})"
            )
        for note in self.notes[:max_rows]:
            lines.append(f"note: {note['where']}: {note['note']}")
        if len(self.notes) > max_rows:
            lines.append(
                f"note: {len(self.notes) - max_rows} more notes (see --report)"
            )
        if self.problems:
            lines.append(f"{len(self.problems)} records could not be read:")
            for problem in self.problems[:max_rows]:
                lines.append(f"  {problem['where']}: {problem['reason']}")
            if len(self.problems) > max_rows:
                lines.append(
                    f"  ... {len(self.problems) - max_rows} more (see --report)"
                )
        return "\n".join(lines)
