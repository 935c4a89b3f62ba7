"""Power of a beacon membership-inference attack, with the re-identification protections off and on.

    python tests/benchmarks/bench_reidentification.py [--members 150] [--targets 40] [--seed 2015]
        [--max-queries 60] [--workers 2] [--budget 50]

The demo's 300 samples are split (seeded) into beacon members and non-members; a VCF of the
members alone becomes the one PUBLIC dataset of a fresh embedded store. Alleles no member carries
are dropped, as a project holding only the members would publish them, and so are the cohort's
INFO AC/AF/AN (the loader counts the members' genotypes; checked after loading).
The attacker knows allele frequencies over all 300 samples (a stand-in for a reference panel of
the same population) and the beacon's size. For each of ``--targets`` members and as many
non-members, it asks ``GET /g_variants`` (boolean) about the alleles the target carries, rarest
first, from the target's own client address, up to ``--max-queries`` of them, and stops at the
first 429 (budget spent). Without a query budget no anonymous answer depends on who asks, so an
allele already asked is not sent again.

Each target's answers are scored with the Shringarpure & Bustamante (2015) log-likelihood ratio
(``reidentification_attack.py``); the threshold is the non-members' 95th percentile, and the power
is the fraction of members above it (true-positive rate at a 5% false-positive rate). Two
attackers score the same answers: the paper's, and one that reads the published rare-allele
threshold and models "yes" as needing that many copies. The reference, measured in the same run,
is the power with every protection off; a last line shows how few queries that attack needs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pysam

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))

from reidentification_attack import (  # noqa: E402
    AnsweredQuery,
    log_likelihood_ratio,
    min_count_for,
    power_at_false_positive_rate,
)

from app import create_app  # noqa: E402
from app.config import DEFAULTS  # noqa: E402
from app.store import VARIANTS, open_store  # noqa: E402
from app.store.collections import ALLELE_FREQUENCY  # noqa: E402
from loaders.vcf import load_vcf  # noqa: E402

DEMO_VCF = REPO / "loaders" / "demo" / "data" / "demo.vcf.gz"
ASSEMBLY = "GRCh38"
DATASET_ID = "reidentification-members"
PROTECTIONS_OFF = {"SMALL_COUNT_THRESHOLD": 0, "RARE_ALLELE_FREQUENCY": 0, "QUERY_BUDGET": 0}


def configurations(budget: int) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The protections compared, with ``budget`` as the query budget where one applies."""
    defaults = {key: DEFAULTS[key] for key in PROTECTIONS_OFF}
    name = "all ON (defaults)" if budget == DEFAULTS["QUERY_BUDGET"] else f"all ON, budget {budget}"
    return (
        ("protections OFF", PROTECTIONS_OFF),
        (
            "rare-allele hiding only",
            {**PROTECTIONS_OFF, "RARE_ALLELE_FREQUENCY": DEFAULTS["RARE_ALLELE_FREQUENCY"]},
        ),
        (f"query budget {budget} only", {**PROTECTIONS_OFF, "QUERY_BUDGET": budget}),
        (name, {**defaults, "QUERY_BUDGET": budget}),
    )


# Every configuration: one PUBLIC dataset whatever ASIA_BEACON_* says; no audit log (it records
# answers and changes none, and it costs time on the embedded store).
BASE_CONFIG = {
    "TESTING": True,
    "AUDIT_LOG": False,
    "DEFAULT_ACCESS_LEVEL": "PUBLIC",
    "DATASET_ACCESS": {},
    "DATASET_ACCESS_FILE": "",
}
# INFO counts over all 300 samples: wrong for the members (the loader counts their genotypes).
_COHORT_INFO = {"AC", "AF", "AN"}


@dataclass(frozen=True)
class Allele:
    """A sequence ALT allele, as a Beacon sequence query names it (0-based start)."""

    reference_name: str
    start: int
    reference_bases: str
    alternate_bases: str


@dataclass(frozen=True)
class Panel:
    """Genotypes of the demo, one row per sequence ALT allele."""

    samples: tuple[str, ...]
    alleles: tuple[Allele, ...]
    copies: np.ndarray  # alleles x samples: copies of the allele each sample carries
    called: np.ndarray  # alleles x samples: called alleles at the site (2, 1 haploid, 0 missing)

    def frequencies(self, columns: list[int] | slice) -> np.ndarray:
        allele_count = self.copies[:, columns].sum(axis=1)
        allele_number = self.called[:, columns].sum(axis=1)
        return np.divide(
            allele_count, allele_number, out=np.zeros(len(self.alleles)), where=allele_number > 0
        )


