"""Who a beacon says it is: ``/info``, ``/service-info`` and every answer's ``meta.beaconId``.

A deployment sets its identity (``BEACON_ID``, ``BEACON_NAME``, ``ORGANIZATION_*``). One that
did not gets placeholders rather than someone else's identity: an id derived from the host name
and from where the beacon's data lives (its store; a hub's registry file), so that

- two beacons on one machine, over different data, never share an id (a hub over them would
  take them for itself and ask neither);
- every worker of one server, and the same server after a restart, present the same id;
- nothing claims to be an organization it is not.

A beacon started on placeholders says so at start, naming the settings to set
(:func:`identity_warning`). The demo (``asia-beacon demo``) sets its own identity.
"""

from __future__ import annotations

import hashlib
import re
import socket
from collections.abc import Mapping
from typing import Any

from app.config import ENV_PREFIX

# The settings a deployment sets to be itself; every one but the contact has a placeholder.
IDENTITY_SETTINGS = (
    "BEACON_ID",
    "BEACON_NAME",
    "ORGANIZATION_ID",
    "ORGANIZATION_NAME",
    "ORGANIZATION_URL",
    "ORGANIZATION_CONTACT",
)
OPTIONAL_IDENTITY_SETTINGS = ("ORGANIZATION_CONTACT",)  # left out of the answers when empty
PLACEHOLDER_PREFIX = "unconfigured"
# GA4GH service-info requires an organization URL; a name under the reserved .invalid domain
# (RFC 6761) is one that can never lead anywhere.
PLACEHOLDER_ORGANIZATION_URL = "https://organization-not-configured.invalid/"
PLACEHOLDER_ORGANIZATION_NAME = "organization not configured"


def unconfigured_settings(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The identity settings ``config`` leaves empty."""
    return tuple(name for name in IDENTITY_SETTINGS if not str(config.get(name) or "").strip())


def presents_placeholders(unconfigured: tuple[str, ...]) -> bool:
    """Whether leaving these settings empty makes the beacon present a placeholder (an empty
    contact is merely left out)."""
    return any(name not in OPTIONAL_IDENTITY_SETTINGS for name in unconfigured)


def with_placeholders(
    config: Mapping[str, Any], place: str, host: str | None = None
) -> dict[str, Any]:
    """``config`` with each empty identity setting replaced by its placeholder.

    ``place`` says where the beacon's data lives (the store's location, or a hub's registry
    path); with the host name it makes the id: the same for every process serving that place on
    that host, different for another place or host.
    """
    host = host or socket.gethostname() or "localhost"
    label = _host_label(host)
    digest = hashlib.sha256(f"{host}\n{place}".encode()).hexdigest()[:10]
    placeholders = {
        "BEACON_ID": f"{PLACEHOLDER_PREFIX}.{label}.{digest}",
        "BEACON_NAME": f"unconfigured beacon on {host}",
        "ORGANIZATION_ID": f"{PLACEHOLDER_PREFIX}.{label}",
        "ORGANIZATION_NAME": PLACEHOLDER_ORGANIZATION_NAME,
        "ORGANIZATION_URL": PLACEHOLDER_ORGANIZATION_URL,
        "ORGANIZATION_CONTACT": "",
    }
    missing = unconfigured_settings(config)
    return {**config, **{name: placeholders[name] for name in missing}}


def identity_warning(config: Mapping[str, Any], unconfigured: tuple[str, ...], place: str) -> str:
    """What a beacon on placeholders says at start: what it presents, and what to set."""
    variables = ", ".join(f"{ENV_PREFIX}_{name}" for name in unconfigured)
    return (
        f"identity not configured: {variables} not set, so this beacon presents placeholders "
        f"(id {config['BEACON_ID']}, name {config['BEACON_NAME']!r}) derived from this host and "
        f"{place}. Set them before anyone queries this beacon or a hub lists it "
        "(docs/guides/operator.md#identity)."
    )


def _host_label(host: str) -> str:
    """The host's first name part, as a lower-case id segment."""
    label = re.sub(r"[^a-z0-9-]+", "-", host.split(".", 1)[0].lower()).strip("-")
    return label or "host"
