"""The hub of this application (present only when it runs as a network hub)."""

from __future__ import annotations

from flask import current_app, request

from app.network.forwarding import LoopGuard
from app.network.hub import Hub

HUB_KEY = "asia_beacon.hub"


def current_hub() -> Hub:
    return current_app.extensions[HUB_KEY]


def fresh_hub() -> Hub:
    """The hub, its nodes' metadata read. A request from another hub (reading this one's
    metadata) waits for reads in progress for half a node's timeout at most: two hubs listing
    each other would otherwise wait for each other until both reads failed. This hub reading
    itself (it lists itself) waits for none: the read in progress is the one asking."""
    hub = current_hub()
    path = LoopGuard.from_headers(request.headers).path
    if hub.instance_id in path:
        hub.keep_fresh(0.0)
    else:
        hub.keep_fresh(hub.settings.timeout / 2 if path else None)
    return hub
