"""Everything an application is built from, read and checked before anything is built.

``create_app`` builds from :func:`check_configuration`, and ``asia-beacon serve``, ``asia-beacon
hub`` and ``deploy/gunicorn.conf.py`` run it before gunicorn binds a port: a bad setting is
then one :class:`~app.config.ConfigurationError` naming its variable, found the same way
wherever the application starts, instead of a traceback in every worker.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.access.tokens import TokenSettings, TokenVerifier
from app.config import ConfigurationError, beacon_config
from app.identity import (
    identity_warning,
    presents_placeholders,
    unconfigured_settings,
    with_placeholders,
)
from app.ontology.hierarchy import OntologyHierarchy, load_hierarchy
from app.ops.logs import LOG_FORMATS
from app.settings import BeaconSettings, text_list, typed_config
from app.store import Store, StoreConfigurationError, open_store

if TYPE_CHECKING:
    from app.network.hub import NetworkSettings

MIN_CONTENT_LENGTH = 1024  # bytes: a smaller body limit would refuse ordinary queries


@dataclass(frozen=True)
class CheckedConfiguration:
    """The configuration, every setting checked, and what is built from it before serving."""

    config: dict[str, Any]  # defaults, environment, overrides; identity placeholders filled in
    store: Store
    settings: BeaconSettings
    tokens: TokenVerifier
    network: NetworkSettings | None  # set for a hub
    hierarchy: OntologyHierarchy
    unconfigured_identity: tuple[str, ...]  # identity settings left empty
    place: str  # what the placeholder identity is derived from, with the host name

    @property
    def identity_warning(self) -> str | None:
        """What to say at start when the beacon presents a placeholder identity."""
        if not presents_placeholders(self.unconfigured_identity):
            return None
        return identity_warning(self.config, self.unconfigured_identity, self.place)


def check_configuration(
    overrides: Mapping[str, Any] | None = None, store: Store | None = None
) -> CheckedConfiguration:
    """The configuration ``create_app`` builds from (:func:`~app.config.beacon_config` over
    ``overrides``), every setting checked; opens the store ``MONGO_URI`` names unless ``store``
    is given. Raises ConfigurationError."""
    config = typed_config(beacon_config(overrides))
    opened = store is None
    if store is None:
        store = _open_store(config)
    try:
        return _checked(config, store)
    except BaseException:
        if opened:
            store.close()
        raise


def _checked(config: dict[str, Any], store: Store) -> CheckedConfiguration:
    place = identity_place(config, store)
    unconfigured = unconfigured_settings(config)
    config = with_placeholders(config, place)
    settings = BeaconSettings.from_config(config)
    if config["LOG_FORMAT"] not in LOG_FORMATS:
        raise ConfigurationError("LOG_FORMAT", f"must be one of {', '.join(LOG_FORMATS)}")
    if config["MAX_CONTENT_LENGTH"] < MIN_CONTENT_LENGTH:
        raise ConfigurationError(
            "MAX_CONTENT_LENGTH", f"must be at least {MIN_CONTENT_LENGTH} (bytes)"
        )
    return CheckedConfiguration(
        config=config,
        store=store,
        settings=settings,
        tokens=TokenVerifier(token_settings(config)),
        network=_network_settings(config) if config["NETWORK_NODES"] else None,
        hierarchy=_hierarchy(settings),
        unconfigured_identity=unconfigured,
        place=place,
    )


def identity_place(config: Mapping[str, Any], store: Store) -> str:
    """Where this beacon's data lives: a hub's registry file, else its store."""
    if config["NETWORK_NODES"]:
        return f"the registry {os.path.abspath(str(config['NETWORK_NODES']))}"
    return f"the store {store.location}"


def token_settings(config: Mapping[str, Any]) -> TokenSettings:
    return TokenSettings(
        jwks=str(config["TOKEN_JWKS"]),
        issuers=text_list(config["TOKEN_ISSUERS"]),
        audience=text_list(config["TOKEN_AUDIENCES"]),
        algorithms=text_list(config["TOKEN_ALGORITHMS"]),
        grants_claim=str(config["TOKEN_GRANTS_CLAIM"]),
    )


def _open_store(config: Mapping[str, Any]) -> Store:
    try:
        return open_store(str(config["MONGO_URI"]))
    except StoreConfigurationError as error:
        raise ConfigurationError("MONGO_URI", str(error)) from None


def _network_settings(config: Mapping[str, Any]) -> NetworkSettings:
    """The hub's settings; their checks name the setting they refuse at the start of the
    message, which becomes the variable named."""
    from app.network.install import network_settings

    try:
        return network_settings(config)
    except ConfigurationError:
        raise
    except ValueError as error:
        message = str(error)
        setting = next(
            (
                name
                for name in sorted(config, key=len, reverse=True)
                if name.startswith("NETWORK_") and message.startswith(f"{name} ")
            ),
            "NETWORK_NODES",
        )
        raise ConfigurationError(setting, message.removeprefix(f"{setting} ")) from None


def _hierarchy(settings: BeaconSettings) -> OntologyHierarchy:
    try:
        return load_hierarchy(settings.ontology_files)
    except ValueError as error:  # OntologyFileError names the file and line
        raise ConfigurationError("ONTOLOGY_FILES", str(error)) from None
