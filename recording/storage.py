"""Recording files on disk: check them against their stored SHA-256, copy them with checksum
verification (archive, export). Blocking file I/O: async callers use `asyncio.to_thread`.

Nothing here ignores a problem: every missing, unreadable or corrupt file comes back as a
`FileCheck` with its status, for the caller to report.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from recording.metadata import RecordingMetadata, file_facts


class FileStatus(StrEnum):
    OK = "ok"
    MISSING = "missing"
    UNREADABLE = "unreadable"
    CORRUPT = "corrupt"  # SHA-256 (or size) differs from the one stored
    UNHASHED = "unhashed"  # exists, but no checksum was stored to compare with


@dataclass(frozen=True, slots=True)
class FileCheck:
    recording_id: str
    path: str
    status: FileStatus
    detail: str = ""
    sha256: str | None = None
    size_bytes: int | None = None


def check_file(meta: RecordingMetadata, path: str | None = None) -> FileCheck:
    """Recompute the SHA-256 of the recording's file (or of `path`, e.g. its archive copy)."""
    where = path or meta.path
    if not os.path.exists(where):
        return FileCheck(meta.recording_id, where, FileStatus.MISSING, "no such file")
    try:
        facts = file_facts(where)
    except OSError as error:
        return FileCheck(meta.recording_id, where, FileStatus.UNREADABLE, str(error))
    if meta.sha256 is None:
        return FileCheck(meta.recording_id, where, FileStatus.UNHASHED,
                         "no SHA-256 stored (the file was not readable when the call ended)",
                         facts.sha256, facts.size_bytes)
    if facts.sha256 != meta.sha256:
        return FileCheck(meta.recording_id, where, FileStatus.CORRUPT,
                         f"SHA-256 {facts.sha256[:12]}…, stored {meta.sha256[:12]}…;"
                         f" size {facts.size_bytes}, stored {meta.size_bytes}",
                         facts.sha256, facts.size_bytes)
    return FileCheck(meta.recording_id, where, FileStatus.OK, "", facts.sha256,
                     facts.size_bytes)


class CopyError(OSError):
    """A copy could not be made or does not match its source's checksum."""


def copy_verified(source: str | Path, target: str | Path, sha256: str) -> None:
    """Copy `source` to `target` (directories made), then re-read the copy and compare its
    SHA-256 with `sha256`; a mismatching copy is removed and CopyError raised."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        shutil.copyfile(source, partial)
        copied = file_facts(partial).sha256
        if copied != sha256:
            raise CopyError(f"copy of {source} to {target}: SHA-256 {copied[:12]}… differs"
                            f" from {sha256[:12]}…")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def relative_to_root(path: str, root: str | None) -> str:
    """The path below the recording root (for the archive and export layouts); a path outside
    the root keeps its own name only."""
    if root:
        try:
            return str(Path(path).relative_to(root))
        except ValueError:
            pass
    return Path(path).name
