"""The bundled privacy-law registry, copied into the store so that Data Connect (and a Trino
catalog over the same MongoDB) reads it as a table like any other."""

from __future__ import annotations

import logging

from app.catalog.laws import PrivacyLawRegistry
from app.store import Store
from app.store.collections import PRIVACY_LAWS

log = logging.getLogger(__name__)


def sync_privacy_laws(store: Store, registry: PrivacyLawRegistry) -> None:
    """Make the ``privacyLaws`` collection hold exactly the registry's entries.

    A database the server may not write to keeps what it has; the error is logged, the server
    still starts.
    """
    try:
        store.sync_rows(PRIVACY_LAWS, [{"_id": entry["id"], **entry} for entry in registry.entries])
    except Exception:
        log.exception("could not copy the privacy-law registry into the store")
