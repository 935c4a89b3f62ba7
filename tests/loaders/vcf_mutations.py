"""Malformed variants of a small valid VCF, each with the outcome a correct loader must give.

A case is one mutation of the base file: a body line cut short, a tab too many, a bad genotype,
a stray byte, a broken header line... Its outcome is decided here from the mutation alone and
the VCF rules, never by running the loader: either :class:`Refused` (a LoadError naming the
mutated line and one of a few fields) or :class:`Loaded` (the documents must match pysam's
reading of a file: the mutated one when it is still VCF, the base one when the mutation is a
tolerated variant pysam cannot read, such as CRLF line ends or a blank line).

Random cases come from ``random.Random(f"{kind}-{seed}")``, so every case id reproduces its
file.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

SAMPLES = ("S1", "S2", "S3")
CONTIG_LENGTHS = {"chr1": 10_000, "chr2": 5_000}
_ANN = (
    "Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | "
    "Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p'"
)
META_LINES = (
    "##fileformat=VCFv4.2",
    *(f"##contig=<ID={name},length={length}>" for name, length in CONTIG_LENGTHS.items()),
    '##ALT=<ID=DEL,Description="Deletion">',
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count">',
    '##INFO=<ID=AN,Number=1,Type=Integer,Description="Allele number">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End position">',
    '##INFO=<ID=SVLEN,Number=A,Type=Integer,Description="Structural variant length">',
    f'##INFO=<ID=ANN,Number=.,Type=String,Description="{_ANN}">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
)
FIXED = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")
_ANNOTATIONS = (
    "ANN=G|missense_variant|MODERATE|BRAF|ENSG1|transcript|ENST1|protein_coding|1/2|c.1A>G|"
    "p.Val600Glu,T|stop_gained|HIGH|BRAF|ENSG1|transcript|ENST1|protein_coding|1/2|c.1A>T|"
    "p.Arg97Ter"
)
# Several records, a multi-allelic one with '*', an indel, a symbolic deletion with END, a
# breakend, missing and haploid calls; AC/AN agree with the genotypes (a sites-only copy
# reads them).
RECORDS = (
    ("chr1", "100", "rs1", "A", "G,T", "50", "PASS", f"AC=2,1;AN=6;{_ANNOTATIONS}",
     "GT:AD:DP", "0/1:5,4,0:9", "1/2:3,3,3:9", "0/0:8,0,0:8"),
    ("chr1", "200", ".", "AT", "A", ".", "PASS", "AC=1;AN=4",
     "GT:AD:DP", "0|1:6,6:12", "0/0:10,0:10", "./.:.:."),
    ("chr1", "300", "rs3;sv3", "C", "<DEL>", ".", "PASS", "END=450;SVLEN=-150;AC=2;AN=6",
     "GT:AD:DP", "1/1:0,7:7", "0/0:9,0:9", "0/0:9,0:9"),
    ("chr1", "900", ".", "G", "C,GA,*", "20", "q10", "AC=1,2,1;AN=6",
     "GT:AD:DP", "0/1:4,4,0,0:8", "2/3:0,3,3,3:9", "0/2:3,0,3,0:6"),
    ("chr2", "50", ".", "G", "C", "99", "PASS", "AC=1;AN=5",
     "GT:AD:DP", "0/1:3,3:6", "0:4,0:4", "0/0:5,0:5"),
    ("chr2", "4000", "bnd1", "T", "T]chr1:100]", ".", "PASS", "AC=2;AN=5",
     "GT:AD:DP", "0/1:3,3:6", "0/0:6,0:6", "./1:.:."),
)  # fmt: skip
_SYMBOLIC_RECORD = 2  # the one whose END and SVLEN the loader reads
_INFO_COLUMN, _FORMAT_COLUMN = 7, 8
# Every field a data-line error may name.
LINE_FIELDS = frozenset(
    {"columns", "CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT",
     "INFO/END", "INFO/SVLEN", "INFO/AC", "INFO/AN", "GT", "samples", "header"}
)  # fmt: skip
COLUMN_FIELDS = (*FIXED[1:], "FORMAT")
_GT = re.compile(rb"(\.|[0-9]+)([/|](\.|[0-9]+))*")


@dataclass(frozen=True)
class Refused:
    line: int
    fields: frozenset[str]


@dataclass(frozen=True)
class Loaded:
    truth: bytes | None = None  # the file pysam reads for the expected documents; None: this one


@dataclass(frozen=True)
class Vcf:
    """A VCF as lines without their line ends; renders to the bytes a file holds."""

    meta: tuple[bytes, ...]
    columns: bytes  # the #CHROM line
    body: tuple[bytes, ...]

    @property
    def first_body_line(self) -> int:
        return len(self.meta) + 2

    @property
    def genotyped(self) -> bool:
        return b"\tFORMAT" in self.columns

    def line_number(self, index: int) -> int:
        return self.first_body_line + index

    def render(self) -> bytes:
        return b"".join(line + b"\n" for line in (*self.meta, self.columns, *self.body))

    def with_body_line(self, index: int, line: bytes) -> Vcf:
        body = list(self.body)
        body[index] = line
        return replace(self, body=tuple(body))


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    outcome: Refused | Loaded


def _base(genotyped: bool) -> Vcf:
    width = len(RECORDS[0]) if genotyped else len(FIXED)
    names = (*FIXED, "FORMAT", *SAMPLES) if genotyped else FIXED
    return Vcf(
        tuple(line.encode() for line in META_LINES),
        "\t".join(names).encode(),
        tuple("\t".join(record[:width]).encode() for record in RECORDS),
    )


GENOTYPED = _base(genotyped=True)
SITES_ONLY = _base(genotyped=False)


def _columns(line: bytes) -> list[bytes]:
    return line.split(b"\t")


def _alt_count(line: bytes) -> int:
    return len(_columns(line)[4].split(b","))


def _field_at(line: bytes, offset: int) -> str:
    """The field an error about the byte at ``offset`` names: its column, or 'samples'."""
    column = line.count(b"\t", 0, offset)
    if column == 0:
        return "CHROM"
    return COLUMN_FIELDS[column - 1] if column <= len(COLUMN_FIELDS) else "samples"


def _gt_is_valid(gt: bytes, alt_count: int) -> bool:
    """VCF's GT syntax: allele indexes or '.', separated by '/' or '|', within the ALTs."""
    if not _GT.fullmatch(gt):
        return False
    return all(int(a) <= alt_count for a in re.split(rb"[/|]", gt) if a != b".")


