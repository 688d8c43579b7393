"""The Slack workspace export reader, on the two sample trees and on synthetic trees."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import classifier
from classifier.errors import ExportError, RecordError
from classifier.exports import detect_format, open_export
from classifier.exports._common import ParseOptions
from classifier.exports.slack import read, render_markup, sniff
from classifier.records import Message, reaction
from classifier.report import ParseReport

SAMPLES = Path(__file__).parent / "fixtures" / "exports" / "slack"
HFARAN = SAMPLES / "hfaran_testarchive"
SLACKDUMP = SAMPLES / "slackdump_source_export"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def read_all(
    path: Path, report: ParseReport | None = None
) -> tuple[list[Message], ParseReport]:
    report = report if report is not None else ParseReport()
    export = open_export(path)
    try:
        assert sniff(export)
        return list(read(export, ParseOptions(), report)), report
    finally:
        export.close()


def zip_tree(folder: Path, target: Path, top: str = "") -> Path:
    """Zip ``folder``'s files, under ``top/`` when given (as Archive Utility does)."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.write(path, f"{top}/{name}" if top else name)
    return target


def write_tree(root: Path, files: dict[str, Any]) -> Path:
    """Write ``{relative path: JSON value or raw str}`` under ``root``."""
    for name, value in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = value if isinstance(value, str) else json.dumps(value, indent=1)
        path.write_text(text, encoding="utf-8")
    return root


def kinds_by_conversation(messages: list[Message]) -> dict[str, Counter[str]]:
    result: dict[str, Counter[str]] = {}
    for m in messages:
        result.setdefault(m.conversation_id, Counter())[m.kind] += 1
    return result


def notes_text(report: ParseReport) -> str:
    return "\n".join(f"{n['where']}: {n['note']}" for n in report.notes)


# ---------------------------------------------------------------------------
# sniff


def test_sniff_accepts_both_sample_trees_and_their_zips(tmp_path: Path) -> None:
    for tree in (HFARAN, SLACKDUMP):
        assert sniff(open_export(tree))
        export = open_export(zip_tree(tree, tmp_path / f"{tree.name}.zip"))
        assert sniff(export)
        assert detect_format(export) == "slack"
        export.close()


@pytest.mark.parametrize(
    "path",
    [
        HFARAN / "channels.json",
        HFARAN / "enrique" / "2016-01-14.json",
        HFARAN / "enrique",  # one channel folder, no channels.json
    ],
)
def test_sniff_rejects_single_files_and_channel_folders(path: Path) -> None:
    assert not sniff(open_export(path))


def test_sniff_rejects_lists_without_day_files_and_other_content(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path / "lists", {"channels.json": [], "general/notes.txt": "hi"})
    assert not sniff(open_export(tmp_path / "lists"))
    # A day file must sit in a folder right under the folder holding channels.json.
    write_tree(tmp_path / "deep", {"channels.json": [], "a/b/2020-01-01.json": []})
    assert not sniff(open_export(tmp_path / "deep"))
    (tmp_path / "bin.zip").write_bytes(b"PK\x03\x04 not really a zip \x00\xff")
    assert not sniff(open_export(tmp_path / "bin.zip"))
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("_chat.txt", "12/01/2020, 10:00 - A: hi\n")
    assert not sniff(open_export(tmp_path / "other.zip"))


def test_sniff_accepts_dms_only_export(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "x",
        {"dms.json": [{"id": "D1", "members": ["U1"]}], "D1/2020-01-01.json": []},
    )
    assert sniff(open_export(tmp_path / "x"))


# ---------------------------------------------------------------------------
# hfaran/slack-export-viewer test archive: no users.json, bot messages, an edit


