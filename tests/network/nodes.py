"""Real asia-beacon nodes of the test network, loaded, configured and served over HTTP.

Each node is the real application (``create_app``) over its own in-memory embedded store, loaded
through the real loaders (dataset descriptions, metadata, VCF) from the files ``genomes`` writes.
Stores are loaded once; a further node over the same store (a misbehaving copy, one with other
settings) costs only an application and a server.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from network.credentials import NetworkCredentials, make_credentials
from network.genomes import (
    DatasetGenomes,
    NetworkVariant,
    generate_network_genomes,
    write_metadata,
    write_vcf,
)
from network.layout import NODES, NodeSpec
from network.misbehaving import Fault, Misbehaving
from network.served import SeenRequests, ServedApp

from app import create_app
from app.store import Store, open_store
from loaders.datasets import load_datasets
from loaders.metadata.load import load_metadata
from loaders.vcf.load import load_vcf

DUO_VERSION = "2022-03-23"


def dataset_descriptions(spec: NodeSpec) -> list[dict[str, Any]]:
    """The node's dataset records as a data steward would load them (docs/catalog.md)."""
    return [
        {
            "id": dataset.id,
            "name": dataset.name,
            "description": f"{dataset.name}; generated for the network tests.",
            "version": "2026.1",
            "country": spec.country,
            "organization": spec.organization,
            "populations": list(dataset.populations),
            "dataUseConditions": {
                "duoDataUse": [{"id": code, "version": DUO_VERSION} for code in dataset.duo_codes]
            },
            "privacyLaws": list(spec.privacy_laws),
        }
        for dataset in spec.datasets
    ]


def load_node_store(
    spec: NodeSpec, genomes: Mapping[str, DatasetGenomes], directory: Path
) -> Store:
    """A fresh in-memory store holding the node's datasets: descriptions, metadata, variants."""
    store = open_store(f"mongomock://memory/network_{spec.name}_{uuid.uuid4().hex[:8]}")
    directory.mkdir(parents=True, exist_ok=True)
    descriptions = directory / "datasets.yaml"
    descriptions.write_text(yaml.safe_dump(dataset_descriptions(spec)), encoding="utf-8")
    load_datasets(store, descriptions)
    for dataset_id in spec.dataset_ids:
        dataset = genomes[dataset_id]
        metadata = write_metadata(dataset, spec.country, spec.country_name, directory / dataset_id)
        load_metadata(store, [metadata], dataset_id)
        vcf = write_vcf(dataset, vcf_path(directory, dataset_id))
        load_vcf(store, vcf, dataset_id, spec.assembly)
    return store


def vcf_path(directory: Path, dataset_id: str) -> Path:
    """Where ``load_node_store`` writes a dataset's VCF under the node's directory."""
    return directory / f"{dataset_id}.vcf"


