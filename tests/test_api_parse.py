"""`classifier.parse` over several inputs: folders and zips of several chats, ids."""

from __future__ import annotations

import shutil
import struct
import zipfile
from collections import Counter
from pathlib import Path

import pytest

import classifier
from classifier.errors import ExportError
from classifier.report import ParseReport

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
POKEMON = FIXTURES / "whatsapp" / "whatstk_pokemon.txt"
MAYA = Path(__file__).parent.parent / "examples" / "whatsapp-maya-and-jonas.txt"
TELEGRAM = FIXTURES / "telegram" / "tgparser_personal_chat.json"
IMESSAGE = FIXTURES / "imessage" / "dbiR_+15550000001.txt"


def mixed_folder(root: Path) -> Path:
    folder = root / "chats"
    folder.mkdir()
    shutil.copy(POKEMON, folder / "WhatsApp Chat with Pokemon.txt")
    shutil.copy(MAYA, folder / "WhatsApp Chat with Maya.txt")
    shutil.copy(TELEGRAM, folder / "result.json")
    shutil.copy(IMESSAGE, folder / "+15550000001.txt")
    (folder / "shopping.txt").write_text("milk\neggs\n")
    return folder


def zipped(folder: Path) -> Path:
    archive = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, f"{folder.name}/{path.name}")
    return archive


@pytest.mark.parametrize("as_zip", [False, True])
def test_every_chat_in_a_folder_or_zip_is_read(tmp_path: Path, as_zip: bool) -> None:
    folder = mixed_folder(tmp_path)
    target = zipped(folder) if as_zip else folder
    report = ParseReport()
    rows = list(classifier.parse([target], report=report))
    formats = Counter(entry["format"] for entry in report.inputs)
    assert formats == {"telegram": 1, "whatsapp": 2, "imessage": 1}
    assert len(rows) == 5 + 20 + 187 + 17
    assert len({r.message_id for r in rows}) == len(rows)
    (note,) = [n["note"] for n in report.notes if "shopping.txt" in n["where"]]
    assert note.startswith("not read: not a chat export reread recognises")


def test_a_folder_with_no_chat_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("milk\n")
    with pytest.raises(ExportError, match="no chat export reread recognises inside"):
        list(classifier.parse([tmp_path]))


def test_chats_with_non_latin_names_keep_distinct_ids(tmp_path: Path) -> None:
    for name in ("Иван", "Пётр", "王伟"):
        shutil.copy(IMESSAGE, tmp_path / f"{name}.txt")
    rows = list(classifier.parse([tmp_path]))
    assert len({r.conversation_id for r in rows}) == 3
    assert len({r.message_id for r in rows}) == len(rows) == 51


def test_password_protected_zip_is_a_clear_error(tmp_path: Path) -> None:
    archive = tmp_path / "chat.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(POKEMON, "_chat.txt")
    data = bytearray(archive.read_bytes())
    # Set the "encrypted" flag in the local and the central header, as zip -P does.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        flags = struct.unpack_from("<H", data, at)[0]
        struct.pack_into("<H", data, at, flags | 1)
    archive.write_bytes(bytes(data))
    with pytest.raises(ExportError, match=r"chat\.zip!_chat\.txt: cannot open"):
        list(classifier.parse([archive]))


def test_half_an_emoji_in_json_is_replaced_so_every_writer_works(
    tmp_path: Path,
) -> None:
    export = tmp_path / "result.json"
    export.write_text(
        '{"name": "x", "type": "personal_chat", "id": 1, "messages": [{"id": 1, '
        '"type": "message", "date_unixtime": "1704103200", "from": "A", '
        '"from_id": "user1", "text": "broken \\ud83d half \\ud83d\\udc46"}]}'
    )
    rows = list(classifier.parse([export]))
    assert rows[0].text == "broken \ufffd half 👆"
    for suffix in (".jsonl", ".csv", ".parquet"):
        assert classifier.write_table(rows, tmp_path / f"out{suffix}") == 1