def read_panel(path: Path) -> Panel:
    alleles, copies, called = [], [], []
    with pysam.VariantFile(str(path)) as vcf:
        samples = tuple(vcf.header.samples)
        for record in vcf:
            genotypes = [record.samples[name]["GT"] or () for name in samples]
            site_called = [sum(index is not None for index in gt) for gt in genotypes]
            for number, alt in enumerate(record.alts or (), 1):
                if alt.startswith("<") or alt in ("*", "."):
                    continue  # symbolic alleles are not asked with a sequence query
                alleles.append(
                    Allele(record.chrom.removeprefix("chr"), record.start, record.ref, alt)
                )
                copies.append([gt.count(number) for gt in genotypes])
                called.append(site_called)
    return Panel(
        samples,
        tuple(alleles),
        np.array(copies, dtype=np.int16),
        np.array(called, dtype=np.int16),
    )


def write_member_vcf(source: Path, members: list[str], destination: Path) -> None:
    """The members' genotypes, as a project holding only them would publish: ALT alleles none of
    them carries dropped (a site with none left is dropped), no cohort-wide AC/AF/AN."""
    with pysam.VariantFile(str(source)) as vcf:
        vcf.subset_samples(members)
        header = pysam.VariantHeader()
        for line in vcf.header.records:
            header.add_record(line)
        for name in members:
            header.add_sample(name)
        with pysam.VariantFile(str(destination), "wz", header=header) as out:
            for record in vcf:
                genotypes = {name: record.samples[name] for name in members}
                seen = {index for call in genotypes.values() for index in call["GT"] or ()}
                kept = [n for n in range(1, len(record.alleles)) if n in seen]
                if not kept:
                    continue
                renumber = {0: 0, **{old: new for new, old in enumerate(kept, 1)}}
                info = {key: value for key, value in record.info.items() if key not in _COHORT_INFO}
                if isinstance(info.get("SVLEN"), tuple) and len(info["SVLEN"]) == len(record.alts):
                    info["SVLEN"] = tuple(info["SVLEN"][n - 1] for n in kept)
                info.pop("END", None)  # written from ``stop``
                copy = header.new_record(
                    contig=record.contig,
                    start=record.start,
                    stop=record.stop,
                    alleles=(record.ref, *(record.alleles[n] for n in kept)),
                    id=record.id,
                    qual=record.qual,
                    filter=list(record.filter),
                    info=info,
                )
                for name, call in genotypes.items():
                    gt = call["GT"] or ()
                    copy.samples[name]["GT"] = tuple(
                        None if index is None else renumber[index] for index in gt
                    )
                    copy.samples[name].phased = call.phased
                out.write(copy)


def check_beacon_frequencies(store: Any, panel: Panel, members: list[int]) -> int:
    """Every loaded sequence allele has the members' frequency, counted here from pysam's
    genotypes, and every allele a member carries was loaded; returns the alleles checked."""
    expected = {
        (a.reference_name, a.start, a.reference_bases, a.alternate_bases): frequency
        for a, frequency, count in zip(
            panel.alleles,
            panel.frequencies(members),
            panel.copies[:, members].sum(axis=1),
            strict=True,
        )
        if count > 0
    }
    loaded = {}
    for document in store.collection(VARIANTS).find(
        {"datasetId": DATASET_ID}, {"_id": 0, "record": 0}
    ):
        key = (
            document["referenceName"],
            document["start"],
            document["referenceBases"],
            document["alternateBases"],
        )
        if not key[3].startswith("<"):
            loaded[key] = document.get(ALLELE_FREQUENCY)
    assert loaded.keys() == expected.keys(), "loaded alleles differ from the members' alleles"
    for key, frequency in expected.items():
        assert abs(loaded[key] - frequency) < 1e-9, (key, loaded[key], frequency)
    return len(expected)


@dataclass(frozen=True)
class AttackJob:
    vcf: str
    config: dict[str, Any]
    address_prefix: str  # one /16 per configuration, one address per target within it
    targets: tuple[tuple[int, tuple[Allele, ...]], ...]  # target number, its queries in order


@dataclass(frozen=True)
class TargetAnswers:
    target: int
    answers: tuple[bool, ...]  # one per answered query, in the order asked
    refused: bool  # the attack on this target ended with a 429