def test_hfaran_rows() -> None:
    messages, report = read_all(HFARAN)
    assert report.problems == []
    rows = [
        (m.message_id, m.kind, m.sender, m.sender_id, m.timestamp, m.reply_to)
        for m in messages
    ]
    enrique, sailor = "slack-C0JGLMMNX", "slack-C0JL6CGQ2"
    assert rows == [
        (f"{enrique}/1452837318.000002", "system", "U0BMQB6JE", "U0BMQB6JE",
         utc(2016, 1, 15, 5, 55, 18, 2), None),
        (f"{enrique}/1452837318.000003", "system", "U0BMYT2FL", "U0BMYT2FL",
         utc(2016, 1, 15, 5, 55, 18, 3), None),
        (f"{enrique}/1452837318.000004", "system", "U0BMS113R", "U0BMS113R",
         utc(2016, 1, 15, 5, 55, 18, 4), None),
        (f"{enrique}/1452837318.000005", "system", "U0BMM2FEH", "U0BMM2FEH",
         utc(2016, 1, 15, 5, 55, 18, 5), None),
        (f"{enrique}/1452837352.000006", "message", "U0BMQB6JE", "U0BMQB6JE",
         utc(2016, 1, 15, 5, 55, 52, 6), None),
        (f"{enrique}/1452837359.000007", "message", "U0BMQB6JE", "U0BMQB6JE",
         utc(2016, 1, 15, 5, 55, 59, 7), None),
        (f"{sailor}/1458949481.000002", "message", "U0BMYT2FL", "U0BMYT2FL",
         utc(2016, 3, 25, 23, 44, 41, 2), None),
        (f"{sailor}/1458949486.000004", "message", "U0BMYT2FL", "U0BMYT2FL",
         utc(2016, 3, 25, 23, 44, 46, 4), None),
        (f"{sailor}/1458949495.000005", "message", "U0BMYT2FL", "U0BMYT2FL",
         utc(2016, 3, 25, 23, 44, 55, 5), None),
        (f"{sailor}/1458952384.000006", "message", "B0JL6UFSL", "B0JL6UFSL",
         utc(2016, 3, 26, 0, 33, 4, 6), None),
        (f"{sailor}/1458952505.000007", "message", "B0JL6UFSL", "B0JL6UFSL",
         utc(2016, 3, 26, 0, 35, 5, 7), None),
        (f"{sailor}/1458952510.000008", "message", "B0JL6UFSL", "B0JL6UFSL",
         utc(2016, 3, 26, 0, 35, 10, 8), None),
        (f"{sailor}/1458972916.000009", "message", "U0BMQB6JE", "U0BMQB6JE",
         utc(2016, 3, 26, 6, 15, 16, 9), None),
        (f"{sailor}/1458972985.000010", "message", "U0BMQB6JE", "U0BMQB6JE",
         utc(2016, 3, 26, 6, 16, 25, 10), None),
        (f"{sailor}/1458972992.000011", "message", "U0BMQB6JE", "U0BMQB6JE",
         utc(2016, 3, 26, 6, 16, 32, 11), None),
    ]  # fmt: skip
    assert kinds_by_conversation(messages) == {
        enrique: Counter(system=4, message=2),
        sailor: Counter(message=9),
    }
    assert {m.conversation_id: m.conversation_name for m in messages} == {
        enrique: "#enrique",
        sailor: "#traveling-sailor",
    }
    assert all(m.tz_known and m.reactions == [] for m in messages)
    assert messages[0].source == str(HFARAN / "enrique" / "2016-01-14.json") + (
        ":messages[0]"
    )
    # users.json was left out of the sample: ids stay ids, and the report says why.
    assert "users.json is missing" in notes_text(report)


