"""`callcenter serve --check`: is this machine ready to run the engine of this config?

Each check connects to one peer, as the engine would, and says what it found: the AMI login,
the engine's contexts as Asterisk has loaded them (compared, extension by extension and step
by step, with what `callcenter dialplan render` writes for this config), the MQTT broker,
the database and its schema, the FastAGI port, and, given a sounds directory, every prompt
`prompts.txt` lists. Nothing is changed anywhere: no migration, no AMI action but `Login`,
`ShowDialPlan` and `Logoff`.
"""

from __future__ import annotations

import socket
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

from callcenter.ami import AmiActionError, AmiClient, AmiConfig, AmiError, actions
from callcenter.ami.events import UnknownEvent
from callcenter.bus.client import connect_once, unique_client_id
from callcenter.bus.errors import BusError
from callcenter.engine.config import ConfigError, EngineConfig, dialplan_params
from callcenter.engine.waiting import PeerRefusedError, PeerUnavailableError, check_database

Steps = tuple[str, ...]
"""An extension as compared: its applications in priority order (lower case)."""

SHOWN = 4  # differences named per line; the rest counted


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the checklist: what was checked, whether it passed, what was found."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"


async def run_checks(config: EngineConfig, ami_config: AmiConfig, *, db_url: str,
                     sounds: Path | None = None, timeout: float = 5.0) -> AsyncIterator[Check]:
    """Every check, in order, as each is done. `timeout`: seconds per connection."""
    async for check in _ami_checks(config, ami_config, timeout):
        yield check
    yield await _mqtt_check(config, timeout)
    async for check in _database_checks(db_url, timeout):
        yield check
    if config.uses_agi():
        yield _agi_check(config)
    if sounds is not None:
        yield _prompts_check(config, sounds)


# --- Asterisk -------------------------------------------------------------------------------

async def _ami_checks(config: EngineConfig, ami_config: AmiConfig,
                      timeout: float) -> AsyncIterator[Check]:
    from dialplans.engine_contexts import engine_contexts

    where = f"AMI {ami_config.host}:{ami_config.port}"
    rendered = engine_contexts(dialplan_params(config))
    probe = replace(ami_config, resync=False, wait_first_login=False,
                    connect_timeout=timeout, action_timeout=timeout)
    try:
        async with AmiClient(probe) as ami:
            yield Check(where, True, f"logged in as {ami_config.username!r}"
                                     f" (Asterisk Call Manager/{ami.version})")
            for context in rendered.contexts:
                expected = {e.name: tuple(p.app.lower() for p in e.priorities)
                            for e in context.extensions}
                yield await _context_check(ami, context.name, expected)
            yield await _site_context_check(ami, config.transfer_context)
    except AmiError as error:
        yield Check(where, False, str(error))
        yield Check("dialplan", False, "not checked: no AMI session")


async def _context_check(ami: AmiClient, name: str, expected: dict[str, Steps]) -> Check:
    what = f"dialplan [{name}]"
    try:
        listing = await ami.send_list(actions.show_dialplan(name))
    except AmiActionError as error:
        if error.message.startswith("Did not find context"):
            return Check(what, False, "not loaded: #include the rendered extensions.conf"
                                      " and run `dialplan reload` (docs/deploy.md)")
        return Check(what, False, f"{error} (the manager user needs the write class"
                                  " 'reporting' or 'config' for ShowDialPlan)")
    except AmiError as error:
        return Check(what, False, str(error))
    loaded: dict[str, dict[int, str]] = {}
    for item in listing.items:
        if not isinstance(item, UnknownEvent) or item.name != "ListDialplan":
            continue
        headers = item.headers
        priority = headers.get("Priority", "")
        if "Extension" in headers and priority.isdigit():
            loaded.setdefault(headers["Extension"], {})[int(priority)] = (
                headers.get("Application", "").lower())
    found = {ext: tuple(steps[p] for p in sorted(steps)) for ext, steps in loaded.items()}
    problems = _differences(expected, found)
    if problems:
        return Check(what, False, "differs from what `callcenter dialplan render` writes for"
                                  f" this config: {problems}; render again and `dialplan"
                                  " reload`")
    return Check(what, True, f"loaded as rendered ({_count(len(expected), 'extension')})")


async def _site_context_check(ami: AmiClient, name: str) -> Check:
    """The site's own context the engine sends transfers to (`transfer_context`)."""
    what = f"dialplan [{name}] (transfer_context)"
    try:
        listing = await ami.send_list(actions.show_dialplan(name))
    except AmiActionError as error:
        if error.message.startswith("Did not find context"):
            return Check(what, False, "not loaded: the site's dialplan must define it (the"
                                      " agents' phones and transfers dial from it)")
        return Check(what, False, str(error))
    except AmiError as error:
        return Check(what, False, str(error))
    extensions = {item.headers.get("Extension") for item in listing.items
                  if isinstance(item, UnknownEvent) and "Extension" in item.headers}
    return Check(what, True, f"defined by the site ({_count(len(extensions), 'extension')},"
                             " includes not counted)")