def _info_values(info: bytes) -> dict[bytes, bytes]:
    """INFO keys with a value (a flag such as ``AC`` alone sets no AC)."""
    return dict(item.split(b"=", 1) for item in info.split(b";") if b"=" in item)  # type: ignore[misc]


def _sites_info_problems(info: bytes, alt_count: int) -> set[str]:
    """The AC/AN problems of a sites-only record's INFO (where the loader takes its counts)."""
    problems = set()
    found = _info_values(info)
    if b"AC" in found and found[b"AC"] != b".":
        values = found[b"AC"].split(b",")
        if len(values) != alt_count or not all(v == b"." or v.isdigit() for v in values):
            problems.add("INFO/AC")
    if b"AN" in found and found[b"AN"] != b"." and not found[b"AN"].isdigit():
        problems.add("INFO/AN")
    return problems


def _symbolic_info_problems(info: bytes, pos: int) -> set[str]:
    """END and SVLEN of the symbolic record: integers, END not before POS."""
    problems = set()
    found = _info_values(info)
    if b"END" in found and not (found[b"END"].isdigit() and int(found[b"END"]) >= pos):
        problems.add("INFO/END")
    svlen = found.get(b"SVLEN")
    if svlen is not None and svlen != b"." and not re.fullmatch(rb"-?[0-9]+", svlen):
        problems.add("INFO/SVLEN")
    return problems


# --- random mutations: each takes a seeded RNG and a base, and returns (content, outcome)