def test_hfaran_text_markup_edits_and_bots() -> None:
    messages, _ = read_all(HFARAN)
    by_ts = {m.message_id.rpartition("/")[2]: m for m in messages}
    assert by_ts["1452837318.000003"].text == "@U0BMYT2FL has joined the channel"
    assert by_ts["1452837352.000006"].text == (
        "@U0BMYT2FL: Created an issue for a setup.py so that it can be installed "
        "to a standard place"
    )
    # JSON's escaped "\/" is a plain slash; <url> markup is the bare url.
    assert by_ts["1458949481.000002"].text == (
        "@U0BMQB6JE: https://www.maxmind.com/en/free-world-cities-database"
    )
    # The caret "reply" has no thread: no reply link is invented.
    assert by_ts["1458972992.000011"].text == "@U0BMS113R: ^"
    assert by_ts["1458972992.000011"].reply_to is None
    # Bot messages with empty text take their attachments' fallback summaries.
    assert by_ts["1458952384.000006"].text == (
        '[traveling-sailor] New branch "hfaran_rewrite" was pushed by hfaran'
    )
    assert by_ts["1458952505.000007"].text == (
        "[traveling-sailor:master] 2 new commits by hfaran and 1 other"
    )
    multi = by_ts["1458972916.000009"]
    assert (
        multi.text
        == 'cities=cities_120, start_city="Houston",\n        updates_enabled=False'
    )
    code = by_ts["1458972985.000010"]
    assert code.text.startswith(
        '```{"cities": {\n    "New York City": [40.72, 74.00],\n'
    )
    assert code.text.endswith('"start_city": "Houston"\n}```')
    assert code.text.count("\n") == 24
    assert code.edited is True
    assert code.edited_at == utc(2016, 3, 26, 8, 32, 14)
    assert [m.message_id for m in messages if m.edited] == [code.message_id]


# ---------------------------------------------------------------------------
# rusq/slackdump source export: threads across days, a tombstone, files, profiles


SD = "slack-CO69735E8A"
ROOT_A = f"{SD}/1736478630.905399"
ROOT_B = f"{SD}/1736554801.872639"
TOMBSTONE = f"{SD}/1736554828.343759"
OF, OB, O1 = "UOF82F39AE", "UOB5F987BF17", "UO1D8E698D"
NAME_OF, NAME_OB, NAME_O1 = "WgO268Xc0KtFylJ", "YTX35tuC1zyFhKZL", "zCQmul1N"


def test_slackdump_rows() -> None:
    messages, report = read_all(SLACKDUMP)
    assert report.problems == []
    rows = [
        (m.message_id, m.kind, m.sender, m.sender_id, m.timestamp, m.reply_to)
        for m in messages
    ]
    assert rows == [
        (f"{SD}/1736478514.897649", "message", NAME_OF, OF,
         utc(2025, 1, 10, 3, 8, 34, 897649), None),
        (ROOT_A, "message", NAME_OF, OF, utc(2025, 1, 10, 3, 10, 30, 905399), None),
        (f"{SD}/1736554636.807919", "system", NAME_OB, OB,
         utc(2025, 1, 11, 0, 17, 16, 807919), None),
        (f"{SD}/1736554746.482349", "message", NAME_OB, OB,
         utc(2025, 1, 11, 0, 19, 6, 482349), ROOT_A),
        (f"{SD}/1736554783.040199", "message", NAME_OF, OF,
         utc(2025, 1, 11, 0, 19, 43, 40199), ROOT_A),
        (ROOT_B, "message", NAME_OB, OB, utc(2025, 1, 11, 0, 20, 1, 872639), None),
        (f"{SD}/1736554819.539739", "message", NAME_OF, OF,
         utc(2025, 1, 11, 0, 20, 19, 539739), ROOT_B),
        (TOMBSTONE, "deleted", NAME_O1, O1, utc(2025, 1, 11, 0, 20, 28, 343759), None),
        (f"{SD}/1736554838.911679", "message", NAME_OB, OB,
         utc(2025, 1, 11, 0, 20, 38, 911679), TOMBSTONE),
        (f"{SD}/1736560955.039969", "message", NAME_OF, OF,
         utc(2025, 1, 11, 2, 2, 35, 39969), None),
        (f"{SD}/1736560990.444379", "message", NAME_OF, OF,
         utc(2025, 1, 11, 2, 3, 10, 444379), None),
        (f"{SD}/1736562623.558619", "message", NAME_OF, OF,
         utc(2025, 1, 11, 2, 30, 23, 558619), None),
        (f"{SD}/1736582524.607359", "media", NAME_OF, OF,
         utc(2025, 1, 11, 8, 2, 4, 607359), None),
    ]  # fmt: skip
    assert kinds_by_conversation(messages) == {
        SD: Counter(message=10, system=1, deleted=1, media=1)
    }
    # The folder B75B4C7 is the channel's name, not its id: it maps to the record.
    assert {m.conversation_name for m in messages} == {"#B75B4C7"}
    assert "matches no record" not in notes_text(report)
    assert "thread root" not in notes_text(report)


