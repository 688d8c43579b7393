"""Every sniffer of these readers says "not mine" instead of raising.

Whatever goes wrong while a sniffer looks at an input (an encrypted or damaged zip
member, an unsupported compression, a file that vanished, bytes that are not text), it
must return False so that detection can go on to the next format.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from classifier.errors import ExportError
from classifier.exports import (
    Export,
    discord,
    imessage,
    meta,
    open_export,
    signal,
    slack,
    table,
    telegram,
)

SNIFFERS: dict[str, Callable[[Export], bool]] = {
    "signal": signal.sniff,
    "discord": discord.sniff,
    "discord-csv": discord.sniff_csv,
    "imessage": imessage.sniff,
    "messenger": meta.sniff,
    "slack": slack.sniff,
    "telegram": telegram.sniff,
    "table": table.sniff,
}

FAILURES: list[BaseException] = [
    RuntimeError("File is encrypted, password required for extraction"),
    NotImplementedError("That compression method is not supported"),
    zipfile.BadZipFile("Bad CRC-32 for file 'result.json'"),
    zlib.error("Error -3 while decompressing data"),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    OSError(5, "Input/output error"),
    ValueError("I/O operation on closed file"),
    EOFError("Compressed file ended before the end-of-stream marker was reached"),
    ExportError("the archive is damaged", "x.zip"),
]

# Names each reader looks for inside a folder or zip (no Slack list file: the Slack
# sniffer goes by names alone, and would rightly claim a folder holding one).
MEMBERS = [
    "Anna/chat.md",
    "Anna/data.json",
    "result.json",
    "inbox/anna_1/message_1.json",
    "general/2016-01-14.json",
    "chat.txt",
    "chat.html",
    "channel.csv",
    "table.jsonl",
]


class _Failing(Export):
    """An export whose every read raises ``failure``."""

    failure: BaseException = RuntimeError()

    def open(self, member: str | None = None) -> IO[bytes]:
        raise self.failure

    def head(self, member: str | None = None, size: int = 65_536) -> bytes:
        raise self.failure

    def read_bytes(self, member: str | None = None) -> bytes:
        raise self.failure


def _failing(tmp_path: Path, kind: str, failure: BaseException) -> Export:
    if kind == "file":
        path = tmp_path / "result.json"
        path.write_text("{}", encoding="utf-8")
        export = _Failing(path, "file", [path.name])
    else:
        export = _Failing(tmp_path, "folder", list(MEMBERS))
    export.failure = failure
    return export


@pytest.mark.parametrize("name", sorted(SNIFFERS))
@pytest.mark.parametrize("kind", ["file", "folder"])
@pytest.mark.parametrize("failure", FAILURES, ids=lambda e: type(e).__name__)
def test_sniff_never_raises(
    tmp_path: Path, name: str, kind: str, failure: BaseException
) -> None:
    export = _failing(tmp_path, kind, failure)
    assert SNIFFERS[name](export) is False


def test_sniffers_on_a_damaged_zip_member(tmp_path: Path) -> None:
    # A real zip whose members fail their CRC check: every sniffer says no.
    path = tmp_path / "damaged.zip"
    body = b'{"name": "Anna", "type": "personal_chat", "messages": []}' * 50
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for member in MEMBERS:
            archive.writestr(member, body)
    data = bytearray(path.read_bytes())
    start = 0
    while (start := data.find(b'{"name"', start)) != -1:
        data[start + 1] ^= 0x01  # flip one bit inside every stored member
        start += 1
    path.write_bytes(bytes(data))
    export = open_export(path)
    try:
        for name, sniff in SNIFFERS.items():
            assert sniff(export) is False, name
    finally:
        export.close()
