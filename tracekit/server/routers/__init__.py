"""One router module per resource; `tracekit.server.app.create_app` mounts them."""
