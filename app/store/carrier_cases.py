"""A variant's carriers as a loader knows them: which of a VCF's samples, and how.

A VCF loader finds each variant's carriers as sample positions in numpy arrays, writes them
into the document as ``caseLevelData`` (one shared ``{"biosampleId", "zygosity"}`` entry per
carrier) and ``biosampleIds``, and the embedded store turned those lists back into sample
indexes, checking every entry: 18 µs a variant at 86 carriers, a third of a 500-sample load.
:class:`CarrierCases` is that ``caseLevelData`` list, frozen, that also says where each carrier
sits among the VCF's samples, so a writer that understands it (``sqlite_carriers``) takes the
positions as they are; any other reader sees the plain list it is (MongoDB's driver, JSON,
``==``). Copies and pickles are plain lists.

The positions are not copied per variant: a batch of records shares one
:class:`CarrierBatch`, and each variant keeps where its carriers lie in it (more lists per
variant made the document stream a fifth slower). Its ``biosampleIds`` is a frozen list too
(:class:`CarrierNames`), the one its carrier list names.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, NoReturn


class FrozenList(list):
    """A list no one changes: a loader's documents are read-only, and a writer that trusts
    what one says of its carriers needs them to stay so. Copies and pickles are plain lists."""

    __slots__ = ()

    def _frozen(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a variant's carrier list is read-only (copy it with list())")

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _frozen
    append = extend = insert = pop = remove = clear = sort = reverse = _frozen

    def __reduce_ex__(self, protocol: Any) -> tuple[type, tuple[list[Any]]]:
        return list, (list(self),)

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return copy.deepcopy(list(self), memo)


class CarrierNames(FrozenList):
    """A variant's ``biosampleIds`` as the VCF loader writes them: its carriers' sample names,
    frozen, the list its :class:`CarrierCases` names."""

    __slots__ = ()


class CarrierBatch:
    """The carriers of a batch of records, variant after variant, in entry order: their
    positions among ``samples`` (the VCF's sample names, one tuple per file), and the
    positions of the homozygous and of the hemizygous ones (the others are heterozygous). The
    positions are compact integer arrays (numpy's, as the loader found them): a batch holds
    millions, which as Python lists cost a tenth of the document stream, and 500 MB more peak
    memory for a 20,000-record, 10,000-sample load."""

    __slots__ = ("hemizygous", "homozygous", "positions", "samples")

    def __init__(
        self, samples: tuple[str, ...], positions: Any, homozygous: Any, hemizygous: Any
    ) -> None:
        self.samples = samples
        self.positions = positions
        self.homozygous = homozygous
        self.hemizygous = hemizygous


class CarrierCases(FrozenList):
    """``caseLevelData`` of the plain form for the carriers :attr:`names` (the document's
    ``biosampleIds``, a :class:`CarrierNames`), entries ``begin:end`` of its batch's carriers;
    their homozygous and hemizygous ones are at ``homozygous_at`` and ``hemizygous_at`` of the
    batch's lists of those. A writer takes the positions only for a document whose
    ``biosampleIds`` is still that very list."""

    __slots__ = ("batch", "begin", "end", "hemizygous_at", "homozygous_at", "names")

    def __init__(
        self,
        entries: Sequence[dict[str, Any]],
        names: CarrierNames,
        batch: CarrierBatch,
        span: tuple[int, int],
        homozygous_at: tuple[int, int],
        hemizygous_at: tuple[int, int],
    ) -> None:
        begin, end = span
        if not len(entries) == len(names) == end - begin:
            raise ValueError("one entry and one name per carrier of the batch's span")
        super().__init__(entries)
        self.names = names
        self.batch = batch
        self.begin = begin
        self.end = end
        self.homozygous_at = homozygous_at
        self.hemizygous_at = hemizygous_at

    @property
    def samples(self) -> tuple[str, ...]:
        return self.batch.samples

    @property
    def positions(self) -> list[int]:
        return self.batch.positions[self.begin : self.end].tolist()

    @property
    def homozygous(self) -> list[int]:
        begin, end = self.homozygous_at
        return self.batch.homozygous[begin:end].tolist()

    @property
    def hemizygous(self) -> list[int]:
        begin, end = self.hemizygous_at
        return self.batch.hemizygous[begin:end].tolist()
