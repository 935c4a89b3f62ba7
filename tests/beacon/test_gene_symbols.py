"""Gene symbols match whatever their case, on every path that takes one: ``geneId`` (GET and
POST, on variants and on the entry types a variant query narrows), the gene filter, on both
storage backends; the request is echoed as it was sent."""

from __future__ import annotations

from pathlib import Path

import mongomock
import pytest
from open_access import OPEN_ACCESS

from app import create_app
from app.store import DATASETS, VARIANTS, Store, open_store
from app.store.mongo import MongoDatabase
from loaders.vcf import load_vcf
from schemas.requests import VARIANT_PARAMETERS_KEY

SPELLINGS = ["aldh2", "Aldh2", "ALDH2"]
VARIANT_SCOPED = ["individuals", "biosamples", "runs", "analyses"]
GENE_FILTER = "molecularAttributes.geneIds"
# An HGNC symbol that is not all upper case: C9orf72 ("chromosome 9 open reading frame 72").
ORF_VCF = """\
##fileformat=VCFv4.2
##contig=<ID=9>
##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count">
##INFO=<ID=AN,Number=1,Type=Integer,Description="Allele number">
##INFO=<ID=GENE,Number=.,Type=String,Description="Gene symbol">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
9\t27573535\t.\tG\tA\t.\tPASS\tAC=1;AN=100;GENE=C9orf72
9\t27573600\t.\tC\tT\t.\tPASS\tAC=2;AN=100;GENE=C9orf72,MOB3B
9\t27574000\t.\tA\tG\t.\tPASS\tAC=3;AN=100;GENE=MOB3B
"""


def _count(client, path: str, parameters: dict, filters: list | None = None, method="POST"):
    if method == "GET":
        response = client.get(path, query_string={**parameters, "requestedGranularity": "count"})
    else:
        query = {"requestParameters": parameters, "requestedGranularity": "count"}
        if filters is not None:
            query["filters"] = filters
        response = client.post(path, json={"meta": {"apiVersion": "v2.0.1"}, "query": query})
    assert response.status_code == 200, response.json
    return response.json["responseSummary"]["numTotalResults"]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_gene_id_finds_the_gene_in_any_case(client, demo_store, method, spelling):
    stored = demo_store.variants.count_documents({"geneIds": "ALDH2"})
    assert _count(client, "/g_variants", {"geneId": spelling}, method=method) == stored > 0


@pytest.mark.parametrize("entry", VARIANT_SCOPED)
def test_variant_scoped_queries_on_other_entry_types_ignore_the_case(client, entry):
    exact = _count(client, f"/{entry}", {"geneId": "ALDH2"}, method="GET")
    assert exact > 0
    assert _count(client, f"/{entry}", {"geneId": "aldh2"}, method="GET") == exact
    assert _count(client, f"/{entry}", {"geneId": "Aldh2"}) == exact


def test_cross_entry_endpoints_ignore_the_case(client, demo_store):
    dataset = demo_store.datasets.find_one({})["_id"]
    for nested in ("g_variants", "individuals", "biosamples"):
        path = f"/datasets/{dataset}/{nested}"
        exact = _count(client, path, {"geneId": "G6PD"}, method="GET")
        assert exact > 0
        assert _count(client, path, {"geneId": "g6pd"}, method="GET") == exact
        assert _count(client, path, {"geneId": "G6pd"}) == exact


@pytest.mark.parametrize("target", ["/g_variants", "/individuals"])
def test_the_gene_filter_ignores_the_case(client, target):
    def filtered(operator: str, value: str) -> int:
        gene = {"id": GENE_FILTER, "operator": operator, "value": value}
        return _count(client, target, {}, [gene])

    exact = filtered("=", "CYP2C19")
    assert exact > 0
    assert filtered("=", "cyp2c19") == filtered("=", "Cyp2c19") == exact
    assert filtered("!", "cyp2c19") == filtered("!", "CYP2C19")
    # a custom term naming the field and the symbol
    assert _count(client, target, {}, [{"id": f"{GENE_FILTER}:cyp2c19"}]) == exact


def test_the_request_is_echoed_as_it_was_sent(client):
    answers = [
        client.get("/g_variants?geneId=aldh2&requestedGranularity=count").json,
        client.post("/g_variants", json={"query": {"requestParameters": {"geneId": "aldh2"}}}).json,
    ]
    for answer in answers:
        echoed = answer["meta"]["receivedRequestSummary"]["requestParameters"]
        assert echoed[VARIANT_PARAMETERS_KEY] == {"geneId": "aldh2"}
        assert answer["responseSummary"]["exists"] is True


def _embedded() -> Store:
    return open_store("mongomock://memory/orf_symbols")


def _mongodb() -> Store:
    return Store(MongoDatabase(mongomock.MongoClient(), "orf_symbols"), durable=True)


@pytest.fixture(params=[_embedded, _mongodb], ids=["embedded", "mongodb"])
def orf_client(request, tmp_path: Path):
    store = request.param()
    vcf = tmp_path / "orf.vcf"
    vcf.write_text(ORF_VCF)
    load_vcf(store, vcf, "orf", "GRCh38")
    store.upsert_by_id(DATASETS, [{"_id": "orf", "id": "orf", "name": "orf symbols"}])
    return store, create_app(OPEN_ACCESS, store=store).test_client()


@pytest.mark.parametrize("spelling", ["C9orf72", "c9orf72", "C9ORF72", "c9OrF72"])
def test_symbols_that_are_not_all_upper_case_are_found_on_both_backends(orf_client, spelling):
    _, client = orf_client
    assert _count(client, "/g_variants", {"geneId": spelling}, method="GET") == 2
    assert _count(client, "/g_variants", {"geneId": spelling}) == 2


def test_a_symbol_never_matches_another_one(orf_client):
    _, client = orf_client
    for other in ("C9orf7", "C9orf720", "9orf72", "C9 orf72"):
        assert _count(client, "/g_variants", {"geneId": other}, method="GET") == 0, other
    assert _count(client, "/g_variants", {"geneId": "mob3b"}, method="GET") == 2


def test_variants_loaded_before_the_keys_still_match_exactly(orf_client):
    """A store loaded by an earlier version has no case-folded keys: its symbols keep matching
    as they did (exactly) until the dataset is loaded again."""
    store, client = orf_client
    documents = list(store.variants.find({"datasetId": "orf"}, {"_id": 0}))
    for document in documents:
        del document["geneKeys"]
    store.replace_documents(VARIANTS, {"datasetId": "orf"}, documents)
    assert _count(client, "/g_variants", {"geneId": "C9orf72"}, method="GET") == 2
    assert _count(client, "/g_variants", {"geneId": "MOB3B"}) == 2
    filters = [{"id": GENE_FILTER, "operator": "!", "value": "MOB3B"}]
    assert _count(client, "/g_variants", {}, filters) == 1
