"""The `recording:` section of the engine's YAML: policy, file naming, storage, retention, QA.

Default: record nothing (no rules). `directory` is where Asterisk writes (absolute: the engine
passes absolute file names to MixMonitor); `read_directory` is the same directory as the
engine's host sees it, when it is mounted elsewhere (NFS); `archive_directory` the second copy.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from recording.naming import NamingSettings
from recording.policy import RecordingPolicy
from recording.qa import QaSettings
from recording.retention import RetentionPolicy


class RecordingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    policy: RecordingPolicy = RecordingPolicy()
    naming: NamingSettings = NamingSettings()
    directory: str = "/var/spool/asterisk/monitor/callcenter"
    read_directory: str | None = None
    archive_directory: str | None = None
    retention: RetentionPolicy = RetentionPolicy()
    qa: QaSettings = QaSettings()
    settle_s: Annotated[float, Field(ge=0, le=60)] = 2.0  # wait for the file after hang-up

    @field_validator("directory", "read_directory", "archive_directory")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None and not PurePosixPath(value).is_absolute():
            raise ValueError(f"expected an absolute directory, got {value!r}")
        return value.rstrip("/") or "/" if value is not None else None

    def asterisk_path(self, relative: str) -> str:
        """The file name given to MixMonitor."""
        return f"{self.directory}/{relative}"

    def local_path(self, asterisk_path: str) -> str:
        """The same file as the engine reads it."""
        if self.read_directory and asterisk_path.startswith(self.directory + "/"):
            return self.read_directory + asterisk_path[len(self.directory):]
        return asterisk_path
