"""`callcenter supervise …` (supervisor controls over MQTT) and `callcenter mqtt acl` (broker
password and ACL files from the config).

A supervise command is sent on `<prefix>/v1/supervisors/{--as}/commands` (`--topic-prefix`,
default `callcenter`); the engine checks the user's role and team, audits the command, and
replies. Exit codes: 0 done, 1 refused (the engine's reason on stderr), 3 no reply / no broker.
MQTT credentials: `CALLCENTER_MQTT_USERNAME` (default: the `--as` user when a password is set)
and `CALLCENTER_MQTT_PASSWORD`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from callcenter.cli.app import app
from callcenter.cli.busopts import PREFIX
from callcenter.cli.dbopts import fail

if TYPE_CHECKING:
    from callcenter.engine.remote import Remote

supervise_app = typer.Typer(
    help="Supervisor controls on a running engine: listen, whisper, barge, force hang-up,"
    " pause/ready/logout, move or prioritise a waiting call.",
    no_args_is_help=True,
)
mqtt_app = typer.Typer(help="The MQTT broker: access control files.", no_args_is_help=True)
app.add_typer(supervise_app, name="supervise")
app.add_typer(mqtt_app, name="mqtt")

AS = typer.Option(..., "--as", help="The supervision user sending the command.")
HOST = typer.Option("127.0.0.1", "--mqtt-host", help="The engine's MQTT broker.")
PORT = typer.Option(1883, "--mqtt-port", min=1, max=65535, help="Its port.")
TIMEOUT = typer.Option(5.0, "--timeout", min=0.1, help="Seconds to wait for the reply.")


def _send(user: str, host: str, port: int, timeout: float, prefix: str | None, cmd: str,
          fields: dict[str, Any]) -> None:
    from callcenter.bus import topics
    from callcenter.bus.client import unique_client_id
    from callcenter.cli.engine_request import bus_config, request_engine

    if not topics.is_valid_name(user):
        fail(f"--as {user!r}: not a valid user id")
    password = os.environ.get("CALLCENTER_MQTT_PASSWORD") or None
    username = os.environ.get("CALLCENTER_MQTT_USERNAME") or (user if password else None)
    config = bus_config(host, port, timeout, prefix, username=username, password=password,
                        client_id=unique_client_id("callcenter-supervise"))

    async def send(remote: Remote) -> dict[str, Any]:
        return await remote.supervisor(user, cmd, timeout=timeout, **fields)

    request_engine(config, send, timeout=timeout,
                   ping_topic=config.topics.supervisor_ping(user))


def _agent_command(cmd: str, doc: str) -> None:
    def command(agent: str, user: str = AS, host: str = HOST, port: int = PORT,
                timeout: float = TIMEOUT, prefix: str | None = PREFIX) -> None:
        _send(user, host, port, timeout, prefix, cmd, {"agent": agent})

    command.__doc__ = doc
    supervise_app.command(cmd)(command)


_agent_command("listen", "Listen to the agent's call: your configured phone rings, then you"
               " hear both sides.")
_agent_command("whisper", "Coach the agent: the agent hears you, the caller does not.")
_agent_command("barge", "Join the agent's call: agent and caller both hear you.")
_agent_command("hangup", "Hang up the agent's current call.")
_agent_command("ready", "Make the agent available.")
_agent_command("logout", "Log the agent out (refused while it is on a call).")


@supervise_app.command("pause")
def pause(agent: str, reason: str = typer.Option(..., help="e.g. coaching"), user: str = AS,
          host: str = HOST, port: int = PORT, timeout: float = TIMEOUT,
          prefix: str | None = PREFIX) -> None:
    """Pause the agent with a reason (after its call, if it is on one)."""
    _send(user, host, port, timeout, prefix, "pause", {"agent": agent, "reason": reason})


@supervise_app.command("move")
def move(call_id: str, queue: str, user: str = AS, host: str = HOST, port: int = PORT,
         timeout: float = TIMEOUT, prefix: str | None = PREFIX) -> None:
    """Move a waiting call to another queue (it keeps its place by waiting time)."""
    _send(user, host, port, timeout, prefix, "move_call", {"call_id": call_id, "queue": queue})


@supervise_app.command("priority")
def priority(call_id: str, value: int = typer.Argument(..., min=0, max=9, metavar="PRIORITY"),
             user: str = AS, host: str = HOST, port: int = PORT,
             timeout: float = TIMEOUT, prefix: str | None = PREFIX) -> None:
    """Set a waiting call's priority, 0-9 (higher is answered first)."""
    _send(user, host, port, timeout, prefix, "set_priority",
          {"call_id": call_id, "priority": value})


@mqtt_app.command("acl")
def acl(
    config_path: Path = typer.Option(..., "--config", "-c", help="The engine's YAML file."),
    out: Path = typer.Option(..., "--out", help="Directory for passwd, acl, mosquitto.conf."),
    secrets: Path | None = typer.Option(
        None, "--secrets", help="user:password lines (else CALLCENTER_MQTT_PASSWORD_<USER>)."),
) -> None:
    """Write the Mosquitto password file, ACL file and the config lines that load them."""
    from callcenter.bus.errors import BusError
    from callcenter.bus.topics import Topics
    from callcenter.engine.config import ConfigError, load_config
    from callcenter.supervision.acl import AclError, broker_users, passwords, write_broker_files

    try:
        config = load_config(config_path)
        users = broker_users(config.supervision, [a.id for a in config.agents],
                             Topics(config.mqtt.topic_prefix))
        secret = passwords(users, secrets)
        passwd, acl_file, conf = write_broker_files(users, secret, out, str(config_path))
    except (ConfigError, AclError, BusError) as error:
        fail(str(error))
    except OSError as error:
        fail(f"{out}: {error.strerror or error}")
    typer.echo(f"{len(users)} users; wrote {passwd}, {acl_file} and {conf}"
               f" (include it in mosquitto.conf; the files must be readable by the broker)")
