"""No message text reaches an error message or the parse report.

Chat exports are private: errors, problems, notes and decisions may name files,
places, fields and reasons, never what people wrote. Every fixture (file or folder) is
parsed as it is and after a few kinds of damage (cut short, a line deleted, bytes
swapped); whatever the outcome, the texts of the original's messages must not appear
in the error or in the report.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest

import classifier
from classifier.errors import ClassifierError
from classifier.report import ParseReport

FIXTURES = Path(__file__).parent / "fixtures"
# Shorter texts ("ok", "hello") are common words, not evidence of a leak.
MIN_LENGTH = 6
MUTATIONS_PER_KIND = 2
# Message texts of the fixtures that are also words of a reason ("a reply without a
# message"): finding them in a report is no evidence of a leak.
_GENERIC = {"a reply"}
_DOCS = {"README.md", "PROVENANCE.md"}


def _fixtures() -> list[Path]:
    """Every fixture: each file or folder inside ``<group>/<format>/``."""
    found = []
    for group in ("exports", "synthetic"):
        for fmt in sorted((FIXTURES / group).iterdir()):
            if fmt.is_dir():
                found += [p for p in sorted(fmt.iterdir()) if p.name not in _DOCS]
    return found


def _parse(
    path: Path, date_order: str | None = None
) -> tuple[list[classifier.Message], ParseReport, str]:
    """Rows, report and error text (empty when the parse succeeded)."""
    report = ParseReport()
    rows: list[classifier.Message] = []
    try:
        for row in classifier.parse([path], report=report, date_order=date_order):
            rows.append(row)
    except ClassifierError as exc:
        return rows, report, str(exc)
    return rows, report, ""


# A text field of a JSON record, found even in a broken or truncated file.
_JSON_TEXT = re.compile(r'"(?:content|text|body|quote)"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _raw_texts(path: Path) -> list[str]:
    """Text fields of the JSON records in a file or folder, parsed or not.

    Records that a reader rejects never become rows, yet they are the ones whose
    problems are reported: their text must not be quoted either.
    """
    files = [path] if path.is_file() else sorted(path.rglob("*"))
    found = []
    for file in files:
        if file.suffix.lower() not in (".json", ".jsonl"):
            continue
        for raw in _JSON_TEXT.findall(file.read_text(encoding="utf-8-sig")):
            try:
                found.append(json.loads(f'"{raw}"'))
            except ValueError:
                continue
    return found


def _secrets(path: Path) -> set[str]:
    """The texts of a fixture's messages (and their longer lines)."""
    rows, report, error = _parse(path)
    if error and not rows:
        # WhatsApp files whose dates cannot tell day from month need the order.
        rows, report, _ = _parse(path, date_order="dmy")
    # Names may rightly appear in a report (senders are counted there).
    public = {str(path)} | set(report.senders) | set(report.conversations)
    public |= {m.conversation_name for m in rows} | {m.sender for m in rows}
    secrets = set()
    for text in [m.text for m in rows] + _raw_texts(path):
        for piece in (text, *text.splitlines()):
            piece = piece.strip()
            if piece in _GENERIC or len(piece) < MIN_LENGTH:
                continue
            if not any(piece in p for p in public):
                secrets.add(piece)
    return secrets


def _mutants(data: bytes, rng: random.Random) -> list[tuple[str, bytes]]:
    """Damaged copies of a file's bytes: cut short, a line gone, two bytes swapped."""
    lines = data.splitlines(keepends=True)
    out = [("first-line-gone", b"".join(lines[1:]))]  # a table without its header
    for n in range(MUTATIONS_PER_KIND):
        out.append((f"truncated{n}", data[: rng.randrange(1, max(2, len(data)))]))
        if len(lines) > 1:
            gone = rng.randrange(len(lines))
            out.append((f"line{gone}", b"".join(lines[:gone] + lines[gone + 1 :])))
        if len(data) > 2:
            i = rng.randrange(len(data) - 1)
            swapped = data[:i] + data[i + 1 : i + 2] + data[i : i + 1] + data[i + 2 :]
            out.append((f"swap{i}", swapped))
    return out


def _largest_file(folder: Path) -> Path:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return max(files, key=lambda p: (p.stat().st_size, str(p)))


def _leaks(secrets: set[str], error: str, report: ParseReport) -> list[str]:
    shown = report.to_dict()
    # Sender names are counted in the report by design. A damaged file can put a
    # text where a name belongs (an iMessage TXT whose sender line is gone), which
    # is a misreading of that file, not a reason or note quoting it.
    del shown["senders"]
    text = error + "\n" + json.dumps(shown, ensure_ascii=False)
    return sorted(s for s in secrets if s in text)


FIXTURE_PATHS = _fixtures()


def test_every_fixture_is_found_and_has_texts_to_look_for() -> None:
    names = {p.name for p in FIXTURE_PATHS}
    assert {"AnnaBerg", "hfaran_testarchive", "messages.csv"} <= names
    assert len(FIXTURE_PATHS) >= 40
    assert [p.name for p in FIXTURE_PATHS if not _secrets(p)] == []


@pytest.mark.parametrize(
    "fixture", FIXTURE_PATHS, ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_no_message_text_in_errors_or_report(fixture: Path, tmp_path: Path) -> None:
    secrets = _secrets(fixture)
    _, report, error = _parse(fixture)
    assert _leaks(secrets, error, report) == [], "original"

    rng = random.Random(f"{fixture.parent.name}/{fixture.name}")
    if fixture.is_dir():
        copy = tmp_path / fixture.name
        shutil.copytree(fixture, copy)
        target = _largest_file(copy)
        relative = target.relative_to(copy)
        original = (fixture / relative).read_bytes()
        parse_path = copy
    else:
        target = tmp_path / fixture.name
        original = fixture.read_bytes()
        parse_path = target
    for name, damaged in _mutants(original, rng):
        target.write_bytes(damaged)
        _, report, error = _parse(parse_path)
        assert _leaks(secrets, error, report) == [], name