def _differences(expected: dict[str, Steps], found: dict[str, Steps]) -> str:
    missing = [ext for ext in expected if ext not in found]
    extra = [ext for ext in found if ext not in expected]
    changed = [ext for ext in expected if ext in found and found[ext] != expected[ext]]
    parts = []
    if missing:
        parts.append(f"no extension {_names(missing)}")
    if extra:
        parts.append(f"extension {_names(extra)} not in the config")
    for ext in changed[:SHOWN]:
        parts.append(f"{ext}: {len(found[ext])} steps ({','.join(found[ext])}), expected"
                     f" {len(expected[ext])} ({','.join(expected[ext])})")
    if len(changed) > SHOWN:
        parts.append(f"{len(changed) - SHOWN} more extensions differ")
    return "; ".join(parts)


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


# --- MQTT, database, FastAGI, prompts ---------------------------------------------------------

async def _mqtt_check(config: EngineConfig, timeout: float) -> Check:
    from callcenter.engine.runner import bus_config_of

    bus = replace(bus_config_of(config), client_id=unique_client_id("callcenter-check"))
    where = f"MQTT broker {bus.address}"
    try:
        await connect_once(bus, timeout)
    except BusError as error:
        return Check(where, False, str(error).removeprefix(f"{where}: "))
    user = f" as user {bus.username!r}" if bus.username else " (anonymous)"
    return Check(where, True, f"connected{user}; topics {bus.topics.everything}")


async def _database_checks(url: str, timeout: float) -> AsyncIterator[Check]:
    from cdr import CdrError, Database, current_revision, head_revision

    try:
        db = Database(url)
    except CdrError as error:
        yield Check("database", False, str(error))
        return
    where = f"database {db.display_url}"
    missing = _missing_sqlite_file(url)
    if missing is not None:  # connecting would create it: say so instead
        await db.engine.dispose()
        yield Check(where, False, "the file does not exist yet: `callcenter db upgrade` (or"
                                  " serve --migrate) creates it")
        return
    async with db:
        try:
            await check_database(url, db.display_url, timeout)
        except (PeerUnavailableError, PeerRefusedError) as error:
            yield Check(where, False, str(error).removeprefix(f"{where}: "))
            return
        yield Check(where, True, "connected")
        current, head = await current_revision(db), head_revision()
    if current == head:
        yield Check("database schema", True, f"current (revision {head})")
    else:
        yield Check("database schema", False,
                    f"at revision {current or 'none (empty database)'}, this engine needs"
                    f" {head}: run `callcenter db upgrade` (or serve --migrate)")


def _missing_sqlite_file(url: str) -> Path | None:
    from cdr import normalize_url

    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database or "")
    return None if path.exists() else path


def _agi_check(config: EngineConfig) -> Check:
    ivr = config.ivr
    where = f"FastAGI {ivr.bind}:{ivr.agi_port}"
    if ivr.agi_port == 0:
        return Check(where, False, "ivr.agi_port is 0: Asterisk needs a fixed port to dial")
    with socket.socket(socket.AF_INET6 if ":" in ivr.bind else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((ivr.bind, ivr.agi_port))
        except OSError as error:
            return Check(where, False, f"cannot listen there: {error.strerror or error}"
                                       " (is an engine already running?)")
    return Check(where, True, f"free to listen on; the dialplan dials"
                              f" agi://{ivr.agi_host}:{ivr.agi_port}")


def _prompts_check(config: EngineConfig, sounds: Path) -> Check:
    """What `callcenter dialplan check --sounds` says of the prompts.txt rendered for this
    config (the same code: `dialplans.check`)."""
    from callcenter.cli.dialplan_input import render_input
    from dialplans.check import check_directory
    from dialplans.engine_contexts import DialplanParamsError
    from dialplans.findings import Severity
    from dialplans.prompts import parse_prompts
    from dialplans.render import PROMPTS, render, write_directory

    what = f"prompts in {sounds}"
    if not sounds.is_dir():
        return Check(what, False, "not a directory")
    try:
        inp, _ = render_input(config, "serve --check", placeholder_secrets=True)
    except (ConfigError, DialplanParamsError) as error:
        return Check(what, False, f"cannot list them: {error}")
    with tempfile.TemporaryDirectory(prefix="cc-check-") as tmp:
        rendered = Path(tmp)
        write_directory(rendered, [f for f in render(inp) if f.name == PROMPTS])
        listed = len(parse_prompts((rendered / PROMPTS).read_text(encoding="utf-8")))
        missing = [f.message.split(" not found", 1)[0].removeprefix("sound ")
                   for f in check_directory(rendered, sounds=sounds)
                   if f.file.name == PROMPTS and f.severity is Severity.ERROR]
    if missing:
        return Check(what, False, f"{len(missing)} of {listed} missing: {_names(missing)}"
                                  " (`callcenter dialplan render` lists them in prompts.txt)")
    return Check(what, True, f"all {listed} found")


async def gather(checks: AsyncIterator[Check]) -> list[Check]:
    """Every check of `checks`, in order (for tests and callers that print at the end)."""
    return [check async for check in checks]

