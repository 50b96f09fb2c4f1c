"""The HTTP API inside `callcenter serve`: FastAPI on the engine's own event loop.

Modules: `settings` (the `http:` section of the YAML; imports only pydantic, so the config
loads without FastAPI), `context` (what every request reaches: the engine service, the account
stores, the hub), `app` (the FastAPI app and its routers in `routes/`), `auth` (sessions,
tokens, CSRF, the permission check and its audit), `hub` (the WebSocket fan-out of engine
events), `webhooks` (signed JSON to CRMs), `server` (uvicorn on the engine's loop).

Import the modules themselves (`from callcenter.http.server import ApiServer`): this face
imports nothing, so `callcenter --version` and the config never load FastAPI.
"""
