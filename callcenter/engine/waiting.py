"""Waiting for the engine's peers at start-up: the database and the MQTT broker.

`callcenter serve` may start before PostgreSQL, Mosquitto or Asterisk (a machine booting, a
container orchestrator starting everything at once). It waits for each with backoff, one log
line per attempt saying what it waits for, why, and when it tries again — and stops at once,
with a clear message, on an answer that waiting will not change (a wrong password, a missing
database). Asterisk is waited for by the AMI client itself (`AmiConfig.wait_first_login`), with
the same kind of line.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from callcenter.bus.client import BusConfig, connect_once
from callcenter.bus.errors import BusConnectionError
from callcenter.errors import CallcenterError

log = logging.getLogger(__name__)


class PeerRefusedError(CallcenterError):
    """A peer answered and refused (credentials, a database that does not exist): waiting
    will not help, the configuration must change."""


class PeerUnavailableError(CallcenterError):
    """A peer could not be reached (yet): worth another try. The message is the reason only
    (the waiter says which peer)."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delays between attempts, seconds: `initial` doubling up to `maximum`, each drawn
    from U(delay/2, delay) ("equal jitter", as the AMI client reconnects)."""

    initial: float = 0.5
    maximum: float = 30.0


async def wait_for(what: str, attempt: Callable[[], Awaitable[None]], *,
                   backoff: Backoff = Backoff(), rng: random.Random | None = None) -> int:
    """Run `attempt` until it returns; return how many attempts it took.

    `PeerUnavailableError` from `attempt` is logged (WARNING: `waiting for <what>: <why>;
    attempt <n>, next in <s> s`) and retried after the next delay; anything else propagates.
    Cancelling the caller stops the wait.
    """
    rng = rng or random.Random()
    delay = backoff.initial
    attempts = 0
    while True:
        attempts += 1
        try:
            await attempt()
        except PeerUnavailableError as exc:
            pause = rng.uniform(delay / 2, delay)
            log.warning("waiting for %s: %s; attempt %d, next in %.1f s", what, exc,
                        attempts, pause)
            await asyncio.sleep(pause)
            delay = min(delay * 2, backoff.maximum)
            continue
        if attempts > 1:
            log.info("%s is up after %d attempts", what, attempts)
        return attempts


async def check_broker(config: BusConfig, timeout: float = 5.0) -> None:
    """One MQTT connection: `PeerUnavailableError` if the broker cannot be reached;
    `BusRefusedError` (final) if it refuses us."""
    try:
        await connect_once(config, timeout)
    except BusConnectionError as exc:
        where = f"MQTT broker {config.address}: "
        raise PeerUnavailableError(str(exc).removeprefix(where)) from None


# SQLSTATEs worth waiting for: 08 connection exceptions, 57P03 cannot_connect_now (the server
# is starting or recovering), 53300 too_many_connections (PostgreSQL, Appendix A).
_TRANSIENT_SQLSTATE_CLASSES = ("08",)
_TRANSIENT_SQLSTATES = frozenset({"57P03", "53300"})


async def check_database(url: str, display_url: str, timeout: float = 10.0) -> None:
    """Open one connection to the database and run `SELECT 1`.

    `PeerUnavailableError` (the reason) when the server cannot be reached or is not ready;
    `PeerRefusedError` (naming the database) when it answers no: authentication, no such
    database, a SQLite file that cannot be opened. `display_url` (no password) is what the
    messages show.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from cdr import Database

    try:
        async with asyncio.timeout(timeout):
            async with Database(url) as db, db.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        raise PeerUnavailableError(f"no answer within {timeout:g} s") from None
    except OSError as exc:  # refused, unreachable, name not resolved (yet)
        raise PeerUnavailableError(str(exc) or type(exc).__name__) from None
    except DBAPIError as exc:
        sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
        reason = str(exc.orig).strip() or type(exc.orig).__name__
        if sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES or sqlstate in _TRANSIENT_SQLSTATES:
            raise PeerUnavailableError(reason) from None
        raise PeerRefusedError(f"database {display_url}: {reason}") from None
    except SQLAlchemyError as exc:
        raise PeerRefusedError(f"database {display_url}: {exc}") from None
