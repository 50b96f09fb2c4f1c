"""Options shared by the commands that talk to a running engine over MQTT.

Imported when the CLI is built, so only Typer here: the bus itself loads when a command
runs (`callcenter.cli.engine_request`).
"""

from __future__ import annotations

import typer

PREFIX = typer.Option(None, "--topic-prefix", envvar="CALLCENTER_MQTT_TOPIC_PREFIX",
                      help="The engine's mqtt.topic_prefix (default: callcenter).")
