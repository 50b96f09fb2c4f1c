"""Limits and timeouts of the FastAGI server."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AgiConfig:
    """`command_timeout_s`: how long a command may take beyond its own timeout (GET DATA's,
    RECORD FILE's...) before the PBX counts as stuck; `env_timeout_s`: how long a new
    connection may take to send its environment block; `max_env_lines` and
    `max_line_bytes` bound that block (and every reply line)."""

    command_timeout_s: float = 30.0
    env_timeout_s: float = 10.0
    max_env_lines: int = 200
    max_line_bytes: int = 8192