def run_attack(job: AttackJob) -> tuple[list[TargetAnswers], int]:
    """Load the members into a fresh store, serve it with the job's configuration, and ask each
    target's queries from the target's own address; the answers and the requests sent.

    Without a query budget nothing in an anonymous answer depends on who asks, so an allele
    asked for an earlier target is answered from that earlier answer (the request is not sent).
    """
    store = open_store(f"mongomock://memory/reidentification_{uuid.uuid4().hex}")
    load_vcf(store, job.vcf, DATASET_ID, ASSEMBLY)
    config = {**BASE_CONFIG, **job.config}
    client = create_app(config, store=store).test_client()
    shared: dict[Allele, bool] | None = {} if job.config["QUERY_BUDGET"] == 0 else None
    outcomes, requests = [], 0
    for target, queries in job.targets:
        address = f"{job.address_prefix}.{target // 250}.{target % 250 + 1}"
        answers: list[bool] = []
        refused = False
        for allele in queries:
            if shared is not None and allele in shared:
                answers.append(shared[allele])
                continue
            response = client.get(
                "/g_variants",
                query_string={
                    "assemblyId": ASSEMBLY,
                    "referenceName": allele.reference_name,
                    "start": allele.start,
                    "referenceBases": allele.reference_bases,
                    "alternateBases": allele.alternate_bases,
                    "requestedGranularity": "boolean",
                },
                environ_base={"REMOTE_ADDR": address},
            )
            requests += 1
            if response.status_code == 429:
                refused = True
                break
            if response.status_code != 200:
                raise RuntimeError(f"{allele}: HTTP {response.status_code} {response.json}")
            answers.append(bool(response.json["responseSummary"]["exists"]))
            if shared is not None:
                shared[allele] = answers[-1]
        outcomes.append(TargetAnswers(target, tuple(answers), refused))
    return outcomes, requests


@dataclass(frozen=True)
class Attack:
    """Who is attacked and with which queries; what the attacker knows."""

    panel: Panel
    beacon_size: int
    columns: list[int]  # the targets' sample columns: members first
    is_member: list[bool]
    queries: list[list[int]]  # per target, allele rows, rarest first
    reference: np.ndarray  # the attacker's allele frequencies (all samples)

    def statistics(self, answers: list[tuple[bool, ...]], min_count: int) -> list[float]:
        """The log-likelihood ratio of each target from its answers."""
        scores = []
        for column, asked, answered in zip(self.columns, self.queries, answers, strict=True):
            scored = [
                AnsweredQuery(
                    float(self.reference[row]), int(min(self.panel.copies[row, column], 2)), exists
                )
                for row, exists in zip(asked, answered, strict=False)
            ]
            scores.append(log_likelihood_ratio(scored, self.beacon_size, min_count))
        return scores

    def power(self, statistics: list[float]) -> float:
        members = [s for s, member in zip(statistics, self.is_member, strict=True) if member]
        others = [s for s, member in zip(statistics, self.is_member, strict=True) if not member]
        return power_at_false_positive_rate(members, others)


def choose_targets(everyone: int, members: int, targets: int, seed: int) -> tuple[list, list]:
    """The beacon's members, and the targets (that many members, then as many non-members)."""
    rng = random.Random(seed)
    chosen = sorted(rng.sample(range(everyone), members))
    outsiders = sorted(set(range(everyone)) - set(chosen))
    return chosen, rng.sample(chosen, targets) + rng.sample(outsiders, targets)


def rarest_first(panel: Panel, reference: np.ndarray, column: int, cap: int) -> list[int]:
    carried = np.flatnonzero(panel.copies[:, column])
    return carried[np.argsort(reference[carried], kind="stable")][:cap].tolist()


