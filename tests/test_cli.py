"""The asia-beacon command: loading errors exit non-zero with file:line:field, demo prints how
to use it."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.store import open_store

DATA = Path(__file__).resolve().parent / "data"


def test_load_datasets_reports_errors_and_exits_2():
    result = CliRunner().invoke(main, ["load", "datasets", str(DATA / "datasets" / "faulty.yaml")])
    assert result.exit_code == 2
    assert "faulty.yaml" in result.output
    assert "country: must be an ISO 3166-1 alpha-2 code" in result.output


def test_load_datasets_says_which_release_serves_them_and_where(tmp_path):
    path = str(DATA / "datasets" / "two_datasets.yaml")
    uri = f"mongomock://{tmp_path}"
    result = CliRunner().invoke(main, ["load", "datasets", path, "--mongo-uri", uri])
    assert result.exit_code == 0, result.output
    assert "loaded 2 dataset(s): th-genome-2026, jp-cohort-b" in result.output
    assert f"release r000001 is served from {tmp_path}" in result.output
    assert open_store(uri).datasets.count_documents({}) == 2  # kept after the command ended


def test_a_load_into_process_memory_warns_that_nothing_is_kept():
    path = str(DATA / "datasets" / "two_datasets.yaml")
    result = CliRunner().invoke(
        main, ["load", "datasets", path, "--mongo-uri", "mongomock://memory/x"]
    )
    assert result.exit_code == 0, result.output
    assert "store lives only as long as this process" in result.output


def test_unknown_uri_scheme_is_a_clear_error():
    path = str(DATA / "datasets" / "two_datasets.yaml")
    result = CliRunner().invoke(main, ["load", "datasets", path, "--mongo-uri", "redis://x"])
    assert result.exit_code == 2
    assert "unsupported storage URI scheme 'redis'" in result.output


def test_demo_loads_and_prints_url_and_example_queries():
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--port", "5999"])
    assert result.exit_code == 0, result.output
    assert "serving at http://127.0.0.1:5999" in result.output
    assert "300 individuals, 300 biosamples, 300 runs, 300 analyses, 1 cohorts" in result.output
    assert result.output.count("curl 'http://127.0.0.1:5999/g_variants") == 4
    assert result.output.count("curl 'http://127.0.0.1:5999/individuals") == 2


def test_load_vcf_names_file_line_and_field_and_exits_2():
    faulty = DATA / "faulty" / "non_numeric_pos" / "input.vcf"
    expected = (faulty.parent / "expected.txt").read_text().strip()
    result = CliRunner().invoke(
        main, ["load", "vcf", str(faulty), "--dataset", "d1", "--assembly", "GRCh38"]
    )
    assert result.exit_code == 2
    assert expected in result.output


def test_load_vcf_reports_what_it_loaded():
    vcf = DATA / "vcf_loader_cases.vcf"
    result = CliRunner().invoke(
        main,
        ["load", "vcf", str(vcf), "--dataset", "d1", "--assembly", "hg38", "--no-progress"],
    )
    assert result.exit_code == 0, result.output
    assert "into dataset d1 (GRCh38)" in result.output
    assert "records/s" in result.output
    # a dataset with no description is flagged: the catalog would know nothing of it
    assert "warning: dataset d1: no description" in result.output


def test_load_vcf_of_a_described_dataset_names_what_its_description_lacks(tmp_path):
    uri = f"mongomock://{tmp_path}"
    description = tmp_path / "datasets.yaml"
    description.write_text("- id: d1\n  name: A dataset without a country\n")
    described = ["load", "datasets", str(description), "--mongo-uri", uri]
    assert CliRunner().invoke(main, described).exit_code == 0
    vcf = DATA / "vcf_loader_cases.vcf"
    result = CliRunner().invoke(
        main,
        ["load", "vcf", str(vcf), "--dataset", "d1", "--assembly", "hg38", "--no-progress",
         "--mongo-uri", uri],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "warning: dataset d1: no country" in result.output
    assert "warning: dataset d1: no consent codes" in result.output
    assert "no description" not in result.output


def test_releases_commands_list_switch_and_drop(tmp_path):
    uri = f"mongomock://{tmp_path}"
    path = str(DATA / "datasets" / "two_datasets.yaml")
    for _ in range(3):
        assert (
            CliRunner().invoke(main, ["load", "datasets", path, "--mongo-uri", uri]).exit_code == 0
        )
    listed = CliRunner().invoke(main, ["releases", "list", "--mongo-uri", uri])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert [line[:9] for line in lines] == ["  r000001", "  r000002", "* r000003"]
    assert "upsert into datasets" in lines[0] and "[datasets]" in lines[0]
    rolled = CliRunner().invoke(main, ["releases", "rollback", "--mongo-uri", uri])
    assert (rolled.exit_code, rolled.output) == (0, "serving r000002\n")
    refused = CliRunner().invoke(main, ["releases", "drop", "r000002", "--mongo-uri", uri])
    assert refused.exit_code == 2
    assert "release r000002 is active; activate another one first" in refused.output
    activated = CliRunner().invoke(main, ["releases", "activate", "r000003", "--mongo-uri", uri])
    assert (activated.exit_code, activated.output) == (0, "serving r000003\n")
    dropped = CliRunner().invoke(main, ["releases", "drop", "r000001", "--mongo-uri", uri])
    assert (dropped.exit_code, dropped.output) == (0, "dropped r000001\n")
    unknown = CliRunner().invoke(main, ["releases", "activate", "r000009", "--mongo-uri", uri])
    assert unknown.exit_code == 2 and "no release 'r000009'" in unknown.output
    assert open_store(uri).active_release() == "r000003"


def test_load_datasets_refuses_a_file_without_a_dataset(tmp_path):
    uri = f"mongomock://{tmp_path / 'store'}"
    path = str(DATA / "datasets" / "two_datasets.yaml")
    assert CliRunner().invoke(main, ["load", "datasets", path, "--mongo-uri", uri]).exit_code == 0
    empty = tmp_path / "datasets.yaml"
    empty.write_text("# the datasets of the next release\n")
    result = CliRunner().invoke(main, ["load", "datasets", str(empty), "--mongo-uri", uri])
    assert (result.exit_code, result.stderr) == (2, f"error: {empty}: no dataset records found\n")
    assert [release.id for release in open_store(uri).releases()] == ["r000001"]


def test_datasets_drop_asks_then_drops_in_a_release_that_a_rollback_undoes(tmp_path):
    uri = f"mongomock://{tmp_path / 'store'}"
    path = str(DATA / "datasets" / "two_datasets.yaml")
    CliRunner().invoke(main, ["load", "datasets", path, "--mongo-uri", uri])
    metadata = str(DATA / "metadata" / "valid" / "individuals.csv")
    loaded = ["load", "metadata", metadata, "--dataset", "jp-cohort-b", "--mongo-uri", uri]
    assert CliRunner().invoke(main, loaded).exit_code == 0
    store = open_store(uri)
    drop = ["datasets", "drop", "jp-cohort-b", "--mongo-uri", uri]

    declined = CliRunner().invoke(main, drop, input="n\n")
    assert declined.exit_code == 1
    assert declined.stdout.startswith(
        "dataset jp-cohort-b has documents in datasets, individuals, metadataStats, "
        "filteringTerms; drop them all in a new release? [y/N]: "
    )
    assert store.active_release() == "r000002"

    confirmed = CliRunner().invoke(main, drop, input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert confirmed.stdout.splitlines()[-1] == (
        "dropped dataset jp-cohort-b from datasets, individuals, metadataStats, filteringTerms; "
        "`asia-beacon releases rollback` brings it back"
    )
    assert f"release r000003 is served from {tmp_path / 'store'}" in confirmed.stderr
    assert store.datasets.find_one({"_id": "jp-cohort-b"}) is None
    assert store.collection("individuals").count_documents({}) == 0
    assert store.datasets.find_one({"_id": "th-genome-2026"}) is not None

    rolled = CliRunner().invoke(main, ["releases", "rollback", "--mongo-uri", uri])
    assert (rolled.exit_code, rolled.output) == (0, "serving r000002\n")
    assert store.collection("individuals").count_documents({"datasetId": "jp-cohort-b"}) == 3


def test_datasets_drop_of_an_unknown_id_exits_2_and_yes_skips_the_question(tmp_path):
    uri = f"mongomock://{tmp_path / 'store'}"
    path = str(DATA / "datasets" / "two_datasets.yaml")
    CliRunner().invoke(main, ["load", "datasets", path, "--mongo-uri", uri])
    unknown = CliRunner().invoke(main, ["datasets", "drop", "jp-cohort-c", "--mongo-uri", uri])
    assert (unknown.exit_code, unknown.stderr) == (
        2,
        "error: jp-cohort-c: no such dataset in the served release; "
        "its datasets: jp-cohort-b, th-genome-2026\n",
    )
    dropped = CliRunner().invoke(
        main, ["datasets", "drop", "th-genome-2026", "--yes", "--mongo-uri", uri]
    )
    assert dropped.exit_code == 0, dropped.output
    assert "[y/N]" not in dropped.output
    assert [doc["_id"] for doc in open_store(uri).datasets.find({})] == ["jp-cohort-b"]


def test_version_is_the_installed_packages():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"asia-beacon {metadata.version('asia-beacon')}\n"


@pytest.fixture
def gunicorn_runs(monkeypatch) -> list[dict]:
    """What ``serve`` and ``hub`` would hand to gunicorn; gunicorn itself is not started."""
    runs: list[dict] = []
    monkeypatch.setattr(
        "app.serving.run_gunicorn", lambda settings, app_config: runs.append(app_config)
    )
    for name in (
        "BEACON_ID",
        "BEACON_NAME",
        "ORGANIZATION_ID",
        "ORGANIZATION_NAME",
        "ORGANIZATION_URL",
    ):
        monkeypatch.delenv(f"ASIA_BEACON_{name}", raising=False)
    return runs


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"ASIA_BEACON_ACCESS_GRANULARITY": "PUBLIC=count"},
            "error: ASIA_BEACON_ACCESS_GRANULARITY: must give each of PUBLIC, REGISTERED, "
            "CONTROLLED",
        ),
        (
            {"ASIA_BEACON_DEFAULT_PAGE_SIZE": "ten"},
            "error: ASIA_BEACON_DEFAULT_PAGE_SIZE: must be a whole number, not 'ten'",
        ),
        (
            {"ASIA_BEACON_ONTOLOGY_FILES": "/nonexistent/hp.tsv"},
            "error: ASIA_BEACON_ONTOLOGY_FILES: /nonexistent/hp.tsv",
        ),
        (
            {"ASIA_BEACON_TOKEN_JWKS": "https://login.example.org/jwks.json"},
            "error: ASIA_BEACON_TOKEN_ISSUERS: accepting tokens (TOKEN_JWKS is set) needs",
        ),
        ({"ASIA_BEACON_THREADS": "0"}, "error: ASIA_BEACON_THREADS: must be at least 1"),
        (
            {"ASIA_BEACON_MONGO_URI": "redis://x"},
            "error: ASIA_BEACON_MONGO_URI: unsupported storage URI scheme 'redis'",
        ),
    ],
)
def test_serve_refuses_a_bad_setting_in_one_line_before_starting(gunicorn_runs, variables, message):
    result = CliRunner().invoke(main, ["serve"], env=variables)
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith(message)
    assert gunicorn_runs == []


def test_hub_refuses_a_bad_network_setting_in_one_line_before_starting(gunicorn_runs, tmp_path):
    registry = tmp_path / "nodes.yaml"
    registry.write_text("nodes:\n  - id: jp\n    url: http://127.0.0.1:9\n    country: JP\n")
    result = CliRunner().invoke(
        main, ["hub", "--nodes", str(registry)], env={"ASIA_BEACON_NETWORK_TIMEOUT": "0"}
    )
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "error: ASIA_BEACON_NETWORK_TIMEOUT: must be above 0 and at most 300 seconds"
    ]
    assert gunicorn_runs == []


def test_serve_and_hub_without_an_identity_say_so_and_what_to_set(gunicorn_runs, tmp_path):
    registry = tmp_path / "nodes.yaml"
    registry.write_text("nodes:\n  - id: jp\n    url: http://127.0.0.1:9\n    country: JP\n")
    node = CliRunner().invoke(main, ["serve"], env={"ASIA_BEACON_DATA_DIR": str(tmp_path / "a")})
    hub = CliRunner().invoke(main, ["hub", "--nodes", str(registry)])
    placeholders = []
    for result in (node, hub):
        assert result.exit_code == 0, result.output
        (warning,) = [line for line in result.output.splitlines() if "identity" in line]
        assert warning.startswith("warning: identity not configured: ASIA_BEACON_BEACON_ID, ")
        assert "ASIA_BEACON_ORGANIZATION_NAME" in warning
        placeholders.append(warning.split("(id ", 1)[1].split(",", 1)[0])
    assert len(gunicorn_runs) == 2
    node_id, hub_id = placeholders
    assert node_id.startswith("unconfigured.") and hub_id.startswith("unconfigured.")
    assert node_id != hub_id


def test_serve_with_an_identity_does_not_warn_of_it(gunicorn_runs):
    identity = {
        "ASIA_BEACON_BEACON_ID": "th.example.beacon",
        "ASIA_BEACON_BEACON_NAME": "Thai national beacon",
        "ASIA_BEACON_ORGANIZATION_ID": "th.example",
        "ASIA_BEACON_ORGANIZATION_NAME": "Example genome project",
        "ASIA_BEACON_ORGANIZATION_URL": "https://genome.example.th",
    }
    result = CliRunner().invoke(main, ["serve"], env=identity)
    assert result.exit_code == 0, result.output
    assert "identity" not in result.output
    assert len(gunicorn_runs) == 1
