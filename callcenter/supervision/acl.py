"""Mosquitto access control from the engine's config: a password file and an ACL file.

The broker is what makes `{agent}` in `<prefix>/v1/agents/{agent}/commands` and `{user}` in
`<prefix>/v1/supervisors/{user}/commands` trustworthy: with these files an agent's desktop
reads only its own topics and publishes only its own commands, and a supervisor publishes
only as itself. The engine trusts the topic, so a broker without them lets anyone act as
anyone (docs/supervision.md). Every line is for the center's own topics (`Topics`, from
`mqtt.topic_prefix`), so centers sharing a broker each get their own files and the engine
of one cannot read the other's.

Passwords come from environment variables (`CALLCENTER_MQTT_PASSWORD_<USER>`, the user id in
upper case with every other character than A-Z and 0-9 turned into `_`) or from a secrets
file of `user:password` lines; never from the YAML. Hashes are Mosquitto's `$7$` format
(PBKDF2-HMAC-SHA512, 12-byte salt, 101 iterations by default, base64; src/password_mosq.c and
apps/mosquitto_passwd/mosquitto_passwd.c `output_new_password`), made by `mosquitto_passwd -U`
when the binary is installed, else here.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets as random_bytes
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from callcenter.errors import CallcenterError
from callcenter.supervision.roles import Role, Roster, SupervisionSettings

if TYPE_CHECKING:  # the caller hands the topics in: no bus (aiomqtt) loaded here
    from callcenter.bus.topics import Topics

ENV_PREFIX = "CALLCENTER_MQTT_PASSWORD_"
PBKDF2_ITERATIONS = 101  # PW_DEFAULT_ITERATIONS in mosquitto's src/password_mosq.h
SALT_BYTES = 12  # SALT_LEN
MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"
_PLAIN_NAME = re.compile(r"[^\s:#]{1,64}")  # a user name the password and ACL files can hold


class AclError(CallcenterError):
    """A user cannot be written to the broker files, or its password is missing."""


@dataclass(frozen=True, slots=True)
class BrokerUser:
    name: str
    kind: str  # "engine", "agent", or a supervision role
    lines: tuple[str, ...]  # `topic <access> <topic>` lines of the ACL


def broker_users(settings: SupervisionSettings, agents: Iterable[str],
                 topics: Topics) -> list[BrokerUser]:
    """Every MQTT user the broker must know, with its ACL on the center's `topics`: the
    engine, each agent's desktop, each team lead, supervisor and admin."""
    roster = Roster(settings)
    agent_users = roster.agent_users(agents)
    users = [BrokerUser(settings.engine_user, "engine",
                        (f"topic readwrite {topics.everything}",))]
    for name, agent in agent_users.items():
        if name not in roster.users:
            users.append(BrokerUser(name, "agent", tuple(_agent_lines(agent, topics))))
    for user in settings.users:
        lines: list[str] = []
        if user.agent is not None:
            lines += _agent_lines(user.agent, topics)
        if user.role is not Role.AGENT:
            lines += [
                f"topic write {topics.supervisor_commands(user.id)}",
                f"topic read {topics.supervisor_replies(user.id)}",
                f"topic readwrite {topics.supervisor_ping(user.id)}",
                f"topic read {topics.supervisor_events}",
                f"topic read {topics.queue_stats_filter}",
            ]
            if user.role is Role.TEAM_LEAD:
                team = settings.teams.get(user.team or "", [])
                lines += [f"topic read {topics.agent_state(agent)}" for agent in team]
            else:
                lines.append(f"topic read {topics.agent_state_filter}")
            if user.role is Role.ADMIN:
                lines += [f"topic write {topics.admin_commands}",
                          f"topic read {topics.admin_replies}",
                          f"topic readwrite {topics.remote_ping}"]
        users.append(BrokerUser(user.id, user.role.value, tuple(dict.fromkeys(lines))))
    for broker_user in users:
        if _PLAIN_NAME.fullmatch(broker_user.name) is None:
            raise AclError(f"user {broker_user.name!r}: a broker user name may not contain"
                           " spaces, ':' or '#'")
    return users