def node_settings(
    spec: NodeSpec,
    credentials: NetworkCredentials | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The node's ``create_app`` configuration; tokens are trusted where a dataset is CONTROLLED."""
    settings: dict[str, Any] = {
        "TESTING": True,
        "BEACON_ID": spec.beacon_id,
        "BEACON_NAME": spec.beacon_name,
        "ORGANIZATION_ID": f"org.example.{spec.name}",
        "ORGANIZATION_NAME": spec.organization,
        **spec.settings,
    }
    if credentials is not None and spec.controlled_dataset_ids:
        settings |= credentials.node_settings()
    return settings | dict(overrides or {})


@dataclass
class ServedNode:
    """One node on 127.0.0.1: what it is (``spec``), where (``url``), what it got (``seen``)."""

    spec: NodeSpec
    store: Store
    genomes: dict[str, DatasetGenomes]  # its datasets' generated variants, by dataset id
    settings: dict[str, Any]
    app: Flask
    served: ServedApp
    misbehaving: Misbehaving | None = None  # set for a node made to misbehave

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def url(self) -> str:
        return self.served.url

    @property
    def seen(self) -> SeenRequests:
        return self.served.seen

    @property
    def beacon_id(self) -> str:
        return str(self.settings["BEACON_ID"])

    @property
    def country(self) -> str:
        return self.spec.country

    @property
    def assembly(self) -> str:
        return self.spec.assembly

    @property
    def dataset_ids(self) -> tuple[str, ...]:
        return self.spec.dataset_ids

    @property
    def variants(self) -> list[NetworkVariant]:
        """Every variant the node holds, all datasets together."""
        return [v for dataset_id in self.dataset_ids for v in self.genomes[dataset_id].variants]

    def stop(self) -> None:
        if self.misbehaving is not None:
            self.misbehaving.release()
        self.served.stop()


def serve_node(
    spec: NodeSpec,
    store: Store,
    genomes: dict[str, DatasetGenomes],
    credentials: NetworkCredentials | None,
    *,
    settings: Mapping[str, Any] | None = None,
    fault: Fault | str | None = None,
    misbehave: bool = False,
    port: int = 0,
    **misbehaving: Any,
) -> ServedNode:
    """Serve the node over ``store``; with ``misbehave`` (or a ``fault``) behind ``Misbehaving``
    (``misbehaving``: its options, ``hang_seconds=``, ``trickle_seconds=``, ``every=``); on
    ``port`` (0: one the system picks)."""
    config = node_settings(spec, credentials, settings)
    app = create_app(config, store=store)
    wrapper = None
    wsgi: Any = app
    if misbehave or fault is not None:
        beacon_id = str(config["BEACON_ID"])
        wrapper = Misbehaving(app, fault, beacon_id=beacon_id, **misbehaving)
        wsgi = wrapper
    return ServedNode(spec, store, genomes, config, app, ServedApp(wsgi, port), wrapper)


@dataclass
class Network:
    """The three served nodes (``nodes["jp"]``, ``["kr"]``, ``["tw"]``) and their token issuer."""

    nodes: dict[str, ServedNode]
    credentials: NetworkCredentials
    genomes: dict[str, DatasetGenomes]  # every dataset's generated variants, by dataset id
    stores: dict[str, Store] = field(default_factory=dict)  # loaded once, by node name
    vcf_paths: dict[str, Path] = field(default_factory=dict)  # the loaded VCFs, by dataset id

    @property
    def urls(self) -> dict[str, str]:
        return {name: node.url for name, node in self.nodes.items()}

    @property
    def jwks_path(self) -> Path:
        return self.credentials.jwks_path

    @property
    def issuer(self) -> str:
        return self.credentials.issuer

    @property
    def tokens(self) -> dict[str, str]:
        return self.credentials.tokens

    def serve_copy(
        self,
        name: str,
        *,
        settings: Mapping[str, Any] | None = None,
        fault: Fault | str | None = None,
        misbehave: bool = False,
        port: int = 0,
        **misbehaving: Any,
    ) -> ServedNode:
        """Another served node over node ``name``'s data; the caller stops it.

        ``settings`` override the node's configuration (``{"SMALL_COUNT_THRESHOLD": 5}`` makes a
        banding jp); ``fault``/``misbehave`` put it behind :class:`Misbehaving`, with its
        options (``hang_seconds=``, ``trickle_seconds=``, ``every=``); ``port`` serves it on
        that port.
        """
        spec = NODES[name]
        return serve_node(
            spec,
            self.stores[name],
            datasets_of(spec, self.genomes),
            self.credentials,
            settings=settings,
            fault=fault,
            misbehave=misbehave,
            port=port,
            **misbehaving,
        )

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()


def start_network(directory: Path) -> Network:
    """Generate, load and serve the whole network; files go under ``directory``."""
    genomes = generate_network_genomes()
    controlled = tuple(d for spec in NODES.values() for d in spec.controlled_dataset_ids)
    credentials = make_credentials(directory / "credentials", controlled)
    stores = {
        name: load_node_store(spec, genomes, directory / name) for name, spec in NODES.items()
    }
    nodes = {
        name: serve_node(
            spec,
            stores[name],
            datasets_of(spec, genomes),
            credentials,
        )
        for name, spec in NODES.items()
    }
    vcfs = {
        dataset_id: vcf_path(directory / name, dataset_id)
        for name, spec in NODES.items()
        for dataset_id in spec.dataset_ids
    }
    return Network(nodes, credentials, genomes, stores, vcfs)


def datasets_of(spec: NodeSpec, genomes: Mapping[str, DatasetGenomes]) -> dict[str, DatasetGenomes]:
    """The node's own datasets among the network's."""
    return {dataset_id: genomes[dataset_id] for dataset_id in spec.dataset_ids}