def test_slackdump_details() -> None:
    messages, _ = read_all(SLACKDUMP)
    by_id = {m.message_id: m for m in messages}
    # The thread root's replies sit in the next day's file.
    assert by_id[ROOT_A].source.endswith("2025-01-10.json:messages[1]")
    replies = [m for m in messages if m.reply_to == ROOT_A]
    assert [m.source.rpartition("/")[2] for m in replies] == [
        "2025-01-11.json:messages[1]",
        "2025-01-11.json:messages[2]",
    ]
    # The tombstone keeps its place so its reply still has a parent.
    assert by_id[TOMBSTONE].text == (
        "aILIU32amo4yT5x9HptclUPlN96IfYuzTRmXEpvSoDJa GIE4XnQwj7IzpF"
    )
    # files[] with text is a message; files[] without text is media with empty text.
    assert by_id[f"{SD}/1736560990.444379"].text.startswith("cZKd73xRR8vIPEV5c60tVwk ")
    assert by_id[f"{SD}/1736582524.607359"].text == ""
    assert all(not m.edited and m.reactions == [] for m in messages)


# ---------------------------------------------------------------------------
# folder, zip and zip with a top folder read the same


@pytest.mark.parametrize("tree", [HFARAN, SLACKDUMP], ids=lambda p: p.name)
@pytest.mark.parametrize("top", ["", "slack export Jan 1 2025"])
def test_zip_reads_like_folder(tmp_path: Path, tree: Path, top: str) -> None:
    folder_rows, folder_report = read_all(tree)
    archive = zip_tree(tree, tmp_path / "export.zip", top)
    zip_rows, zip_report = read_all(archive)
    assert [replace(m, source="") for m in zip_rows] == [
        replace(m, source="") for m in folder_rows
    ]
    inner = f"{top}/" if top else ""
    first_day = sorted(p.relative_to(tree).as_posix() for p in tree.glob("*/*.json"))[0]
    assert zip_rows[0].source == f"{archive}!{inner}{first_day}:messages[0]"
    assert len(zip_report.notes) == len(folder_report.notes)
    assert zip_report.problems == []


def test_several_exports_in_one_folder_is_an_error(tmp_path: Path) -> None:
    tree = {"channels.json": [], "general/2020-01-01.json": []}
    write_tree(tmp_path / "both" / "a", tree)
    write_tree(tmp_path / "both" / "b", tree)
    export = open_export(tmp_path / "both")
    assert sniff(export)
    with pytest.raises(ExportError, match="2 Slack exports"):
        list(read(export, ParseOptions(), ParseReport()))


# ---------------------------------------------------------------------------
# broken input


