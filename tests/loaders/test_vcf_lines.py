"""Reading a VCF's lines: every line seen and numbered, plain or bgzipped, and the bytes refused."""

from __future__ import annotations

import random
from pathlib import Path

import pysam
import pytest

from loaders.vcf.lines import character_problem, numbered_blocks, numbered_lines

LINES = [b"##fileformat=VCFv4.2", b"a", b"", b"b\tc", b"   ", b"", b"d" * 3_000_000, b"e"]


def _both_forms(tmp_path: Path, content: bytes) -> list[Path]:
    plain = tmp_path / "lines.vcf"
    plain.write_bytes(content)
    compressed = tmp_path / "lines.vcf.gz"
    pysam.tabix_compress(str(plain), str(compressed))
    return [plain, compressed]


def test_blank_lines_do_not_end_the_file(tmp_path):
    """pysam's own line iterator stops at the first empty line: the rest was silently lost."""
    for path in _both_forms(tmp_path, b"\n".join(LINES) + b"\n"):
        assert list(numbered_lines(str(path))) == list(enumerate(LINES, 1))


def test_line_ends_crlf_and_a_missing_last_one(tmp_path):
    content = b"\r\n".join(LINES) + b"\r\n"
    for path in _both_forms(tmp_path, content[:-2]):
        assert list(numbered_lines(str(path))) == list(enumerate(LINES, 1))


def test_nul_bytes_are_kept_for_the_parser_to_refuse(tmp_path):
    for path in _both_forms(tmp_path, b"a\0b\nc\n"):
        assert list(numbered_lines(str(path))) == [(1, b"a\0b"), (2, b"c")]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b"chr1\t100\trs1", None),
        ("chr1\t100\trs_é;中文".encode(), None),  # UTF-8 is text
        (b"chr1\t100\trs\xe9", (11, "byte 0xe9 is not UTF-8 text")),  # Latin-1
        (b"chr1\t\xed\xa0\x80", (5, "byte 0xed is not UTF-8 text")),  # a surrogate
        (b"chr1\t1\0", (6, "a NUL byte")),
        (b"chr1\r\t1", (4, "a carriage return inside the line")),
        (b"\xff\0", (0, "byte 0xff is not UTF-8 text")),  # the first problem is named
    ],
)
def test_character_problems_name_the_first_bad_byte(line, problem):
    assert character_problem(line) == problem


def test_progress_is_reported_in_bytes_of_the_file_as_stored(tmp_path):
    """A progress bar's total is the file's size: compressed bytes for bgzipped input."""
    rng = random.Random("progress")
    lines = [bytes(rng.choice(b"ACGT") for _ in range(200)) for _ in range(3_000)]
    for path in _both_forms(tmp_path, b"\n".join(lines) + b"\n"):
        positions: list[int] = []
        assert len(list(numbered_lines(str(path), positions.append))) == len(lines)
        size = path.stat().st_size
        assert len(positions) >= 5, positions  # 600 kB of text: several 64 kB reads
        assert positions == sorted(positions) and 0 < positions[0] < positions[-1] <= size
        if path.suffix == ".gz":
            assert positions[-1] >= size - 28 - 65_536  # up to the last data block
        else:
            assert positions[-1] == size


REFUSED = {"nul": b"\0", "cr": b"\r", "latin-1": b"\xe9"}


@pytest.mark.parametrize("inner", [*REFUSED, "utf-8"])
def test_a_block_is_plain_only_when_every_line_of_it_is(tmp_path, inner):
    """Lines are checked for stray bytes once per read: a line joined from two reads is
    checked whole, so its byte is found whichever read it came in."""
    byte = REFUSED.get(inner, "中".encode())
    filler = [b"x" * 999] * 62  # 62,000 bytes of whole lines
    # line 63 spans the end of the first 64 kB read, its byte 50 bytes before that end
    spanning = b"y" * (65_536 - 62_000 - 50) + byte + b"y" * 100
    lines = [*filler, spanning, *[b"z" * 999] * 200]
    for path in _both_forms(tmp_path, b"\n".join(lines) + b"\n"):
        seen: list[bytes] = []
        for first, block in numbered_blocks(str(path)):
            if block.plain:
                assert [character_problem(line) for line in block.lines] == [None] * len(
                    block.lines
                ), first
            if first <= 63 < first + len(block.lines) and inner in REFUSED:
                assert not block.plain  # the spanning line's block
            seen += block.lines
        assert seen == lines
        assert (character_problem(spanning) is None) == (inner == "utf-8")


def test_a_crlf_cut_between_two_reads_ends_its_line(tmp_path):
    # 648 lines of 101 bytes, then one whose \r is the first read's last byte, its \n the next's
    lines = [b"a" * 99] * 648 + [b"b" * 87, b"c"]
    content = b"\r\n".join(lines) + b"\r\n"
    assert content[65_535:65_537] == b"\r\n"
    for path in _both_forms(tmp_path, content):
        assert [line for _, line in numbered_lines(str(path))] == lines
        assert all(block.plain for _, block in numbered_blocks(str(path)))
