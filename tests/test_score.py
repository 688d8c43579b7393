"""`reread score` and `classifier.score`: the output contract, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pandas as pd
import pytest
from click.testing import CliRunner

import classifier
from classifier.cli import cli
from classifier.errors import ClassifierError
from classifier.records import message_to_dict

ROOT = Path(__file__).parent.parent
FRIENDS = ROOT / "examples" / "whatsapp-maya-and-jonas.txt"
GROUP = ROOT / "examples" / "whatsapp-climbing-group.txt"
FIXTURES = Path(__file__).parent / "fixtures" / "exports"
CONTRACT = {
    "message_id", "conversation_id", "sender", "timestamp", "text", "risk",
    "category", "flags", "readings", "check_in",
}  # fmt: skip


@pytest.fixture(scope="module")
def friends() -> list[dict]:
    result = CliRunner().invoke(cli, ["score", str(FRIENDS)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Maya: 95 messages" in result.stderr
    return [orjson.loads(line) for line in result.stdout.splitlines()]


def at(records: list[dict], stamp: str, sender: str | None = None) -> dict:
    (record,) = [
        r
        for r in records
        if r["timestamp"].startswith(stamp) and sender in (None, r["sender"])
    ]
    return record


def test_one_record_per_message_in_input_order(friends: list[dict]) -> None:
    parsed = list(classifier.parse([FRIENDS]))
    assert [r["message_id"] for r in friends] == [m.message_id for m in parsed]
    assert all(set(r) == CONTRACT for r in friends)
    for record in friends:
        assert record["risk"] is None or 0 <= record["risk"] <= 1
        for flag in record["flags"]:
            assert {"type", "score", "evidence"} <= set(flag)


def test_planted_moments_are_found(friends: list[dict]) -> None:
    cool = at(
        friends, "2024-03-20T06:58"
    )  # "cool" to the long message about the course
    assert cool["category"] == "curt" and cool["risk"] > 0.9
    assert any(f["type"] == "text" for f in cool["flags"])
    market = at(friends, "2024-03-25T12:16")  # the invitation never answered
    assert [f["type"] for f in market["flags"]] == ["unanswered"]
    decline = at(friends, "2024-03-27T13:20")  # "maybe another time"
    assert decline["category"] == "vague_decline"
    logistics = at(friends, "2024-03-07T17:33", "Jonas")  # "yes" to "coming at 8?"
    assert not logistics["flags"]


def test_every_flag_has_readings_and_a_check_in(friends: list[dict]) -> None:
    flagged = [r for r in friends if r["flags"]]
    assert flagged
    for record in flagged:
        per_flag: dict[str, int] = {}
        for reading in record["readings"]:
            assert reading["text"] and reading["basis"]
            per_flag[reading["flag"]] = per_flag.get(reading["flag"], 0) + 1
        assert all(2 <= n <= 4 for n in per_flag.values())
        assert isinstance(record["check_in"], str) and record["check_in"]
        assert "rejected you" not in json.dumps(record["readings"])


def test_api_and_cli_agree(friends: list[dict]) -> None:
    table = pd.DataFrame([message_to_dict(m) for m in classifier.parse([FRIENDS])])
    scored = classifier.score(table)
    assert list(scored["message_id"]) == [r["message_id"] for r in friends]
    assert [None if pd.isna(x) else round(x, 4) for x in scored["risk"]] == [
        r["risk"] for r in friends
    ]


def test_table_on_stdin_and_no_text(tmp_path: Path) -> None:
    parsed = CliRunner().invoke(cli, ["parse", str(GROUP), "-q"])
    result = CliRunner().invoke(
        cli, ["score", "-", "--no-text", "-q"], input=parsed.stdout
    )
    assert result.exit_code == 0, result.output
    records = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 181
    assert all("text" not in r for r in records)
    assert result.stderr == ""


def test_group_example_finds_the_invitation_talked_past() -> None:
    scored = classifier.score(
        pd.DataFrame([message_to_dict(m) for m in classifier.parse([GROUP])])
    )
    proposal = scored[
        scored["timestamp"].astype(str).str.startswith("2024-02-05 18:02")
    ]
    types = [f["type"] for f in proposal["flags"].iloc[0]]
    assert "ignored_in_group" in types or "unanswered" in types


def test_me_adds_a_perspective_and_reciprocity() -> None:
    result = CliRunner().invoke(cli, ["score", str(FRIENDS), "--me", "Maya"])
    assert result.exit_code == 0
    records = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert {r["perspective"] for r in records} <= {"received", "sent", "other", "none"}
    assert "received" in {r["perspective"] for r in records}
    assert "Reciprocity:" in result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_output_formats(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"scored{suffix}"
    result = CliRunner().invoke(cli, ["score", str(FRIENDS), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    if suffix == ".jsonl":
        assert len(out.read_text().splitlines()) == 187
    else:
        frame = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
        assert len(frame) == 187
        assert json.loads(frame["flags"].iloc[0]) == []


def test_interleaved_stream_is_a_clear_error_but_the_api_accepts_it() -> None:
    rows = [message_to_dict(m) for m in classifier.parse([FRIENDS, GROUP])]
    mixed = rows[:5] + rows[-5:] + rows[5:10]
    text = "".join(orjson.dumps(r).decode() + "\n" for r in mixed)
    result = CliRunner().invoke(cli, ["score", "-", "-q"], input=text)
    assert result.exit_code == 1
    assert "comes back after other conversations" in result.stderr
    scored = classifier.score(pd.DataFrame(mixed))
    assert list(scored["message_id"]) == [r["message_id"] for r in mixed]


def test_unknown_sensitivity() -> None:
    with pytest.raises(ClassifierError, match="sensitivity"):
        classifier.score(pd.DataFrame(), sensitivity="extreme")


@pytest.mark.parametrize(
    "export",
    sorted(
        p for p in FIXTURES.rglob("*")
        if p.is_file() and p.suffix in (".txt", ".json", ".html", ".txtin")
        and "slack" not in p.parts and p.name != "pustur_short-chat.txt"
    ),
    ids=lambda p: p.name,
)  # fmt: skip
def test_sample_exports_score_one_record_per_message(export: Path) -> None:
    parsed = list(classifier.parse([export]))
    result = CliRunner().invoke(cli, ["score", str(export), "-q"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == len(parsed)


def test_slack_export_scores() -> None:
    folder = FIXTURES / "slack" / "slackdump_source_export"
    result = CliRunner().invoke(cli, ["score", str(folder), "-q"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == len(list(classifier.parse([folder])))


def test_workers_and_batches_give_the_same_records() -> None:
    """Two worker processes, chunks of several conversations, or one at a time: the
    same records in the same order."""
    from classifier.scoring import load_text_model, score_conversation, score_messages

    messages = list(classifier.parse([FRIENDS, GROUP]))
    one_process = list(score_messages(messages, me="Maya"))
    two_workers = list(score_messages(messages, me="Maya", n_jobs=2))
    assert two_workers == one_process
    model = load_text_model()
    separately = [
        record
        for cid in dict.fromkeys(m.conversation_id for m in messages)
        for record in score_conversation(
            [m for m in messages if m.conversation_id == cid], model, me="Maya"
        )[0]
    ]
    assert separately == one_process
    assert sum(bool(r["flags"]) for r in one_process) >= 5


@pytest.mark.parametrize("n_jobs", ["1", "2"])
def test_a_damaged_model_is_a_clear_error_and_no_output(
    tmp_path: Path, n_jobs: str
) -> None:
    """With workers the main process only checks the files; a worker's load fails."""
    model = tmp_path / "model"
    model.mkdir()
    shipped = ROOT / "models" / "default"
    (model / "metadata.json").write_bytes((shipped / "metadata.json").read_bytes())
    (model / "model.skops").write_bytes((shipped / "model.skops").read_bytes()[:1000])
    out = tmp_path / "scored.jsonl"
    result = CliRunner().invoke(
        cli,
        ["score", str(FRIENDS), "--model", str(model), "--n-jobs", n_jobs,
         "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "not a readable skops file" in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [model]


def test_a_reply_s_hour_is_the_replier_s_own_when_the_export_knows_it() -> None:
    table = pd.DataFrame(
        {
            "conversation_id": ["c", "c"],
            "message_id": ["c/1", "c/2"],
            "timestamp": ["2024-03-04T04:30:00+00:00", "2024-03-04T04:35:00+00:00"],
            "sender": ["Maya", "Jonas"],
            "text": [
                "I finally finished the whole thesis draft tonight, three years of "
                "work, I can't believe it's done!!",
                "ok",
            ],
            "sender_tz": ["Europe/Berlin", "America/New_York"],
        }
    )
    scored = classifier.score(table)
    (flag,) = scored["flags"].iloc[1]
    assert flag["type"] == "text"
    assert flag["evidence"]["hour_is_local"] is True
    assert flag["evidence"]["local_hour"] == round(23 + 35 / 60, 3)
    bases = [r["basis"] for r in scored["readings"].iloc[1]]
    assert "it was 23:35 for them when they replied" in bases


def test_scoring_in_threads_leaves_the_caller_s_garbage_collector_alone() -> None:
    """Worker processes tune their collector; a caller's own process is not touched."""
    import gc

    from joblib import parallel_config

    table = pd.DataFrame([message_to_dict(m) for m in classifier.parse([GROUP])])
    before = gc.get_threshold(), gc.get_freeze_count()
    with parallel_config(backend="threading"):
        scored = classifier.score(table, n_jobs=2)
    assert len(scored) == len(table)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_warm_later_looks_where_it_always_looked() -> None:
    """The indexed search gives what a plain walk over the next messages gives."""
    import random
    from datetime import datetime, timedelta

    from classifier.records import Message
    from classifier.scoring import _WARM_WITHIN_S, _warm_later

    def walk(messages: list[Message], warm: set[int], i: int) -> bool:
        sender, start = messages[i].sender, messages[i].timestamp
        for j in range(i + 1, min(i + 200, len(messages))):
            if (messages[j].timestamp - start).total_seconds() > _WARM_WITHIN_S:
                break
            if messages[j].sender == sender and j in warm:
                return True
        return False

    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 300)
        when = datetime(2024, 1, 1)
        messages = []
        for k in range(n):
            # Mostly forward in time, sometimes back (exports are not always sorted).
            when += timedelta(hours=rng.choice((0.1, 1, 5, 30, -2)))
            sender = rng.choice("ab")
            messages.append(Message("c", f"c/{k}", when, False, sender, "x"))
        warm = {k for k in range(n) if rng.random() < 0.1}
        rows = sorted(warm)
        for i in range(n):
            assert _warm_later(messages, rows, i) == walk(messages, warm, i)
