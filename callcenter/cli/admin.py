"""`callcenter agents …` and `callcenter queues …`: change a running engine, no restart.

Each command is an MQTT admin or agent command to the engine; the engine's reply decides the
exit code (0 done, 1 refused with the engine's reason, 3 no reply / no broker). MQTT
credentials: `CALLCENTER_MQTT_USERNAME` / `CALLCENTER_MQTT_PASSWORD`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from callcenter.cli.app import app
from callcenter.cli.busopts import PREFIX
from callcenter.cli.dbopts import fail

if TYPE_CHECKING:
    from callcenter.engine.remote import Remote

agents_app = typer.Typer(help="Agents of a running engine: skills, queues, roster, state.",
                         no_args_is_help=True)
queues_app = typer.Typer(help="Queues of a running engine.", no_args_is_help=True)
app.add_typer(agents_app, name="agents")
app.add_typer(queues_app, name="queues")

HOST = typer.Option("127.0.0.1", "--mqtt-host", help="The engine's MQTT broker.")
PORT = typer.Option(1883, "--mqtt-port", min=1, max=65535, help="Its port.")
TIMEOUT = typer.Option(5.0, "--timeout", min=0.1, help="Seconds to wait for the reply.")


def parse_skills(pairs: list[str]) -> dict[str, int]:
    """`billing=3 english=2` → {"billing": 3, "english": 2}; exit 2 naming a bad pair."""
    skills: dict[str, int] = {}
    for pair in pairs:
        name, sep, level = pair.partition("=")
        if not name or not sep or not level.isdigit() or not 1 <= int(level) <= 10:
            fail(f"skill {pair!r}: expected name=level with a level from 1 to 10")
        skills[name] = int(level)
    return skills


def _send(host: str, port: int, timeout: float, agent: str | None, cmd: str,
          fields: dict[str, Any], prefix: str | None) -> None:
    """Send `cmd` (an agent command when `agent` is given, else an admin command)."""
    from callcenter.cli.engine_request import bus_config, request_engine

    # Credentials from CALLCENTER_MQTT_USERNAME / _PASSWORD (a broker with the ACL of
    # `callcenter mqtt acl` takes admin commands from admin users only).
    config = bus_config(host, port, timeout, prefix)

    async def send(remote: Remote) -> dict[str, Any]:
        if agent is None:
            return await remote.admin(cmd, timeout=timeout, **fields)
        return await remote.command(agent, cmd, timeout=timeout, **fields)

    request_engine(config, send, timeout=timeout)


@agents_app.command("skills")
def agent_skills(agent: str, skills: list[str] = typer.Argument(..., help="name=level ..."),
                 host: str = HOST, port: int = PORT, timeout: float = TIMEOUT,
                 prefix: str | None = PREFIX) -> None:
    """Replace an agent's skills: `callcenter agents skills 1007 billing=8 english=5`."""
    _send(host, port, timeout, None, "set_agent_skills",
          {"agent": agent, "skills": parse_skills(skills)}, prefix)


@agents_app.command("queues")
def agent_queues(agent: str, queues: str = typer.Argument(..., help="q1,q2 (empty: all)"),
                 host: str = HOST, port: int = PORT, timeout: float = TIMEOUT,
                 prefix: str | None = PREFIX) -> None:
    """Restrict an agent to some queues: `callcenter agents queues 1007 billing,support`."""
    names = [q for q in queues.split(",") if q]
    _send(host, port, timeout, None, "set_agent_queues", {"agent": agent, "queues": names},
          prefix)


@agents_app.command("add")
def agent_add(agent: str, skills: list[str] = typer.Argument(..., help="name=level ..."),
              device: str | None = typer.Option(None, help="Default device, e.g. PJSIP/1007."),
              display: str | None = typer.Option(None, help="The number callers hear."),
              host: str = HOST, port: int = PORT, timeout: float = TIMEOUT,
              prefix: str | None = PREFIX) -> None:
    """Add an agent to the running engine (logged out)."""
    model: dict[str, Any] = {"id": agent, "skills": parse_skills(skills)}
    if display:
        model["display_id"] = display
    _send(host, port, timeout, None, "add_agent", {"agent": model, "device": device}, prefix)


@agents_app.command("remove")
def agent_remove(agent: str, host: str = HOST, port: int = PORT,
                 timeout: float = TIMEOUT, prefix: str | None = PREFIX) -> None:
    """Remove a logged-out agent from the running engine."""
    _send(host, port, timeout, None, "remove_agent", {"agent": agent}, prefix)


@agents_app.command("login")
def agent_login(agent: str, device: str | None = typer.Option(None, help="e.g. PJSIP/1007"),
                host: str = HOST, port: int = PORT, timeout: float = TIMEOUT,
                prefix: str | None = PREFIX) -> None:
    """Log an agent in (on its configured device unless --device)."""
    fields = {"device": device} if device else {}
    _send(host, port, timeout, agent, "login", fields, prefix)


@agents_app.command("logout")
def agent_logout(agent: str, host: str = HOST, port: int = PORT,
                 timeout: float = TIMEOUT, prefix: str | None = PREFIX) -> None:
    """Log an agent out (refused while it is on a call)."""
    _send(host, port, timeout, agent, "logout", {}, prefix)


@agents_app.command("pause")
def agent_pause(agent: str, reason: str = typer.Option(..., help="e.g. lunch, training"),
                host: str = HOST, port: int = PORT, timeout: float = TIMEOUT,
                prefix: str | None = PREFIX) -> None:
    """Pause an agent with a reason (after its call, if it is on one)."""
    _send(host, port, timeout, agent, "pause", {"reason": reason}, prefix)


@agents_app.command("ready")
def agent_ready(agent: str, host: str = HOST, port: int = PORT,
                timeout: float = TIMEOUT, prefix: str | None = PREFIX) -> None:
    """Make an agent available again."""
    _send(host, port, timeout, agent, "ready", {}, prefix)


@queues_app.command("update")
def queues_update(
    config_path: Path = typer.Option(..., "--config", "-c", help="The engine's YAML file."),
    names: list[str] = typer.Argument(None, help="Queues to push (default: all in the file)."),
    host: str = HOST, port: int = PORT, timeout: float = TIMEOUT,
    prefix: str | None = PREFIX,
) -> None:
    """Push queue definitions from the config file to the running engine (new or changed
    queues; waiting calls keep their place). The topic prefix is the file's unless
    --topic-prefix says otherwise."""
    from callcenter.engine.config import ConfigError, load_config

    try:
        config = load_config(config_path)
    except ConfigError as error:
        fail(str(error))
    chosen = [q for q in config.queues if not names or q.name in names]
    missing = sorted(set(names or ()) - {q.name for q in config.queues})
    if missing:
        fail(f"{config_path}: no queue named {', '.join(missing)}")
    for queue in chosen:
        _send(host, port, timeout, None, "update_queue",
              {"queue": queue.model_dump(mode="json")}, prefix or config.mqtt.topic_prefix)
