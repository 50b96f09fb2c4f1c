"""Files: checksum verification finds missing and corrupt files; copies are verified."""

from __future__ import annotations

from pathlib import Path

import pytest

from recording.metadata import RecordingMetadata, file_facts
from recording.storage import CopyError, FileStatus, check_file, copy_verified


def stored(path: Path) -> RecordingMetadata:
    facts = file_facts(path)
    return RecordingMetadata("r", "c", str(path), 0.0, 10.0, size_bytes=facts.size_bytes,
                             sha256=facts.sha256)


def test_ok_missing_corrupt_unhashed(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    path.write_bytes(b"RIFF" + bytes(100))
    meta = stored(path)
    assert check_file(meta).status is FileStatus.OK
    path.write_bytes(b"RIFF" + bytes(99) + b"x")
    corrupt = check_file(meta)
    assert corrupt.status is FileStatus.CORRUPT and "stored" in corrupt.detail
    path.unlink()
    assert check_file(meta).status is FileStatus.MISSING
    path.write_bytes(b"x")
    unhashed = RecordingMetadata("r", "c", str(path), 0.0)
    assert check_file(unhashed).status is FileStatus.UNHASHED


def test_copy_verified_and_a_bad_checksum_leaves_no_copy(tmp_path: Path) -> None:
    source = tmp_path / "a.wav"
    source.write_bytes(b"audio")
    meta = stored(source)
    target = tmp_path / "arch" / "2026" / "a.wav"
    assert meta.sha256 is not None
    copy_verified(source, target, meta.sha256)
    assert target.read_bytes() == b"audio"
    with pytest.raises(CopyError, match="differs"):
        copy_verified(source, tmp_path / "b.wav", "0" * 64)
    assert not (tmp_path / "b.wav").exists() and not (tmp_path / "b.wav.partial").exists()
