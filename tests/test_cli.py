"""`reread parse` through the CLI: output formats, the report, and bad input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from classifier import api
from classifier.cli import cli
from classifier.records import message_to_dict, read_table

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
WHATSAPP = FIXTURES / "whatsapp" / "whatstk_pokemon.txt"
TELEGRAM = FIXTURES / "telegram" / "tgparser_personal_chat.json"


def run(*args: str, input: str | None = None, ok: bool = True):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=not ok)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_help_lists_parse() -> None:
    result = run("--help")
    assert "parse" in result.stdout
    assert "-h" in run("parse", "-h").stdout


def test_parse_writes_jsonl_to_stdout_and_report_to_stderr() -> None:
    result = run("parse", str(WHATSAPP))
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 20
    assert rows[0]["kind"] == "system"
    assert {"message_id", "conversation_id", "timestamp", "tz_known"} <= rows[0].keys()
    assert "20 messages" in result.stderr
    assert "date order = dmy" in result.stderr


def test_api_and_cli_give_identical_records() -> None:
    cli_rows = [
        orjson.loads(line) for line in run("parse", str(TELEGRAM)).stdout.splitlines()
    ]
    api_rows = [
        orjson.loads(orjson.dumps(message_to_dict(m))) for m in api.parse([TELEGRAM])
    ]
    assert cli_rows == api_rows


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_output_format_follows_extension(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"table{suffix}"
    run("parse", str(WHATSAPP), str(TELEGRAM), "-o", str(out), "-q")
    rows = list(read_table(out))
    expected = list(api.parse([WHATSAPP, TELEGRAM]))
    assert [message_to_dict(r) for r in rows] == [message_to_dict(m) for m in expected]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_report_file(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    run(
        "parse", str(WHATSAPP), "--report", str(report), "-o", str(tmp_path / "o.jsonl")
    )
    data = json.loads(report.read_text())
    assert data["messages"] == 20
    assert data["inputs"][0]["format"] == "whatsapp"
    assert data["decisions"][0]["value"] == "dmy"
    assert data["senders"]["Ash Ketchum"] == 4


def test_same_file_twice_gets_distinct_conversation_ids() -> None:
    rows = list(api.parse([WHATSAPP, WHATSAPP]))
    ids = [r.message_id for r in rows]
    assert len(ids) == len(set(ids)) == 40
    assert len({r.conversation_id for r in rows}) == 2


def fails(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "chat.txt"
    empty.write_text("")
    code, err = fails("parse", str(empty))
    assert code == 1
    assert f"{empty}: the file is empty" in err


def test_binary_file(tmp_path: Path) -> None:
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)))
    code, err = fails("parse", str(binary))
    assert code == 1
    assert "binary file, not a chat export" in err and str(binary) in err


def test_unknown_format(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\nmilk\neggs\n")
    code, err = fails("parse", str(notes))
    assert code == 1
    assert "not a chat export reread recognises" in err and "--format" in err


def test_truncated_json_names_place(tmp_path: Path) -> None:
    broken = tmp_path / "result.json"
    broken.write_text(TELEGRAM.read_text()[:600])
    code, err = fails("parse", str(broken))
    assert code == 1
    assert str(broken) in err and "truncated" in err


def test_forced_format_that_does_not_match(tmp_path: Path) -> None:
    code, err = fails("parse", "--format", "telegram", str(WHATSAPP))
    assert code == 1
    assert "--format telegram does not match" in err and "whatsapp" in err


def test_unknown_format_name() -> None:
    code, err = fails("parse", "--format", "myspace", str(WHATSAPP))
    assert code == 1
    assert "unknown format 'myspace'" in err


def test_failure_leaves_no_partial_output(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(TELEGRAM.read_text()[:600])
    out = tmp_path / "out.jsonl"
    code, _ = fails("parse", str(WHATSAPP), str(broken), "-o", str(out))
    assert code == 1
    assert list(tmp_path.iterdir()) == [broken]


def test_unknown_output_extension(tmp_path: Path) -> None:
    code, err = fails("parse", str(WHATSAPP), "-o", str(tmp_path / "out.xlsx"))
    assert code == 1
    assert "use .jsonl, .csv or .parquet" in err


def test_whatsapp_zip(tmp_path: Path) -> None:
    archive = tmp_path / "WhatsApp Chat with Pokemon.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(WHATSAPP, "WhatsApp Chat with Pokemon.txt")
        zf.writestr("IMG-20160806-WA0001.jpg", b"\xff\xd8\xff")
    from_zip = list(api.parse([archive]))
    from_txt = list(api.parse([WHATSAPP]))
    assert [(m.timestamp, m.sender, m.text, m.kind) for m in from_zip] == [
        (m.timestamp, m.sender, m.text, m.kind) for m in from_txt
    ]


def test_strict_stops_at_unreadable_line(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "stray line before any header\n"
        "13/01/2024, 10:00 - Ana: hi\n"
        "13/01/2024, 10:05 - Ben: hello\n"
    )
    lenient = run("parse", str(chat))
    assert len(lenient.stdout.splitlines()) == 2
    assert f"{chat}:1" in lenient.stderr
    code, err = fails("parse", "--strict", str(chat))
    assert code == 1
    assert f"{chat}:1" in err


def test_damaged_zip_says_so(tmp_path: Path) -> None:
    archive = tmp_path / "chat.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(WHATSAPP, "_chat.txt")
    data = bytearray(archive.read_bytes())
    for i in range(60, 200):  # inside the compressed member, past its local header
        data[i] ^= 0x55
    archive.write_bytes(bytes(data))
    code, err = fails("parse", str(archive))
    assert code == 1
    assert f"{archive}!_chat.txt: the archive is damaged" in err


def test_report_in_a_missing_folder_fails_before_any_output(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    result = CliRunner().invoke(
        cli, ["parse", str(WHATSAPP), "-o", str(out), "--report", "/nonexistent/r.json"]
    )
    assert result.exit_code == 2
    assert "--report" in result.stderr and "folder does not exist" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "command", [["parse"], ["score"], ["score", "--n-jobs", "2"]], ids=" ".join
)
def test_a_reader_that_stops_early_is_not_an_error(
    command: list[str], tmp_path: Path
) -> None:
    """``reread score table.jsonl | head -1``: no traceback, no error, no warning."""
    import subprocess
    import sys

    # Many conversations, so that with workers several chunks are still in flight.
    table = tmp_path / "table.jsonl"
    table.write_bytes(
        b"".join(
            orjson.dumps(
                {
                    "conversation_id": f"c{i // 300}",
                    "message_id": f"c{i // 300}/{i}",
                    "timestamp": f"2024-01-25T{i // 60 % 24:02d}:{i % 60:02d}:00Z",
                    "sender": ("Maya", "Jonas")[i % 2],
                    "text": f"message number {i}, long enough to fill a pipe",
                },
                option=orjson.OPT_APPEND_NEWLINE,
            )
            for i in range(24_000)
        )
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "classifier", *command, str(table), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # more than a pipe's buffer is still to come
    stderr = process.stderr.read()
    process.wait(timeout=120)
    assert first.startswith(b"{")
    assert stderr == b""
