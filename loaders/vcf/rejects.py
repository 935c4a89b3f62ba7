"""The records a VCF load skips (``skip_invalid``): written down with their problem, counted,
and held to a limit.

The rejects file is text, two lines per rejected record in file order: the problem as
``FILE:LINE:FIELD: problem``, then the data line exactly as it was read (its bytes unchanged,
so a NUL or a byte that is not UTF-8 stays visible). It is named ``<name>.rejects.txt``, the
VCF's name less ``.vcf`` and a compression suffix, by the rules every loader's rejects follow
(``loaders.rejects``), and is written only when a record is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

from loaders.errors import LoadError
from loaders.rejects import rejects_path, writing_rejects

REJECTS_EXTENSION = ".txt"
_VCF_SUFFIXES = re.compile(r"(\.vcf)?(\.b?gz|\.bgzf)?$", re.IGNORECASE)
_COUNT = re.compile(r"[0-9]+")
_PERCENTAGE = re.compile(r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)%")


def vcf_rejects_path(vcf: str | Path, directory: str | Path | None = None) -> Path:
    """``cohort.vcf.gz`` -> ``cohort.rejects.txt``, beside the VCF or in ``directory``."""
    source = Path(vcf)
    stem = _VCF_SUFFIXES.sub("", source.name) or source.name
    return rejects_path(
        source, stem, REJECTS_EXTENSION, Path(directory) if directory is not None else None
    )


@dataclass(frozen=True)
class RejectLimit:
    """How many rejected records a load accepts: a count, or a percentage of the records read.

    Beyond it the load is refused.
    """

    count: int | None = None
    percent: Fraction | None = None

    @classmethod
    def parse(cls, text: str) -> RejectLimit:
        """``10`` (records) or ``5%`` / ``0.5%`` (of the records read); ValueError otherwise."""
        text = text.strip()
        if _COUNT.fullmatch(text):
            return cls(count=int(text))
        match = _PERCENTAGE.fullmatch(text)
        if match and Fraction(match.group(1)) <= 100:
            return cls(percent=Fraction(match.group(1)))
        raise ValueError(
            f"{text!r} is neither a count of records (10) nor a percentage from 0% to 100% (5%)"
        )

    def allows(self, rejected: int, records: int) -> bool:
        if self.count is not None:
            return rejected <= self.count
        assert self.percent is not None
        return rejected * 100 <= self.percent * records  # exact: no rounding at the edge

    def __str__(self) -> str:
        if self.count is not None:
            return str(self.count)
        return f"{float(self.percent):g}%"  # type: ignore[arg-type]


class TooManyRejectedError(LoadError):
    """More records were rejected than the load's :class:`RejectLimit` accepts."""


class RejectedRecords:
    """The rejected records of one load, written to its rejects file in line order.

    Rejections arrive out of order within a batch of lines (a bad POS when the line is parsed,
    a bad GT when the batch's genotypes are counted), so they are held until ``flush``, which
    the loader calls after each batch: what is held stays within one batch.
    """

    def __init__(self, vcf: str, directory: str | Path | None = None) -> None:
        self.path = vcf_rejects_path(vcf, directory)
        self.count = 0
        self._held: list[tuple[int, str, bytes]] = []
        self._handle: BinaryIO | None = None

    @property
    def held(self) -> int:
        """Rejected records not written yet."""
        return len(self._held)

    def reject(self, problem: LoadError, line: bytes) -> None:
        self.count += 1
        self._held.append((problem.line or 0, str(problem), line))

    def flush(self) -> None:
        if not self._held:
            return
        self._held.sort(key=lambda held: held[0])
        with writing_rejects(self.path, "records"):
            if self._handle is None:
                self._handle = self.path.open("wb")
            self._handle.writelines(
                problem.encode(errors="backslashreplace") + b"\n" + line + b"\n"
                for _, problem, line in self._held
            )
        self._held = []

    def close(self) -> None:
        """Write what is held and close the file (if any record was rejected)."""
        self.flush()
        if self._handle is not None:
            with writing_rejects(self.path, "records"):
                self._handle.close()
            self._handle = None