def test_truncated_day_file_names_member_and_place(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_tree(tree, {"channels.json": [{"id": "C1", "name": "general"}]})
    good = json.dumps(
        [{"type": "message", "user": "U1", "text": "hi", "ts": "1.000001"}]
    )
    write_tree(tree, {"general/2020-01-01.json": good[:-20]})
    with pytest.raises(ExportError) as info:
        read_all(tree)
    assert (
        info.value.where == f"{tree / 'general' / '2020-01-01.json'}:1:{len(good) - 19}"
    )
    assert "truncated" in info.value.reason
    assert "hi" not in str(info.value)
    with pytest.raises(ExportError) as info:
        read_all(zip_tree(tree, tmp_path / "t.zip", "top"))
    assert info.value.where.endswith(
        "t.zip!top/general/2020-01-01.json:1:" + str(len(good) - 19)
    )


def test_day_file_that_is_not_an_array(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree",
        {
            "channels.json": [{"id": "C1", "name": "general"}],
            "general/2020-01-01.json": {"messages": []},
        },
    )
    with pytest.raises(ExportError, match="JSON array") as info:
        read_all(tree)
    assert info.value.where == str(tree / "general" / "2020-01-01.json")


def test_broken_channels_json(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree",
        {"channels.json": '[{"id": "C1", ', "general/2020-01-01.json": []},
    )
    with pytest.raises(ExportError, match="truncated") as info:
        read_all(tree)
    assert info.value.where.startswith(f"{tree / 'channels.json'}:1:")


def test_unreadable_records_are_problems(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree",
        {
            "channels.json": [{"id": "C1", "name": "general"}],
            "general/2020-01-01.json": [
                "not an object",
                {"type": "message", "user": "U1", "text": "no ts"},
                {"type": "message", "user": "U1", "text": "bad ts", "ts": "yesterday"},
                {
                    "type": "message",
                    "user": "U1",
                    "text": "fine",
                    "ts": "1577836800.000100",
                },
            ],
        },
    )
    messages, report = read_all(tree)
    assert [m.text for m in messages] == ["fine"]
    assert messages[0].timestamp == utc(2020, 1, 1, 0, 0, 0, 100)
    day = tree / "general" / "2020-01-01.json"
    assert report.problems == [
        {
            "where": f"{day}:messages[0]",
            "reason": "record is a JSON string, not an object",
        },
        {"where": f"{day}:messages[1]", "reason": "record has no 'ts'"},
        {
            "where": f"{day}:messages[2]",
            "reason": "record 'ts' is not a Slack timestamp",
        },
    ]
    assert "no ts" not in str(report.to_dict()) and "bad ts" not in str(
        report.to_dict()
    )
    with pytest.raises(RecordError):
        read_all(tree, ParseReport(strict=True))


# ---------------------------------------------------------------------------
# a synthetic workspace: users.json, DMs, markup, reactions, every subtype


def synthetic_tree(root: Path) -> Path:
    users = [
        {"id": "U1", "name": "anna.k", "real_name": "Anna Kowalski",
         "profile": {"display_name": "Anna", "real_name": "Anna Kowalski"},
         "tz": "Europe/Warsaw", "tz_offset": 3600},
        {"id": "U2", "name": "ben", "real_name": "Ben Ode",
         "profile": {"display_name": "", "real_name": "Ben Ode"},
         "tz": "America", "tz_offset": -18000},  # a folder of the zone database
        {"id": "U3", "name": "cy", "profile": {"display_name": " "}, "tz": None},
        "not a user",
    ]  # fmt: skip

    def msg(ts: str, text: str, user: str = "U1", **extra: Any) -> dict[str, Any]:
        return {"type": "message", "user": user, "text": text, "ts": ts, **extra}

    general = [
        msg("1700000000.000100", "", subtype="channel_join"),
        msg("1700000000.000200", "set the topic", subtype="channel_topic"),
        msg(
            "1700000010.000001",
            "hey <@U2> and <@U9>, see <#C2|random> &amp; <#C2> <!here> <!channel>\n"
            "<https://example.com/a?b=1&amp;c=2|the doc> or <https://example.com> "
            "&lt;3 <!subteam^S1|@team> <mailto:a@example.com|a@example.com>",
            reactions=[
                {"name": "+1", "users": ["U2", "U3"], "count": 2},
                {"name": "wave::skin-tone-3", "users": ["U2"], "count": 4},
                {"name": "eyes", "users": [], "count": 1},
            ],
        ),
        msg("1700000020.000001", "a reply", user="U2", thread_ts="1700000010.000001",
            parent_user_id="U1"),
        msg("1700000030.000001", "said in the thread and the channel", user="U3",
            subtype="thread_broadcast", thread_ts="1700000010.000001"),
        msg("1700000040.000001", "waves", subtype="me_message",
            edited={"user": "U1", "ts": "1700000050.000000"}),
        {"type": "message", "subtype": "bot_message", "text": "deploy done",
         "username": "deploybot", "bot_id": "B1", "ts": "1700000060.000001"},
        {"type": "message", "subtype": "bot_message", "text": "build ok",
         "bot_id": "B2", "bot_profile": {"name": "CI"}, "ts": "1700000061.000001"},
        {"type": "message", "text": "no name at all", "bot_id": "B3",
         "ts": "1700000062.000001"},
        msg("1700000070.000001", "<@U1> uploaded a file: <https://x|cat.jpg>",
            subtype="file_share", files=[{"id": "F1"}]),
        msg("1700000080.000001", "", files=[{"id": "F2"}]),
        msg("1700000090.000001", "pinned", subtype="pinned_item"),
        msg("1700000095.000001", "huddle", subtype="huddle_thread"),
        msg("1700000099.000001", "strange", subtype="some_new_subtype"),
    ]  # fmt: skip
    next_day = [
        # The same message again (exporters repeat one at a day boundary).
        msg("1700000099.000001", "strange", subtype="some_new_subtype"),
        # A thread root that is not in the export.
        msg("1700090000.000001", "late reply", user="U2",
            thread_ts="1600000000.000001"),
        # Earlier than the message before it.
        msg("1700080000.000001", "out of order", user="U3"),
        # Same ts as an earlier message, other content.
        msg("1700000080.000001", "conflicting", user="U3"),
        {"type": "message", "subtype": "tombstone", "user": "USLACKBOT", "hidden": True,
         "text": "This message was deleted.", "ts": "1700095000.000001",
         "thread_ts": "1700095000.000001"},
    ]  # fmt: skip
    return write_tree(
        root,
        {
            "users.json": users,
            "channels.json": [
                {"id": "C1", "name": "general", "members": ["U1", "U2", "U3"]},
                {"id": "C2", "name": "random"},
            ],
            "groups.json": [{"id": "G1", "name": "secret"}],
            "dms.json": [{"id": "D1", "members": ["U1", "U2"]}],
            "mpims.json": [{"id": "G2", "name": "mpdm-anna.k--ben--cy-1",
                            "members": ["U1", "U2", "U3"]}],
            "integration_logs.json": [],
            "general/2023-11-14.json": general,
            "general/2023-11-15.json": next_day,
            "general/notes.txt": "not a day file",
            "random/2023-11-14.json": [msg("1700000001.000001", "<#C1>")],
            "secret/2023-11-14.json": [msg("1700000002.000001", "psst", user="U2")],
            "D1/2023-11-14.json": [msg("1700000003.000001", "hi ben")],
            "mpdm-anna.k--ben--cy-1/2023-11-14.json": [
                msg("1700000004.000001", "hi all", user="U3")
            ],
            "B75B4C7/2023-11-14.json": [msg("1700000005.000001", "orphan folder")],
            "__uploads/F1/cat.jpg": "jpeg",
        },
    )  # fmt: skip


def test_synthetic_conversations_and_names(tmp_path: Path) -> None:
    messages, report = read_all(synthetic_tree(tmp_path / "ws"))
    conversations = {}
    for m in messages:
        conversations.setdefault(m.conversation_id, m.conversation_name)
    # Conversations come in folder order.
    assert conversations == {
        "slack-B75B4C7": "#B75B4C7",
        "slack-D1": "Anna, Ben Ode",
        "slack-C1": "#general",
        "slack-G2": "Anna, Ben Ode, cy",
        "slack-C2": "#random",
        "slack-G1": "#secret",
    }
    assert (
        f"{tmp_path / 'ws' / 'B75B4C7'}: this folder matches no record"
        in notes_text(report)
    )
    assert "users.json is missing" not in notes_text(report)
    random = next(m for m in messages if m.conversation_id == "slack-C2")
    assert random.text == "#general"


def test_time_zones_come_from_users_json(tmp_path: Path) -> None:
    messages, _ = read_all(synthetic_tree(tmp_path / "ws"))
    zones = {m.sender_id: m.sender_tz for m in messages if m.kind == "message"}
    # tz when it is a zone, else the fixed tz_offset; none for cy and for bots.
    assert zones["U1"] == "Europe/Warsaw"
    assert zones["U2"] == "-05:00"
    assert zones["U3"] is None
    assert zones["B1"] is None


def test_synthetic_general_channel(tmp_path: Path) -> None:
    tree = synthetic_tree(tmp_path / "ws")
    messages, report = read_all(tree)
    general = [m for m in messages if m.conversation_id == "slack-C1"]
    rows = [(m.message_id.rpartition("/")[2], m.kind, m.sender, m.sender_id, m.reply_to)
            for m in general]  # fmt: skip
    root = "slack-C1/1700000010.000001"
    assert rows == [
        ("1700000000.000100", "system", "Anna", "U1", None),
        ("1700000000.000200", "system", "Anna", "U1", None),
        ("1700000010.000001", "message", "Anna", "U1", None),
        ("1700000020.000001", "message", "Ben Ode", "U2", root),
        ("1700000030.000001", "message", "cy", "U3", root),
        ("1700000040.000001", "message", "Anna", "U1", None),
        ("1700000060.000001", "message", "deploybot", "B1", None),
        ("1700000061.000001", "message", "CI", "B2", None),
        ("1700000062.000001", "message", "B3", "B3", None),
        ("1700000070.000001", "media", "Anna", "U1", None),
        ("1700000080.000001", "media", "Anna", "U1", None),
        ("1700000090.000001", "system", "Anna", "U1", None),
        ("1700000095.000001", "call", "Anna", "U1", None),
        ("1700000099.000001", "message", "Anna", "U1", None),
        ("1700080000.000001", "message", "cy", "U3", None),
        ("1700090000.000001", "message", "Ben Ode", "U2", "slack-C1/1600000000.000001"),
        ("1700095000.000001", "deleted", "USLACKBOT", "USLACKBOT", None),
    ]  # fmt: skip
    by_ts = {m.message_id.rpartition("/")[2]: m for m in general}
    assert by_ts["1700000010.000001"].text == (
        "hey @Ben Ode and @U9, see #random & #random @here @channel\n"
        "the doc or https://example.com <3 @team a@example.com"
    )
    assert by_ts["1700000010.000001"].reactions == [
        reaction(":+1:", by="Ben Ode"),
        reaction(":+1:", by="cy"),
        reaction(":wave::skin-tone-3:", by="Ben Ode"),
        reaction(":wave::skin-tone-3:", by=None, count=3),
        reaction(":eyes:", by=None, count=1),
    ]
    assert by_ts["1700000070.000001"].text == "@Anna uploaded a file: cat.jpg"
    edited = by_ts["1700000040.000001"]
    assert edited.edited and edited.edited_at == utc(2023, 11, 14, 22, 14, 10)
    assert by_ts["1700000000.000100"].timestamp == utc(2023, 11, 14, 22, 13, 20, 100)

    day2 = tree / "general" / "2023-11-15.json"
    assert report.problems == [
        {
            "where": f"{day2}:messages[3]",
            "reason": "another record with the same ts "
            f"({tree / 'general' / '2023-11-14.json'}:messages[10]) differs from this "
            "one; kept the first",
        }
    ]
    notes = notes_text(report)
    place = tree / "general"
    assert f"{place}: 2 message(s) came earlier than the one before them" in notes
    assert f"{place}: 1 duplicate message(s) merged (same ts)" in notes
    assert f"{place}: 1 thread reply(ies) point to a thread root" in notes
    assert "2 record(s) with subtype 'some_new_subtype'" in notes
    assert "conflicting" not in notes and "strange" not in notes


def test_users_json_falls_back_to_embedded_profiles(tmp_path: Path) -> None:
    profile = {"display_name": "", "real_name": "Real Dee", "name": "dee"}
    tree = write_tree(
        tmp_path / "ws",
        {
            "channels.json": [{"id": "C1", "name": "general"}],
            "general/2020-01-01.json": [
                # Before the profile is seen, and mentioned by a later message.
                {"type": "message", "user": "U4", "text": "first",
                 "ts": "1577836800.1"},
                {"type": "message", "user": "U4", "text": "second <@U4>",
                 "ts": "1577836801.000000", "user_profile": profile},
                {"type": "message", "user": "U5", "text": "nobody knows me",
                 "ts": "1577836802.000000"},
                # A number ts, and a thread_ts in a short form: both padded to 6 digits.
                {"user": "U5", "text": "r", "ts": 1577836803,
                 "thread_ts": "1577836800.1"},
            ],
        },
    )  # fmt: skip
    messages, report = read_all(tree)
    assert [(m.sender, m.sender_id, m.text) for m in messages] == [
        ("Real Dee", "U4", "first"),
        ("Real Dee", "U4", "second @Real Dee"),
        ("U5", "U5", "nobody knows me"),
        ("U5", "U5", "r"),
    ]
    assert messages[3].message_id == "slack-C1/1577836803.000000"
    assert messages[3].reply_to == "slack-C1/1577836800.100000"
    # "seconds.1" is 100 ms, not 1 µs.
    assert messages[0].timestamp == utc(2020, 1, 1, 0, 0, 0, 100000)
    assert messages[0].message_id == "slack-C1/1577836800.100000"
    assert "users.json is missing" in notes_text(report)


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        ("<@U1>", "@U1"),
        ("<@U1|anna>", "@anna"),
        ("<#C1|general>", "#general"),
        ("<#C1>", "#C1"),
        ("<!everyone>", "@everyone"),
        ("<!here|here>", "@here"),
        ("<!subteam^S1>", "@S1"),
        ("<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"),
        ("<https://a.b/c?d=1&amp;e=2>", "https://a.b/c?d=1&e=2"),
        ("<https://a.b|a &lt;b&gt;>", "a <b>"),
        ("&amp;lt; stays &lt;", "&lt; stays <"),
        ("a < b > c", "a < b > c"),
        ("x <not markup &amp; more>", "x <not markup & more>"),
        ("<tel:+123|call me>", "call me"),
        ("line one\nline two", "line one\nline two"),
        ("", ""),
    ],
)
def test_render_markup(markup: str, plain: str) -> None:
    assert render_markup(markup) == plain