def truncated_line(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """A body line cut at a random byte (its end-of-line kept)."""
    index = rng.randrange(len(vcf.body))
    line = vcf.body[index]
    cut = line[: rng.randrange(1, len(line))]
    number = vcf.line_number(index)
    content = vcf.with_body_line(index, cut).render()
    columns = _columns(cut)
    if len(columns) < 8:
        return content, Refused(number, frozenset({"columns"}))
    if not vcf.genotyped:
        problems = _sites_info_problems(columns[_INFO_COLUMN], _alt_count(cut))
        if index == _SYMBOLIC_RECORD:
            problems |= _symbolic_info_problems(columns[_INFO_COLUMN], int(columns[1]))
        return content, Refused(number, frozenset(problems)) if problems else Loaded()
    if len(columns) < _FORMAT_COLUMN + 1 + len(SAMPLES):
        fields = {"samples"}
        if index == _SYMBOLIC_RECORD and len(columns) == 8:
            fields |= {"INFO/END", "INFO/SVLEN"}
        return content, Refused(number, frozenset(fields))
    gt = columns[-1].split(b":", 1)[0]
    if _gt_is_valid(gt, _alt_count(cut)):
        return content, Loaded()
    return content, Refused(number, frozenset({"GT"}))


def column_count(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """A tab removed (two columns merged) or one added: the line no longer fits the header."""
    index = rng.randrange(len(vcf.body))
    line = vcf.body[index]
    if rng.random() < 0.5:
        tabs = [i for i, byte in enumerate(line) if byte == 9]
        at = rng.choice(tabs)
        mutated = line[:at] + line[at + 1 :]
    else:
        at = rng.randrange(len(line) + 1)
        mutated = line[:at] + b"\t" + line[at:]
    return vcf.with_body_line(index, mutated).render(), Refused(vcf.line_number(index), LINE_FIELDS)


def _bad_genotypes(alt_count: int) -> list[bytes]:
    beyond = str(alt_count + 1).encode()
    return [
        beyond + b"/0", b"./" + beyond, b"0/1/" + beyond, b"0/", b"/1", b"a|b", b"-1/0", b"0/-1",
        b"99999999999999999999/0", b"0//1", b"0|", b"", b"0 /1", b"1.0", "\uff10/1".encode(),
        b"+1/0", b"0\\1", b"0/1e", b"1/" + b"9" * 5000, b"0/1/2/3/4/5/6/7/8/9/" + beyond,
    ]  # fmt: skip


def _valid_genotypes(alt_count: int) -> list[bytes]:
    top = str(alt_count).encode()
    return [
        b"1", b".", b"./1", b"0|1/1", top + b"/" + top, b"0/0/0/0", b".|.", b"1|0",
        b"0/" + top + b"/.", b"./.", b"1/1/1", top,
    ]  # fmt: skip


def genotype(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """One sample's GT replaced by a malformed or out-of-range one, or by an odd valid one."""
    index = rng.randrange(len(vcf.body))
    columns = _columns(vcf.body[index])
    sample = rng.randrange(len(SAMPLES))
    alt_count = _alt_count(vcf.body[index])
    valid = rng.random() < 0.35
    gt = rng.choice(_valid_genotypes(alt_count) if valid else _bad_genotypes(alt_count))
    subfields = columns[9 + sample].split(b":")
    columns[9 + sample] = b":".join([gt, *subfields[1:]])
    content = vcf.with_body_line(index, b"\t".join(columns)).render()
    return content, Loaded() if valid else Refused(vcf.line_number(index), frozenset({"GT"}))


def position(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """POS replaced: not a number, not >= 1, beyond the contig, too long; or another valid one.

    A valid new POS also puts the records out of order, which the loader accepts.
    """
    index = rng.randrange(len(vcf.body))
    columns = _columns(vcf.body[index])
    length = CONTIG_LENGTHS[columns[0].decode()]
    number = vcf.line_number(index)
    if rng.random() < 0.3:
        new = rng.randint(1, length)
        columns[1] = str(new).encode()
        content = vcf.with_body_line(index, b"\t".join(columns)).render()
        if index == _SYMBOLIC_RECORD and _symbolic_info_problems(columns[_INFO_COLUMN], new):
            return content, Refused(number, frozenset({"INFO/END"}))
        return content, Loaded()
    columns[1] = rng.choice(
        [
            b"0", b"-1", str(-rng.randint(2, 10**6)).encode(), b"abc", b"1e3", b"12a", b"",
            b"+5", b" 100", b"100 ", b"1.5", str(length + rng.randint(1, 10**6)).encode(),
            b"9" * rng.randint(17, 60), "٣٠٠".encode(), b"0x10",
        ]
    )  # fmt: skip
    return vcf.with_body_line(index, b"\t".join(columns)).render(), Refused(
        number, frozenset({"POS"})
    )


def reference(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """REF replaced by what is not bases, or by other (upper or lower case) bases."""
    index = rng.randrange(len(vcf.body))
    columns = _columns(vcf.body[index])
    valid = rng.random() < 0.3
    if valid:
        columns[3] = "".join(rng.choice("ACGTNacgtn") for _ in range(rng.randint(1, 5))).encode()
    else:
        columns[3] = rng.choice(
            [b"", b"X", b"A C", b"<DEL>", b"A*", b".", b"N-", "é".encode(), b"ACGTX", b"A,C"]
        )
    content = vcf.with_body_line(index, b"\t".join(columns)).render()
    return content, Loaded() if valid else Refused(vcf.line_number(index), frozenset({"REF"}))


def alternate(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """ALT replaced by what is no allele, or one allele by another valid one (same count)."""
    candidates = [i for i, line in enumerate(vcf.body) if b"END=" not in line]
    index = rng.choice(candidates)
    columns = _columns(vcf.body[index])
    if rng.random() < 0.3:
        alts = columns[4].split(b",")
        which = rng.randrange(len(alts))
        alts[which] = rng.choice(
            [
                "".join(rng.choice("ACGTN") for _ in range(rng.randint(1, 6))).encode(),
                b"<DUP>", b"<INS>", b"A[chr2:10[", b"]chr1:7]C", b".G", b"G.",
            ]
        )  # fmt: skip
        columns[4] = b",".join(alts)
        return vcf.with_body_line(index, b"\t".join(columns)).render(), Loaded()
    columns[4] = rng.choice(
        [
            b"", b",", b"G,", b",G", b"<DEL", b"DEL>", b"<>", b"G]chr1", b"[chr1:5", b"A B",
            b"G,,T", b"X", b"G]chr1:100[", b"<DEL>>", b"G]chr1:x]", "Ä".encode(),
        ]
    )  # fmt: skip
    return vcf.with_body_line(index, b"\t".join(columns)).render(), Refused(
        vcf.line_number(index), frozenset({"ALT"})
    )


_NOT_UTF8 = (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\x80", b"\x80", b"\xf8\x88\x80\x80\x80")
_UTF8 = ("é", "中文", "🧬", "ß")


def characters(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """A byte no VCF line may hold (not UTF-8, NUL, a lone CR) put into a random spot, or valid
    non-ASCII text put into an ID or an INFO value."""
    index = rng.randrange(len(vcf.body))
    line = vcf.body[index]
    number = vcf.line_number(index)
    kind = rng.choice(("not utf-8", "nul", "cr", "utf-8 id", "utf-8 info"))
    if kind in ("utf-8 id", "utf-8 info"):
        columns = _columns(line)
        text = rng.choice(_UTF8).encode() + str(rng.randrange(100)).encode()
        if kind == "utf-8 id":
            columns[2] = text if columns[2] == b"." else columns[2] + b";" + text
        else:
            columns[_INFO_COLUMN] += b";NOTE=" + text
        return vcf.with_body_line(index, b"\t".join(columns)).render(), Loaded()
    inserted = {"not utf-8": rng.choice(_NOT_UTF8), "nul": b"\0", "cr": b"\r"}[kind]
    at = rng.randrange(len(line))  # before the last byte: a CR there would end the line
    if kind == "not utf-8":  # inside an ID, INFO or sample column, where text is stored
        columns = _columns(line)
        target = rng.choice([2, _INFO_COLUMN, *range(9, len(columns))])
        start = sum(len(column) + 1 for column in columns[:target])
        at = start + rng.randrange(len(columns[target]) + 1)
    mutated = line[:at] + inserted + line[at:]
    return vcf.with_body_line(index, mutated).render(), Refused(
        number, frozenset({_field_at(mutated, at)})
    )


def format_keys(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """FORMAT keys repeated or empty (refused); keys or sample subfields dropped (loaded)."""
    index = rng.randrange(len(vcf.body))
    columns = _columns(vcf.body[index])
    number = vcf.line_number(index)
    keys = columns[_FORMAT_COLUMN].split(b":")
    kind = rng.choice(("repeated", "empty", "key dropped", "subfields dropped", "no GT"))
    if kind == "repeated":
        keys.insert(rng.randrange(len(keys) + 1), rng.choice(keys))
    elif kind == "empty":
        keys.insert(rng.randrange(len(keys) + 1), b"")
    elif kind == "key dropped":  # samples then hold more subfields than keys: GT still first
        keys.pop(rng.randrange(1, len(keys)))
    elif kind == "subfields dropped":  # trailing subfields may be dropped
        sample = 9 + rng.randrange(len(SAMPLES))
        subfields = columns[sample].split(b":")
        columns[sample] = b":".join(subfields[: rng.randint(1, len(subfields) - 1)])
    else:  # GT taken out of FORMAT and every sample: the counts come from INFO AC/AN
        keys.pop(0)
        for sample in range(9, len(columns)):
            columns[sample] = columns[sample].split(b":", 1)[1]
    columns[_FORMAT_COLUMN] = b":".join(keys)
    content = vcf.with_body_line(index, b"\t".join(columns)).render()
    if kind in ("repeated", "empty"):
        return content, Refused(number, frozenset({"FORMAT"}))
    if kind == "key dropped":
        return content, Loaded(truth=vcf.render())
    return content, Loaded()


def line_ends(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """CRLF on some or all lines, blank lines between records, no final end-of-line: tolerated
    variants whose documents are the base file's."""
    kind = rng.choice(("crlf all", "crlf some", "blank", "no final newline"))
    content = vcf.render()
    if kind == "crlf all":
        content = content.replace(b"\n", b"\r\n")
    elif kind == "crlf some":
        lines = content.split(b"\n")[:-1]
        content = b"".join(line + rng.choice((b"\n", b"\r\n")) for line in lines)
    elif kind == "blank":
        body = list(vcf.body)
        body.insert(rng.randrange(len(body) + 1), rng.choice((b"", b" ", b"\t ", b"  ")))
        content = replace(vcf, body=tuple(body)).render()
    else:
        content = content[:-1]
    return content, Loaded(truth=vcf.render())


def record_order(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """Records shuffled: VCF asks for sorted records, the loader does not need them."""
    body = list(vcf.body)
    while tuple(body) == vcf.body:
        rng.shuffle(body)
    return replace(vcf, body=tuple(body)).render(), Loaded()


def contig(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """CHROM replaced by a contig the header does not declare."""
    index = rng.randrange(len(vcf.body))
    columns = _columns(vcf.body[index])
    columns[0] = rng.choice(
        [b"chr3", b"1", b"Chr1", b"chr1 ", b"chrUn_" + str(rng.randrange(999)).encode(), b"X"]
    )
    return vcf.with_body_line(index, b"\t".join(columns)).render(), Refused(
        vcf.line_number(index), frozenset({"CHROM"})
    )


def header(rng: random.Random, vcf: Vcf) -> tuple[bytes, Refused | Loaded]:
    """A meta line cut short, the #CHROM line cut, lost or with samples added or removed, or a
    header line among the records."""
    kind = rng.choice(("meta cut", "columns cut", "no columns line", "samples", "in body"))
    column_line = len(vcf.meta) + 1
    if kind == "meta cut":  # never the fileformat line: a short version may still be one
        index = rng.randrange(1, len(vcf.meta))
        meta = list(vcf.meta)
        meta[index] = meta[index][: rng.randrange(len(meta[index]))]
        return replace(vcf, meta=tuple(meta)).render(), Refused(index + 1, frozenset({"header"}))
    if kind == "columns cut":
        cut = vcf.columns[: rng.randrange(len(vcf.columns))]
        return replace(vcf, columns=cut).render(), _columns_line_outcome(vcf, cut)
    if kind == "no columns line":
        return vcf.render().replace(vcf.columns + b"\n", b""), Refused(
            column_line, frozenset({"header"})
        )
    if kind == "samples":
        names = _columns(vcf.columns)
        if vcf.genotyped and rng.random() < 0.5:
            names.pop(rng.randrange(9, len(names)))
        else:
            names += [b"FORMAT"] * (not vcf.genotyped) + [b"S9"]
        columns = b"\t".join(names)
        return replace(vcf, columns=columns).render(), Refused(
            vcf.first_body_line, frozenset({"samples", "columns"})
        )
    body = list(vcf.body)
    at = rng.randrange(1, len(body) + 1)
    body.insert(at, rng.choice((vcf.columns, b"##INFO=<ID=XX,Number=1,Type=Integer>", b"#")))
    return replace(vcf, body=tuple(body)).render(), Refused(
        vcf.line_number(at), frozenset({"header"})
    )


def _columns_line_outcome(vcf: Vcf, cut: bytes) -> Refused | Loaded:
    """A #CHROM line cut short: broken if a column name is cut; samples lost if only they are."""
    names = _columns(cut)
    full = _columns(vcf.columns)
    complete = len(names) > len(FIXED) and names[: len(FIXED)] == full[: len(FIXED)]
    if len(names) == len(FIXED) + 1 and names[-1] != b"FORMAT":
        complete = False
    if not complete:
        if len(names) == len(FIXED) and names == full[: len(FIXED)]:
            return Refused(vcf.first_body_line, frozenset({"columns"}))
        return Refused(len(vcf.meta) + 1, frozenset({"header"}))
    samples = names[len(FIXED) + 1 :]
    if samples and not samples[-1]:
        return Refused(len(vcf.meta) + 1, frozenset({"header"}))
    if len(samples) < len(SAMPLES):
        return Refused(vcf.first_body_line, frozenset({"samples"}))
    return Loaded()  # only the last sample's name is shorter


KINDS: dict[str, tuple[Callable[[random.Random, Vcf], tuple[bytes, Refused | Loaded]], int]] = {
    "truncated": (truncated_line, 24),
    "columns": (column_count, 12),
    "genotype": (genotype, 24),
    "position": (position, 14),
    "reference": (reference, 8),
    "alternate": (alternate, 12),
    "characters": (characters, 20),
    "format": (format_keys, 14),
    "line-ends": (line_ends, 6),
    "order": (record_order, 3),
    "contig": (contig, 5),
    "header": (header, 16),
}
_GENOTYPED_ONLY = {"genotype", "format"}


def random_cases() -> list[Case]:
    """Seeded mutations of both bases (genotype and FORMAT ones of the genotyped base only)."""
    cases = []
    for kind, (mutate, seeds) in KINDS.items():
        for base_name, vcf in (("genotyped", GENOTYPED), ("sites", SITES_ONLY)):
            if base_name == "sites" and kind in _GENOTYPED_ONLY:
                continue
            count = seeds if base_name == "genotyped" else max(2, seeds // 3)
            for seed in range(count):
                content, outcome = mutate(random.Random(f"{kind}-{base_name}-{seed}"), vcf)
                cases.append(Case(f"{kind}-{base_name}-{seed}", content, outcome))
    return cases


# --- hand-written cases: each category named, with the fields a correct error names


def _set(vcf: Vcf, index: int, column: int, value: bytes | str) -> Vcf:
    columns = _columns(vcf.body[index])
    columns[column] = value.encode() if isinstance(value, str) else value
    return vcf.with_body_line(index, b"\t".join(columns))


def _gt(vcf: Vcf, index: int, sample: int, gt: str) -> Vcf:
    subfields = _columns(vcf.body[index])[9 + sample].split(b":")
    return _set(vcf, index, 9 + sample, b":".join([gt.encode(), *subfields[1:]]))


def _refused(name: str, vcf: Vcf | bytes, line: int, *fields: str) -> Case:
    content = vcf if isinstance(vcf, bytes) else vcf.render()
    return Case(name, content, Refused(line, frozenset(fields)))


def _loaded(name: str, vcf: Vcf | bytes, truth: Vcf | None = None) -> Case:
    content = vcf if isinstance(vcf, bytes) else vcf.render()
    return Case(name, content, Loaded(truth.render() if truth else None))


def named_cases() -> list[Case]:
    """A few hand-written cases of every category, the huge ones included."""
    g, s = GENOTYPED, SITES_ONLY
    first = g.first_body_line  # line 14: records 0-5 are on lines 14-19
    columns_line = first - 1
    huge = b"x" * 10_000_000
    megabyte = b"y" * 1_000_000
    many_alts = ",".join(["A", "C", "T", "AA", "AC"] * 8_000)
    many_alts_counts = "AN=10;AC=" + ",".join(["0"] * 39_999 + ["1"])  # one document, not 40,000
    return [
        # truncated lines and column counts
        _refused("cut-inside-gt", g.with_body_line(0, g.body[0][: g.body[0].rindex(b"\t") + 3]),
                 first, "GT"),
        _refused("cut-after-pos", g.with_body_line(1, b"chr1\t200"), first + 1, "columns"),
        _refused("seven-columns", s.with_body_line(2, b"\t".join(_columns(s.body[2])[:7])),
                 first + 2, "columns"),
        _refused("extra-sample-column", g.with_body_line(3, g.body[3] + b"\t0/0"), first + 3,
                 "samples"),
        _refused("sites-only-ninth-column", s.with_body_line(0, s.body[0] + b"\tGT"), first,
                 "columns"),
        # genotypes
        _refused("gt-open-slash", _gt(g, 0, 1, "0/"), first, "GT"),
        _refused("gt-allele-beyond-one-alt", _gt(g, 1, 1, "./2"), first + 1, "GT"),
        _refused("gt-letters", _gt(g, 0, 0, "a|b"), first, "GT"),
        _refused("gt-ploidy-beyond-alts", _gt(g, 0, 0, "0/1/2/3"), first, "GT"),
        _refused("gt-negative", _gt(g, 4, 2, "0/-1"), first + 4, "GT"),
        _refused("gt-allele-2-to-the-64", _gt(g, 4, 0, "18446744073709551616/0"), first + 4,
                 "GT"),
        _refused("gt-5000-digits", _gt(g, 4, 0, "0/" + "1" * 5000), first + 4, "GT"),
        _loaded("gt-triploid", _gt(g, 0, 0, "0/1/2")),
        _loaded("gt-haploid-missing-mixed-phasing", _gt(_gt(g, 0, 0, "2"), 0, 1, "0|1/.")),
        _loaded("gt-zero-padded-allele", _gt(g, 0, 0, "0/0000000000001")),
        # POS
        _refused("pos-zero", _set(g, 1, 1, "0"), first + 1, "POS"),
        _refused("pos-negative", _set(g, 1, 1, "-1"), first + 1, "POS"),
        _refused("pos-not-a-number", _set(g, 1, 1, "abc"), first + 1, "POS"),
        _refused("pos-beyond-contig", _set(g, 1, 1, "10001"), first + 1, "POS"),
        _refused("pos-30-digits", _set(s, 1, 1, "9" * 30), first + 1, "POS"),
        _loaded("pos-at-contig-end", _set(g, 1, 1, "10000")),
        _loaded("pos-beyond-undeclared-length",
                _set(replace(g, meta=tuple(m.replace(b",length=10000", b"") for m in g.meta)),
                     1, 1, "20000")),
        # REF and ALT
        _refused("ref-empty", _set(g, 0, 3, ""), first, "REF"),
        _refused("ref-not-bases", _set(g, 0, 3, "AXG"), first, "REF"),
        _refused("alt-empty", _set(g, 1, 4, ""), first + 1, "ALT"),
        _refused("alt-empty-allele", _set(g, 1, 4, "A,"), first + 1, "ALT"),
        _refused("alt-unterminated-symbolic", _set(g, 1, 4, "<DEL"), first + 1, "ALT"),
        _refused("alt-unterminated-breakend", _set(g, 5, 4, "T]chr1:100"), first + 5, "ALT"),
        _refused("alt-not-bases", _set(s, 4, 4, "Z"), first + 4, "ALT"),
        _loaded("alt-many-alleles", _set(_set(s, 4, 4, many_alts), 4, 7, many_alts_counts)),
        _loaded("alt-many-alleles-genotyped", _gt(_set(g, 4, 4, many_alts), 4, 1, "0/40000")),
        # INFO values the loader reads
        _refused("end-not-a-number", _set(g, 2, 7, "END=4x0;SVLEN=-150"), first + 2, "INFO/END"),
        _refused("end-before-pos", _set(g, 2, 7, "END=299"), first + 2, "INFO/END"),
        _refused("end-2-to-the-64", _set(g, 2, 7, "END=18446744073709551616"), first + 2,
                 "INFO/END"),
        _refused("svlen-30-digits", _set(g, 2, 7, "SVLEN=-" + "9" * 30), first + 2,
                 "INFO/SVLEN"),
        _refused("sites-ac-not-a-number", _set(s, 0, 7, "AC=2,x;AN=6"), first, "INFO/AC"),
        _refused("sites-ac-count", _set(s, 0, 7, "AC=2;AN=6"), first, "INFO/AC"),
        _refused("sites-ac-2-to-the-64", _set(s, 1, 7, "AC=18446744073709551616;AN=6"),
                 first + 1, "INFO/AC"),
        _refused("sites-ac-superscript-digit", _set(s, 1, 7, "AC=²;AN=6"), first + 1,
                 "INFO/AC"),
        _refused("sites-an-negative", _set(s, 1, 7, "AC=1;AN=-4"), first + 1, "INFO/AN"),
        _loaded("sites-ac-missing-values", _set(s, 0, 7, "AC=.,1;AN=."), ),
        _loaded("genotyped-ac-not-read", _set(g, 0, 7, "AC=x;AN=y")),
        # characters
        _loaded("id-utf-8", _set(g, 1, 2, "rs_é;中文")),
        _refused("id-latin-1", _set(g, 1, 2, b"rs_\xe9"), first + 1, "ID"),
        _refused("info-not-utf-8", _set(g, 3, 7, b"AC=1,2,1;AN=6;NOTE=\xc3("), first + 3, "INFO"),
        _refused("sample-not-utf-8", _set(g, 3, 10, b"2/3:0,3,3,3:9\xff"), first + 3, "samples"),
        _refused("info-nul", _set(g, 3, 7, b"AC=1,2,1;AN=6;NOTE=a\0b"), first + 3, "INFO"),
        _refused("sample-nul", _set(g, 3, 11, b"0/2:3,0,3,0:\0"), first + 3, "samples"),
        _refused("cr-inside-id", _set(g, 1, 2, b"rs\r2"), first + 1, "ID"),
        # huge lines
        _loaded("info-1-mb", _set(g, 0, 7, b"AC=2,1;AN=6;NOTE=" + megabyte)),
        _loaded("info-10-mb", _set(g, 4, 7, b"AC=1;AN=5;NOTE=" + huge)),
        _loaded("id-1-mb", _set(s, 4, 2, megabyte)),
        _refused("gene-symbol-10-mb", _set(g, 4, 7, b"ANN=C|missense_variant|M|" + huge + b"|x"),
                 first + 4, "INFO"),
        _refused("alt-9-mb", _set(s, 1, 4, b"A" + b"C" * 9_000_000), first + 1, "ALT"),
        _loaded("last-line-10-mb-without-end-of-line",
                _set(g, 5, 7, b"AC=2;AN=5;NOTE=" + huge).render()[:-1], truth=None),
        # FORMAT and sample subfields
        _refused("format-key-twice", _set(g, 0, 8, "GT:AD:GT"), first, "FORMAT"),
        _refused("format-empty-key", _set(g, 0, 8, "GT::DP"), first, "FORMAT"),
        _refused("format-empty", _set(g, 0, 8, ""), first, "FORMAT"),
        _loaded("sample-more-subfields-than-keys", _set(g, 0, 9, "0/1:5,4,0:9:77"), truth=g),
        _loaded("sample-fewer-subfields", _set(_set(g, 0, 9, "0/1"), 0, 10, "1/2:3,3,3")),
        _loaded("gt-second-in-format",
                g.with_body_line(4, b"chr2\t50\t.\tG\tC\t99\tPASS\tAC=1;AN=5\tDP:GT\t6:0/1\t4:0"
                                 b"\t5:0/0"), truth=g),
        # line ends
        _loaded("crlf", g.render().replace(b"\n", b"\r\n"), truth=g),
        _loaded("blank-lines", g.render().replace(g.body[2] + b"\n", g.body[2] + b"\n\n\n"),
                truth=g),
        _refused("cr-only-line-ends", g.render().replace(b"\n", b"\r"), 1, "header"),
        _refused("nul-in-header", g.render().replace(b"Read depth", b"Read\0depth"), 12,
                 "header"),
        # order and contigs
        _loaded("records-reversed", replace(g, body=g.body[::-1])),
        _refused("unknown-contig", _set(g, 4, 0, "chr3"), first + 4, "CHROM"),
        _refused("contig-case", _set(s, 4, 0, "Chr2"), first + 4, "CHROM"),
        # header
        _refused("no-columns-line", g.render().replace(g.columns + b"\n", b""), columns_line,
                 "header"),
        _refused("header-names-fewer-samples", replace(g, columns=g.columns[:-3]), first,
                 "samples"),
        _refused("header-names-more-samples", replace(g, columns=g.columns + b"\tS4"), first,
                 "samples"),
        _refused("sample-named-twice", replace(g, columns=g.columns.replace(b"S3", b"S1")),
                 columns_line, "header"),
        _refused("columns-line-with-spaces", replace(g, columns=g.columns.replace(b"\t", b" ")),
                 columns_line, "header"),
        _refused("byte-order-mark", b"\xef\xbb\xbf" + g.render(), 1, "header"),
        _refused("empty-file", b"", 1, "header"),
        _refused("no-fileformat-line", replace(g, meta=g.meta[1:]), 1, "header"),
        _refused("contig-length-not-a-number",
                 replace(g, meta=tuple(m.replace(b"length=5000", b"length=5k") for m in g.meta)),
                 3, "header"),
        _refused("meta-line-without-closing-bracket",
                 replace(g, meta=tuple(m.rstrip(b">") if b"ID=DP" in m else m for m in g.meta)),
                 12, "header"),
        _refused("two-files-concatenated", g.render() + g.render(), first + len(g.body),
                 "header"),
        _loaded("header-only", replace(g, body=())),
    ]  # fmt: skip
