"""Format detection's messages for inputs that are not readable chat text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import classifier
from classifier.errors import ExportError, UnknownFormatError
from classifier.exports import detect_format, open_export

TABLE = "timestamp,sender,text\n2024-01-05T09:00:00+00:00,Anna,hi there\n"


def _detect(path: Path) -> str:
    export = open_export(path)
    try:
        return detect_format(export)
    finally:
        export.close()


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be"], ids=["bom", "le", "be"]
)
def test_utf16_text_is_named_as_such(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "chat.csv"
    path.write_bytes(TABLE.encode(encoding))
    with pytest.raises(UnknownFormatError) as caught:
        _detect(path)
    assert "UTF-16" in caught.value.reason and "UTF-8" in caught.value.reason
    assert "binary" not in caught.value.reason
    # A forced format says the same rather than "does not match".
    with pytest.raises(UnknownFormatError) as caught:
        list(classifier.parse([path], format="csv"))
    assert "UTF-16" in caught.value.reason


def test_utf16_without_bom_holding_non_latin_text(tmp_path: Path) -> None:
    # Mostly ASCII with a few other characters: still every other byte NUL.
    text = "[2024-01-05 09:00:00] Anna: привет, how are you?\n" * 20
    path = tmp_path / "chat.txt"
    path.write_bytes(text.encode("utf-16-le"))
    with pytest.raises(UnknownFormatError, match="UTF-16"):
        _detect(path)


def test_utf32_text_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "chat.csv"
    path.write_bytes(TABLE.encode("utf-32"))
    with pytest.raises(UnknownFormatError, match="UTF-32"):
        _detect(path)


def test_a_nul_inside_a_quoted_csv_field_is_not_binary(tmp_path: Path) -> None:
    path = tmp_path / "chat.csv"
    path.write_bytes(
        b"timestamp,sender,text\n"
        b'2024-01-05T09:00:00+00:00,Anna,"a\x00b"\n'
        b"2024-01-05T09:01:00+00:00,Ben,fine\n"
    )
    assert _detect(path) == "table"
    rows = list(classifier.parse([path]))
    assert [r.text for r in rows] == ["a\x00b", "fine"]


@pytest.mark.parametrize(
    "magic",
    [
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        b"\x89PNG\r\n\x1a\n",
        b"GIF89a",
        b"%PDF-1.7\n",
        b"\x00\x00\x00\x20ftypisom",
        b"OggS\x00\x02",
    ],
    ids=["jpeg", "png", "gif", "pdf", "mp4", "ogg"],
)
def test_known_binary_magic_is_binary(tmp_path: Path, magic: bytes) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(magic + b"timestamp,sender,text\n" * 50)  # NULs are rare here
    with pytest.raises(UnknownFormatError, match="binary file, not a chat export"):
        _detect(path)


def test_frequent_nuls_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(UnknownFormatError, match="binary file, not a chat export"):
        _detect(path)


def test_zip_holding_only_an_empty_chat_says_the_file_is_empty(tmp_path: Path) -> None:
    archive = tmp_path / "WhatsApp Chat with Anna.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("_chat.txt", b"")
        zf.writestr("IMG-20240105-WA0001.jpg", b"\xff\xd8\xff\xe0" + bytes(64))
    with pytest.raises(ExportError) as caught:
        list(classifier.parse([archive]))
    assert not isinstance(caught.value, UnknownFormatError)
    assert caught.value.where == f"{archive}!_chat.txt"
    assert "the file is empty" in caught.value.reason


def test_folder_holding_only_a_blank_chat_says_the_file_is_empty(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "_chat.txt").write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    with pytest.raises(ExportError) as caught:
        list(classifier.parse([folder]))
    assert caught.value.where == str(folder / "_chat.txt")
    assert "the file is empty" in caught.value.reason


def test_blank_file_says_the_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(b"\n\n  \n")
    with pytest.raises(ExportError, match="the file is empty"):
        list(classifier.parse([path]))
