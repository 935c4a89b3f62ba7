"""The lines of a plain or bgzipped VCF, numbered from 1, read through htslib's BGZF reader.

pysam's own line iterator stops at the first empty line (it cannot tell one from the end of the
file), so the file is read in blocks and split here: every line is seen, however long.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

import pysam

from loaders.errors import LoadError

_BLOCK_BYTES = 1 << 16  # one BGZF block: a bigger one leaves the CPU cache


def numbered_lines(
    path: str, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[int, bytes]]:
    """Lines numbered from 1 (header included), without their ``\\n`` or ``\\r\\n``.

    ``progress``, when given, is called after each block read with how far into the file the
    reading is, in bytes of the file as stored (compressed bytes for bgzipped input), so a
    progress bar can take the file's size for its total.

    htslib may report a corrupt compressed block only when the file is closed, after the lines
    before it were read; the LoadError raised then stops the load like any bad line. A last
    line without its end-of-line is given only after that, so a line cut short by a corrupt
    block is never taken for one.
    """
    for first, lines in numbered_blocks(path, progress):
        yield from enumerate(lines.lines, first)


class LineBlock(NamedTuple):
    """The whole lines one read gave, and whether they are plain text already.

    ``plain`` lines hold nothing :func:`character_problem` refuses (checked once over the
    block, at memchr speed, rather than line by line); the others must be checked one by one.
    """

    lines: list[bytes]
    plain: bool


def numbered_blocks(
    path: str, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[int, LineBlock]]:
    """The lines of :func:`numbered_lines` in the blocks they were read in, each with the
    number of its first line: a loader handles a block's lines in one loop."""
    number = 0
    try:
        with pysam.BGZFile(path) as handle:
            pieces: list[bytes] = []  # the line being read, when it spans blocks
            while block := handle.read(_BLOCK_BYTES):
                if progress is not None:
                    progress(handle.tell() >> 16)  # the virtual offset's file offset
                lines = block.split(b"\n")
                if len(lines) == 1:
                    pieces.append(block)
                    continue
                joined = bool(pieces)
                if joined:
                    pieces.append(lines[0])
                    lines[0] = b"".join(pieces)
                pieces = [lines.pop()]
                yield number + 1, _block(lines, block, joined)
                number += len(lines)
        last = b"".join(pieces)
        if last:
            yield number + 1, _block([last])
    except OSError as error:
        raise LoadError(
            path,
            f"the file is corrupt or truncated after line {number} ({error})",
            line=number + 1,
        ) from None


def _block(lines: list[bytes], block: bytes | None = None, joined: bool = False) -> LineBlock:
    """Lines without their ``\\r``, and whether they are plain: checked over the ``block``
    they were split from (and on its own the first line, when ``joined`` from pieces of earlier
    blocks), else line by line."""
    if block is not None and b"\r" not in block and not (joined and b"\r" in lines[0]):
        plain = b"\0" not in block and block.isascii()
        return LineBlock(lines, plain and not (joined and character_problem(lines[0])))
    lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    return LineBlock(lines, all(character_problem(line) is None for line in lines))


def character_problem(line: bytes) -> tuple[int, str] | None:
    """The offset and a description of the first byte no VCF line may hold, or None.

    Refused: NUL (C readers such as htslib stop the line there), a carriage return other than
    the line end's (an old Mac line end, or a line break inside a field), and bytes that are not
    UTF-8 (VCF 4.3 text is UTF-8; decoding them with replacement characters would silently
    change identifiers). A clean line, the usual case, is recognised at memchr speed.
    """
    if b"\0" not in line and b"\r" not in line and line.isascii():
        return None
    found = []
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as error:
        found.append((error.start, f"byte 0x{line[error.start]:02x} is not UTF-8 text"))
    for byte, what in ((b"\0", "a NUL byte"), (b"\r", "a carriage return inside the line")):
        at = line.find(byte)
        if at >= 0:
            found.append((at, what))
    return min(found) if found else None
