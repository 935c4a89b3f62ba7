"""Content of the informational endpoints, derived from settings and the entry-type registry."""

from __future__ import annotations

from typing import Any

from app.access.policy import PROTECTED_LEVELS, AccessPolicy
from app.config import ENVIRONMENT_STATUS
from app.entry_types import BY_ID, ENTRY_TYPES, SPEC, EntryType
from app.settings import BeaconSettings

FRAMEWORK_SCHEMAS = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/framework/json"


def informational_meta(settings: BeaconSettings) -> dict[str, Any]:
    return {
        "beacon_id": settings.beacon_id,
        "api_version": settings.api_version,
        "returned_schemas": [],
    }


def beacon_info(settings: BeaconSettings, loaded: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": settings.beacon_id,
        "name": settings.name,
        "api_version": settings.api_version,
        "environment": settings.environment,
        "description": settings.description,
        "version": settings.version,
        "welcome_url": settings.welcome_url,
        "create_date_time": settings.created_at,
        "organization": {
            "id": settings.organization_id,
            "name": settings.organization_name,
            "welcome_url": settings.organization_url,
            **_contact(settings),
        },
        "info": loaded,
    }


def access_summary(policy: AccessPolicy, visible_levels: dict[str, str]) -> dict[str, Any]:
    """What /info says of access: each level's most detailed answer, the protections of the
    PUBLIC and REGISTERED levels, and the level of each dataset the caller may see."""
    protections = policy.protections
    return {
        "levels": {
            level: {"maxGranularity": policy.granularity[level]} for level in policy.levels_in_use()
        },
        "protections": {
            "appliesTo": list(PROTECTED_LEVELS),
            "smallCountThreshold": protections.small_count_threshold,
            "rareAlleleFrequency": protections.rare_allele_frequency,
            "queryBudget": protections.query_budget,
            "queryBudgetPeriodSeconds": protections.query_budget_period,
            "queryBudgetRareFrequency": protections.budget_rare_frequency,
        },
        "datasets": visible_levels,
    }


def service_info(settings: BeaconSettings) -> dict[str, Any]:
    """GA4GH service-info; the type names the Beacon artifact and API version."""
    return {
        "id": settings.beacon_id,
        "name": settings.name,
        "type": {"group": "org.ga4gh", "artifact": "beacon", "version": settings.api_version},
        "description": settings.description,
        "organization": {"name": settings.organization_name, "url": settings.organization_url},
        **_contact(settings),
        "documentation_url": settings.welcome_url,
        "created_at": settings.created_at,
        "updated_at": settings.created_at,
        "environment": settings.environment,
        "version": settings.version,
    }


def _contact(settings: BeaconSettings) -> dict[str, str]:
    """The contact URL, optional in both specifications: left out when none is configured."""
    return {"contact_url": settings.organization_contact} if settings.organization_contact else {}


def entry_type_definitions() -> dict[str, dict[str, Any]]:
    return {entry.id: _definition(entry) for entry in ENTRY_TYPES}


def _definition(entry: EntryType) -> dict[str, Any]:
    return {
        "id": entry.id,
        "name": entry.name,
        "description": entry.description,
        "ontology_term_for_this_type": {"id": entry.ontology_id, "label": entry.ontology_label},
        "part_of_specification": SPEC,
        "default_schema": {
            "id": f"ga4gh-beacon-{entry.model_folder}-v2.0.0",
            "name": f"Default schema for {entry.name.lower()}",
            "referenceToSchemaDefinition": entry.schema_reference,
            "schemaVersion": "v2.0.0",
        },
        "non_filtered_queries_allowed": True,
    }


def configuration(settings: BeaconSettings) -> dict[str, Any]:
    return {
        "schema": f"{FRAMEWORK_SCHEMAS}/configuration/beaconConfigurationSchema.json",
        "maturity_attributes": {
            "production_status": ENVIRONMENT_STATUS.get(settings.environment, "DEV")
        },
        "security_attributes": {
            "default_granularity": settings.default_granularity,
            "security_levels": settings.access.levels_in_use(),
        },
        "entry_types": entry_type_definitions(),
    }


def beacon_map(base_url: str) -> dict[str, Any]:
    """Absolute URLs of every endpoint set this beacon serves."""
    return {
        "schema": f"{FRAMEWORK_SCHEMAS}/configuration/beaconMapSchema.json",
        "endpoint_sets": {entry.id: _endpoint_set(entry, base_url) for entry in ENTRY_TYPES},
    }


def _endpoint_set(entry: EntryType, base_url: str) -> dict[str, Any]:
    root = f"{base_url}/{entry.path}"
    endpoint_set: dict[str, Any] = {
        "entry_type": entry.id,
        "root_url": root,
        "single_entry_url": f"{root}/{{id}}",
        "endpoints": {
            BY_ID[nested].path: {
                "returned_entry_type": nested,
                "url": f"{root}/{{id}}/{BY_ID[nested].path}",
            }
            for nested in entry.nested
        },
    }
    if entry.filtering_terms_url:
        endpoint_set["filtering_terms_url"] = filtering_terms_path(entry, root)
    return endpoint_set


def filtering_terms_path(entry: EntryType, root: str) -> str:
    """Where an entry type's own filtering terms are served: collections per member."""
    return f"{root}/{{id}}/filtering_terms" if entry.collection else f"{root}/filtering_terms"