def _agent_lines(agent: str, topics: Topics) -> list[str]:
    """An agent's desktop: its own state, screen-pops and replies; its own commands; the
    queues' figures (no personal data in them)."""
    return [f"topic read {topics.agent_state(agent)}",
            f"topic read {topics.agent_screenpop(agent)}",
            f"topic read {topics.agent_replies(agent)}",
            f"topic write {topics.agent_commands(agent)}",
            f"topic read {topics.queue_stats_filter}"]


def acl_text(users: list[BrokerUser], source: str) -> str:
    """The Mosquitto `acl_file`: one `user` block each; anything not listed is denied."""
    parts = [f"# Generated by `callcenter mqtt acl` from {source}; regenerate, do not edit.\n"]
    for user in users:
        parts.append(f"\n# {user.kind}\nuser {user.name}\n" + "".join(
            line + "\n" for line in user.lines))
    return "".join(parts)


def env_name(user: str) -> str:
    return ENV_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", user).upper()


def read_secrets(path: Path) -> dict[str, str]:
    """`user:password` lines (`#` comments and blank lines skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AclError(f"{path}: cannot read: {error.strerror}") from None
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user or not password:
            raise AclError(f"{path}:{number}: expected user:password")
        found[user] = password
    return found


def passwords(users: list[BrokerUser], secrets_file: Path | None = None,
              environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each user's password: the environment first, then the secrets file; AclError naming
    every user without one."""
    env = os.environ if environ is None else environ
    names = [user.name for user in users]
    by_env: dict[str, str] = {}
    for name in names:
        other = by_env.setdefault(env_name(name), name)
        if other != name:
            raise AclError(f"users {other!r} and {name!r} share the variable {env_name(name)};"
                           " use a secrets file")
    from_file = read_secrets(secrets_file) if secrets_file is not None else {}
    found = {name: env.get(env_name(name)) or from_file.get(name) for name in names}
    missing = [name for name, password in found.items() if not password]
    if missing:
        raise AclError("no password for " + ", ".join(
            f"{name} (set {env_name(name)} or put it in the secrets file)" for name in missing))
    return {name: password for name, password in found.items() if password}


def hash_password(password: str, *, salt: bytes | None = None,
                  iterations: int = PBKDF2_ITERATIONS) -> str:
    """Mosquitto's `$7$<iterations>$<salt b64>$<hash b64>` (PBKDF2-HMAC-SHA512, 64 bytes)."""
    salt = random_bytes.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, 64)
    return (f"$7${iterations}${base64.b64encode(salt).decode()}"
            f"${base64.b64encode(digest).decode()}")


def password_file_text(secret: Mapping[str, str]) -> str:
    return "".join(f"{user}:{hash_password(password)}\n" for user, password in secret.items())


def write_broker_files(users: list[BrokerUser], secret: Mapping[str, str], out: Path,
                       source: str, *, use_binary: bool = True) -> tuple[Path, Path, Path]:
    """Write `passwd`, `acl` and `mosquitto.conf` (the lines to include) into `out`, private
    to the owner; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    passwd, acl, conf = out / "passwd", out / "acl", out / "mosquitto.conf"
    binary = shutil.which("mosquitto_passwd") or (
        MOSQUITTO_PASSWD if os.access(MOSQUITTO_PASSWD, os.X_OK) else None)
    if use_binary and binary is not None:
        _hash_with_binary(binary, secret, passwd)
    else:
        _write_private(passwd, password_file_text(secret))
    _write_private(acl, acl_text(users, source))
    _write_private(conf, f"allow_anonymous false\npassword_file {passwd.resolve()}\n"
                         f"acl_file {acl.resolve()}\n")
    return passwd, acl, conf


def _hash_with_binary(binary: str, secret: Mapping[str, str], target: Path) -> None:
    """`mosquitto_passwd -U` hashes a plain `user:password` file in place; the plain file is
    private to the owner and never leaves `target`'s directory (no password in argv)."""
    fd, name = tempfile.mkstemp(prefix=".passwd-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as plain:
            plain.write("".join(f"{user}:{password}\n" for user, password in secret.items()))
        result = subprocess.run([binary, "-U", name], capture_output=True, text=True,
                                timeout=60, check=False)
        if result.returncode != 0:
            raise AclError(f"{binary} -U failed ({result.returncode}): "
                           f"{(result.stderr or result.stdout).strip()[:300]}")
        os.replace(name, target)
    finally:
        if os.path.exists(name):
            os.unlink(name)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
