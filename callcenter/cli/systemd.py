"""`callcenter systemd-unit`: the systemd service that runs `callcenter serve` (docs/deploy.md).

The unit runs the engine as its own unprivileged user, reads the secrets from an environment
file (never from the YAML, never on a command line), restarts it after a crash but not after
exit code 2 (a configuration or a credential was refused: restarting will not mend it), and
stops it with SIGTERM, which drains it (calls in progress stay up in Asterisk and are adopted
at the next start).
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import typer

from callcenter.cli.app import app
from callcenter.cli.dbopts import fail

ENV_VARIABLES = (
    ("CALLCENTER_AMI_SECRET", "the manager.conf secret of ami.username (ami.secret_env)"),
    ("CALLCENTER_MQTT_USERNAME", "the engine's broker user (supervision.engine_user), if the"
                                 " broker has an ACL"),
    ("CALLCENTER_MQTT_PASSWORD", "its password"),
    ("CALLCENTER_DB", "the database URL, e.g. postgresql://callcenter:<password>@db/callcenter"
                      " (leave database.url out of the YAML)"),
)


@dataclass(frozen=True, slots=True)
class UnitSettings:
    """What the unit says; the defaults are the layout docs/deploy.md describes."""

    python: str
    config: str = "/etc/callcenter/callcenter.yaml"
    environment_file: str = "/etc/callcenter/callcenter.env"
    user: str = "callcenter"
    state_directory: str = "callcenter"  # /var/lib/callcenter: the working directory


def unit_text(settings: UnitSettings) -> str:
    """The `callcenter.service` unit file for `settings`."""
    command = shlex.join([settings.python, "-m", "callcenter", "serve", "--config",
                          settings.config])
    return f"""\
# callcenter.service: written by `callcenter systemd-unit`; docs/deploy.md.
[Unit]
Description=callcenter engine for Asterisk (ACD, screen-pops, call records)
# Ordering only: the engine waits for each of them itself (one log line per attempt).
After=network-online.target asterisk.service postgresql.service mosquitto.service
Wants=network-online.target

[Service]
Type=exec
User={settings.user}
Group={settings.user}
# CALLCENTER_AMI_SECRET, CALLCENTER_MQTT_USERNAME/_PASSWORD, CALLCENTER_DB (mode 0600).
EnvironmentFile={settings.environment_file}
StateDirectory={settings.state_directory}
WorkingDirectory=/var/lib/{settings.state_directory}
ExecStart={command}
# SIGTERM drains the engine; calls stay up in Asterisk and are adopted at the next start.
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=5
# 2: the configuration or a credential was refused; a restart would not change that.
RestartPreventExitStatus=2
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full
ProtectHome=yes

[Install]
WantedBy=multi-user.target
"""


def environment_template() -> str:
    """The environment file's lines, to fill in (it is read by systemd as root: mode 0600)."""
    return "".join(f"# {what}\n{name}=\n" for name, what in ENV_VARIABLES)


@app.command("systemd-unit")
def systemd_unit(
    config: Path = typer.Option(Path("/etc/callcenter/callcenter.yaml"), "--config", "-c",
                                help="The engine's YAML file, as the service will see it."),
    environment_file: Path = typer.Option(
        Path("/etc/callcenter/callcenter.env"), "--env-file",
        help="The environment file with the secrets."),
    user: str = typer.Option("callcenter", "--user", help="The system user it runs as."),
    python: str | None = typer.Option(
        None, "--python", help="The interpreter with callcenter installed (default: this one,"
        f" {sys.executable})."),
    env_template: bool = typer.Option(
        False, "--env-template", help="Print the environment file's variables instead."),
) -> None:
    """Print a systemd unit running `callcenter serve` (save it as
    /etc/systemd/system/callcenter.service)."""
    if env_template:
        typer.echo(environment_template(), nl=False)
        return
    interpreter = Path(python or sys.executable)
    for option, path in (("--config", config), ("--env-file", environment_file),
                         ("--python", interpreter)):
        if not path.is_absolute():
            fail(f"{option} {path}: expected an absolute path (systemd has no working"
                 " directory to resolve it against)")
    if not user or any(c.isspace() or c in ":/" for c in user):
        fail(f"--user {user!r}: expected a system user name")
    typer.echo(unit_text(UnitSettings(python=str(interpreter), config=str(config),
                                      environment_file=str(environment_file), user=user)),
               nl=False)