def test_public_parse_detects_slack() -> None:
    report = ParseReport()
    rows = list(classifier.parse([SLACKDUMP], report=report))
    assert len(rows) == 13
    assert report.inputs == [
        {"path": str(SLACKDUMP), "format": "slack", "messages": 13, "conversations": 1}
    ]
    assert report.kinds == Counter(message=10, system=1, deleted=1, media=1)


def test_lost_reactions_and_reply_links_are_problems(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "tree",
        {
            "channels.json": [{"id": "C1", "name": "general"}],
            "general/2020-01-01.json": [
                {
                    "type": "message",
                    "user": "U1",
                    "text": "hello there",
                    "ts": "1577836800.000100",
                    "thread_ts": "soon",
                    "reactions": [
                        {"count": 1, "users": ["U2"]},
                        {"name": "wave", "count": 1, "users": ["U2"]},
                    ],
                },
            ],
        },
    )
    messages, report = read_all(tree)
    assert messages[0].reply_to is None
    assert [r["emoji"] for r in messages[0].reactions] == [":wave:"]
    place = f"{tree / 'general' / '2020-01-01.json'}:messages[0]"
    assert sorted(report.problems, key=lambda p: p["reason"]) == [
        {
            "where": place,
            "reason": "'thread_ts' is not a Slack timestamp; no reply link",
        },
        {"where": place, "reason": "a reaction with no emoji name was left out"},
    ]
    assert "left out" not in notes_text(report)
    assert "thread_ts" not in notes_text(report)
    with pytest.raises(RecordError):
        read_all(tree, ParseReport(strict=True))