def attack_every_configuration(
    attack: Attack,
    vcf: Path,
    workers: int,
    compared: tuple[tuple[str, dict[str, Any]], ...],
) -> tuple[list[list[TargetAnswers]], int]:
    """Per configuration, every target's answers (in target order); and the requests sent."""
    chunks = [list(range(i, len(attack.columns), workers)) for i in range(workers)]
    chunks = [chunk for chunk in chunks if chunk]
    jobs = [
        AttackJob(
            str(vcf),
            config,
            f"10.{index}",
            tuple((i, tuple(attack.panel.alleles[a] for a in attack.queries[i])) for i in chunk),
        )
        for index, (_, config) in enumerate(compared)
        for chunk in chunks
    ]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        finished = list(pool.map(run_attack, jobs))
    answers, requests = [], 0
    for index in range(len(compared)):
        by_target: dict[int, TargetAnswers] = {}
        for outcomes, sent in finished[index * len(chunks) : (index + 1) * len(chunks)]:
            requests += sent
            by_target.update({outcome.target: outcome for outcome in outcomes})
        answers.append([by_target[i] for i in range(len(attack.columns))])
    return answers, requests


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=150)
    parser.add_argument("--targets", type=int, default=40, help="members and as many non-members")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--max-queries", type=int, default=60, help="rarest alleles per target")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--budget", type=int, default=int(DEFAULTS["QUERY_BUDGET"]), help="QUERY_BUDGET to try"
    )
    arguments = parser.parse_args()
    compared = configurations(arguments.budget)
    began = time.perf_counter()

    panel = read_panel(DEMO_VCF)
    everyone = len(panel.samples)
    members, columns = choose_targets(
        everyone, arguments.members, arguments.targets, arguments.seed
    )
    reference = panel.frequencies(slice(None))
    queries = [rarest_first(panel, reference, c, arguments.max_queries) for c in columns]
    attack = Attack(
        panel,
        len(members),
        columns,
        [True] * arguments.targets + [False] * arguments.targets,
        queries,
        reference,
    )
    carried = [int(np.count_nonzero(panel.copies[:, column])) for column in columns]
    last_frequency = [float(reference[asked[-1]]) for asked in queries]

    with tempfile.TemporaryDirectory() as scratch:
        vcf = Path(scratch) / "members.vcf.gz"
        write_member_vcf(DEMO_VCF, [panel.samples[column] for column in members], vcf)
        store = open_store(f"mongomock://memory/reidentification_{uuid.uuid4().hex}")
        summary = load_vcf(store, vcf, DATASET_ID, ASSEMBLY)
        checked = check_beacon_frequencies(store, panel, members)
        print(
            f"beacon: {summary.samples} members (N), {summary.variants} alleles from "
            f"{summary.records} sites; {checked} sequence alleles' frequencies checked against "
            f"pysam counts over the members"
        )
        print(
            f"attacker: reference frequencies over all {everyone} samples; "
            f"{arguments.targets} member and {arguments.targets} non-member targets; "
            f"seed {arguments.seed}"
        )
        print(
            f"queries: each target's carried alleles, rarest first, capped at "
            f"{arguments.max_queries} of a median {np.median(carried):.0f} (reference frequency "
            f"of the last one asked: median {np.median(last_frequency):.3f}; more common alleles "
            f"answer 'yes' either way and add next to nothing)"
        )
        answers, requests = attack_every_configuration(attack, vcf, arguments.workers, compared)

    rows = [
        (
            "configuration",
            "power (paper)",
            "power (policy-aware)",
            "answered/target",
            "yes/target",
            "stopped by 429",
        )
    ]
    for (name, overrides), outcomes in zip(compared, answers, strict=True):
        answered = [outcome.answers for outcome in outcomes]
        aware = min_count_for(float(overrides["RARE_ALLELE_FREQUENCY"]), len(members))
        rows.append(
            (
                name,
                f"{attack.power(attack.statistics(answered, 1)):.2f}",
                f"{attack.power(attack.statistics(answered, aware)):.2f}",
                f"{np.mean([len(a) for a in answered]):.1f}",
                f"{np.mean([sum(a) for a in answered]):.1f}",
                f"{sum(outcome.refused for outcome in outcomes)}/{len(outcomes)}",
            )
        )
    print()
    print(
        f"power = true-positive rate at 5% false-positive rate (N = {len(members)}, "
        f"{len(columns)} targets, seed {arguments.seed})"
    )
    print_table(rows)
    reference_answers = [outcome.answers for outcome in answers[0]]
    first = [k for k in (1, 2, 3, 5, 10, 20) if k <= arguments.max_queries]
    growth = ", ".join(
        f"{k}: {attack.power(attack.statistics([a[:k] for a in reference_answers], 1)):.2f}"
        for k in first
    )
    print(f"protections OFF, power (paper) after the first k queries of each target: {growth}")
    print()
    print(
        f"{requests:,} requests in {time.perf_counter() - began:.0f} s ({arguments.workers} "
        "worker processes; without a query budget an allele already asked is not asked again)"
    )
    print(
        "command: python tests/benchmarks/bench_reidentification.py "
        f"--members {arguments.members} --targets {arguments.targets} --seed {arguments.seed} "
        f"--max-queries {arguments.max_queries} --budget {arguments.budget}"
    )


if __name__ == "__main__":
    main()
