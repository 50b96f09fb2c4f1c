"""The API's routers, one per resource; `app.create_app` mounts them under `/api/v1`."""
