"""One input on the command line: a file, a folder or a ``.zip``, seen the same way.

Readers never open paths themselves; they ask the :class:`Export` for its members, so a
Slack folder and the same folder zipped, or a WhatsApp ``.txt`` and the ``.zip`` the app
produces, go through the same code.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from ..errors import ExportError

__all__ = ["Export", "open_export"]

# Files that operating systems and archivers leave inside exports.
_JUNK_PARTS = ("__MACOSX", ".DS_Store", "Thumbs.db")


@dataclass
class Export:
    """A file, folder or zip archive holding one chat export.

    Attributes
    ----------
    path : Path
        What the user named.
    kind : str
        ``"file"``, ``"folder"`` or ``"zip"``.
    members : list of str
        POSIX-style relative paths of the files inside (a plain file has one member,
        its own name). Sorted, junk (``__MACOSX``, ``.DS_Store``) left out.
    """

    path: Path
    kind: str
    members: list[str] = field(default_factory=list)
    _zip: zipfile.ZipFile | None = None
    # A member of a zip seen as a file of its own (see member_export).
    _inner: str | None = None
    _display: str | None = None

    @property
    def name(self) -> str:
        """The path as shown in messages."""
        return self._display or str(self.path)

    @property
    def file_path(self) -> Path | None:
        """The file on disk for a plain file; None for folders, zips, zip members."""
        return self.path if self.kind == "file" and self._inner is None else None

    def member_export(self, member: str) -> Export:
        """One member of a folder or zip, as an export of its own.

        A zip member keeps the archive open through its parent; close the parent, not
        the member.
        """
        if self.kind == "folder":
            return open_export(self.path / member)
        if self.kind != "zip":
            return self
        return Export(
            self.path / member,
            "file",
            [PurePosixPath(member).name],
            self._zip,
            _inner=member,
            _display=self.where(member),
        )

    def where(self, member: str | None = None, place: str | int | None = None) -> str:
        """Report location: ``path``, ``path!member`` or ``path/member``, ``:place``."""
        if self.kind == "file" or member is None:
            location = self.name
        elif self.kind == "zip":
            location = f"{self.name}!{member}"
        else:
            location = str(self.path / member)
        return location if place is None else f"{location}:{place}"

    def open(self, member: str | None = None) -> IO[bytes]:
        """Open a member (the file itself for a plain file) for binary reading."""
        try:
            if self.kind == "file":
                if self._inner is not None:
                    assert self._zip is not None
                    return self._zip.open(self._inner)
                return open(self.path, "rb")
        except (RuntimeError, NotImplementedError) as exc:
            raise ExportError(f"cannot open ({exc})", self.name) from None
        if member is None:
            raise ExportError("name a file inside the export", self.name)
        if self.kind == "zip":
            assert self._zip is not None
            try:
                return self._zip.open(member)
            except (RuntimeError, NotImplementedError) as exc:
                # zipfile says RuntimeError for a password, NotImplementedError for an
                # unknown compression method.
                raise ExportError(
                    f"cannot open this member ({exc}); unpack the archive first",
                    self.where(member),
                ) from None
        return open(self.path / member, "rb")

    @contextmanager
    def _damage_reported(self, member: str | None) -> Iterator[None]:
        """Turn a damaged zip member's low-level errors into an ExportError."""
        try:
            yield
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ExportError(
                f"the archive is damaged ({exc}); copy or export it again",
                self.where(member),
            ) from None

    def read_bytes(self, member: str | None = None) -> bytes:
        """The whole content of a member."""
        with self._damage_reported(member), self.open(member) as stream:
            return stream.read()

    def head(self, member: str | None = None, size: int = 65_536) -> bytes:
        """The first ``size`` bytes of a member, for format detection."""
        with self._damage_reported(member), self.open(member) as stream:
            return stream.read(size)

    def read_text(self, member: str | None = None) -> str:
        """A member decoded as UTF-8 (a BOM is dropped).

        Raises
        ------
        ExportError
            If the member is not UTF-8 text.
        """
        data = self.read_bytes(member)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ExportError(
                f"byte {exc.start} is not UTF-8 text; export the chat again, or "
                "convert the file to UTF-8",
                self.where(member),
            ) from None

    def text_lines(self, member: str | None = None) -> Iterator[str]:
        """Stream a member's lines as text, without line endings (LF, CRLF or CR).

        Lines are read lazily, so a large file is never held whole in memory.
        """
        with self._damage_reported(member), self.open(member) as raw:
            stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            number = 0
            try:
                for line in stream:
                    number += 1
                    yield line.rstrip("\r\n")
            except UnicodeDecodeError:
                raise ExportError(
                    "this line is not UTF-8 text; export the chat again, or convert "
                    "the file to UTF-8",
                    self.where(member, number + 1),
                ) from None

    def close(self) -> None:
        if self._zip is not None and self._inner is None:
            self._zip.close()


def _is_junk(member: str) -> bool:
    parts = PurePosixPath(member).parts
    return any(part in _JUNK_PARTS or part.startswith("._") for part in parts)


def open_export(path: str | os.PathLike[str]) -> Export:
    """Look at ``path`` and wrap it as an :class:`Export`.

    Raises
    ------
    ExportError
        If the path does not exist, is empty, or is a damaged zip.
    """
    target = Path(path)
    if not target.exists():
        raise ExportError("no such file or folder", str(target))
    if target.is_dir():
        members = sorted(
            p.relative_to(target).as_posix()
            for p in target.rglob("*")
            if p.is_file() and not _is_junk(p.relative_to(target).as_posix())
        )
        if not members:
            raise ExportError("the folder holds no files", str(target))
        return Export(target, "folder", members)
    if target.stat().st_size == 0:
        raise ExportError("the file is empty; export the chat again", str(target))
    if zipfile.is_zipfile(target):
        try:
            archive = zipfile.ZipFile(target)
            members = sorted(
                info.filename
                for info in archive.infolist()
                if not info.is_dir() and not _is_junk(info.filename)
            )
        except (zipfile.BadZipFile, OSError) as exc:
            raise ExportError(f"damaged zip archive ({exc})", str(target)) from None
        if not members:
            raise ExportError("the zip archive holds no files", str(target))
        return Export(target, "zip", members, archive)
    return Export(target, "file", [target.name])
