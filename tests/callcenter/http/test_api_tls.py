"""The session cookie is Secure over TLS and behind a proxy that says https (and only then)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import httpx
import pytest
from api_engine import PASSWORDS, api_config, api_engine
from sqlalchemy import select

from callcenter.accounts.schema import ApiSessionRow


def _certificate(directory: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate to serve TLS with")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


async def test_over_tls_the_cookie_is_secure(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path)
    config = api_config(http={"port": 0, "tls_cert": str(cert), "tls_key": str(key)})
    async with api_engine(tmp_path, config) as live:
        assert live.url.startswith("https://")
        trust = ssl.create_default_context(cafile=str(cert))
        async with httpx.AsyncClient(base_url=live.url, verify=trust) as client:
            response = await client.post("/api/v1/session",
                                         json={"user": "sam", "password": PASSWORDS["sam"]})
            assert response.status_code == 200
            assert "secure" in response.headers["set-cookie"].lower()
            assert (await client.get("/api/v1/agents")).status_code == 200


async def test_behind_a_proxy_the_forwarded_scheme_decides(tmp_path: Path) -> None:
    config = api_config(http={"port": 0, "behind_proxy": True,
                              "proxy_addresses": ["127.0.0.1"]})
    async with api_engine(tmp_path, config) as live, live.client() as client:
        body = {"user": "ann", "password": PASSWORDS["ann"]}
        https = await client.post("/api/v1/session", json=body,
                                  headers={"X-Forwarded-Proto": "https",
                                           "X-Forwarded-For": "203.0.113.9"})
        assert https.status_code == 200 and "secure" in https.headers["set-cookie"].lower()
        plain = await client.post("/api/v1/session", json=body)
        assert "secure" not in plain.headers["set-cookie"].lower()
        # the address the proxy forwarded is the one rate limits and audit rows see
        async with live.db.engine.connect() as conn:
            clients = set((await conn.execute(select(ApiSessionRow.client))).scalars())
        assert clients == {"203.0.113.9", "127.0.0.1"}
