"""The API served by uvicorn on the engine's own event loop, in the engine's process.

    api = HttpApi(config, db)                       # before the engine: its listeners
    desktops = FanOutDesktops(mqtt, api.listeners()) # the engine's events reach the API too
    service = EngineService(config, ..., desktops=desktops)
    async with api.serving(service) as server:       # once the engine runs
        print(server.url)

Same process, same state: handlers read `service.switchboard` and call the service's command
methods, between the engine's own steps (one event loop, so no lock is needed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import uvicorn

from callcenter.accounts import (
    CredentialStore,
    LoginLimiter,
    LoginLimits,
    PasswordHasher,
    SessionStore,
    TokenStore,
)
from callcenter.bus.topics import Topics
from callcenter.engine.config import EngineConfig
from callcenter.engine.fanout import DesktopListener
from callcenter.engine.service import EngineService
from callcenter.errors import CallcenterError
from callcenter.http.app import OPENAPI_URL, PREFIX, create_app
from callcenter.http.context import ApiContext
from callcenter.http.hub import EventHub
from callcenter.http.settings import HttpSettings
from callcenter.http.webhooks import Webhooks
from callcenter.supervision.roles import Roster
from cdr import Database

log = logging.getLogger(__name__)


class ApiStartError(CallcenterError):
    """The API cannot listen where the configuration says (the message says why)."""


@dataclass(frozen=True, slots=True)
class ApiServer:
    url: str  # the base URL (`http.public_url`, or where it listens)
    port: int
    context: ApiContext

    @property
    def api_url(self) -> str:
        return self.url + PREFIX

    @property
    def openapi_url(self) -> str:
        return self.url + OPENAPI_URL


def _bind(settings: HttpSettings) -> socket.socket:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose proto
    # says TCP, and accepted sockets inherit it; with Nagle a small answer or WebSocket frame
    # waits for the client's delayed ACK (40 ms on Linux).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as error:
        sock.close()
        raise ApiStartError(f"http: cannot listen on {settings.host}:{settings.port}:"
                            f" {error.strerror}") from None
    sock.listen(1024)
    sock.setblocking(False)
    return sock


class HttpApi:
    """The API of one engine: built (and bound to its port, so that a port in use stops the
    start at once) before the engine; served once it runs; `close()` frees the port."""

    def __init__(self, config: EngineConfig, db: Database, *,
                 clock: Callable[[], float] = time.time,
                 hasher: PasswordHasher | None = None) -> None:
        if config.http is None:
            raise ApiStartError("the configuration has no http: section")
        self.settings = config.http
        self.db = db
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self.hub = EventHub(Roster(config.supervision), buffer=self.settings.websocket_buffer,
                            topics=Topics(config.mqtt.topic_prefix))
        self.webhooks = Webhooks(list(self.settings.webhooks), db,
                                 queue=self.settings.webhook_queue)
        self._socket = _bind(self.settings)
        self.port = int(self._socket.getsockname()[1])

    def close(self) -> None:
        """Stop listening (also when the engine never got to serve)."""
        self._socket.close()

    def listeners(self) -> list[DesktopListener]:
        """What joins the engine's `Desktops` (`callcenter.engine.fanout.FanOutDesktops`)."""
        return [self.hub, self.webhooks]

    def _uvicorn(self, context: ApiContext) -> uvicorn.Server:
        settings = self.settings
        config = uvicorn.Config(
            create_app(context), lifespan="off", log_config=None, access_log=False,
            proxy_headers=settings.behind_proxy,
            forwarded_allow_ips=",".join(settings.proxy_addresses) if settings.behind_proxy
            else None,
            ssl_certfile=settings.tls_cert, ssl_keyfile=settings.tls_key,
            ws="websockets-sansio", ws_max_size=64 * 1024,
            ws_per_message_deflate=False,  # small JSON events: compressing costs more CPU
            ws_ping_interval=20.0, timeout_graceful_shutdown=2,
            server_header=False)
        try:
            config.load()
        except (OSError, ValueError) as error:  # e.g. unreadable TLS files
            raise ApiStartError(f"http: {type(error).__name__}: {error}") from None
        server = uvicorn.Server(config)
        server.lifespan = config.lifespan_class(config)  # as Server._serve does
        return server

    @contextlib.asynccontextmanager
    async def serving(self, service: EngineService) -> AsyncIterator[ApiServer]:
        """Listen until the block ends; then stop (open sockets are closed)."""
        sock = self._socket
        port = self.port
        url = self.settings.base_url(port)
        self.webhooks.base_url = url
        settings = self.settings
        context = ApiContext(
            service=service, settings=settings, db=self.db, hub=self.hub, hasher=self.hasher,
            credentials=CredentialStore(self.db),
            sessions=SessionStore(self.db, idle_s=settings.session_idle_s,
                                  max_s=settings.session_max_s),
            tokens=TokenStore(self.db),
            limiter=LoginLimiter(self.db, LoginLimits(
                settings.login_limits.per_user, settings.login_limits.per_address,
                settings.login_limits.window_s)),
            base_url=url, clock=self.clock)
        server = self._uvicorn(context)
        async with self.webhooks:
            service.record_listeners.append(self.webhooks.call_ended)
            try:
                await server.startup(sockets=[sock])
                main = asyncio.create_task(server.main_loop(), name="http-api")
                log.info("HTTP API at %s%s (OpenAPI %s%s)", url, PREFIX, url, OPENAPI_URL)
                try:
                    yield ApiServer(url, port, context)
                finally:
                    server.should_exit = True
                    with contextlib.suppress(asyncio.CancelledError):
                        await main
                    await server.shutdown(sockets=[sock])
            finally:
                service.record_listeners.remove(self.webhooks.call_ended)
                self.close()
