"""How a condition on one entry type becomes a condition on another, through the sample links.

Entry types link through fields one of them holds: a biosample names its individual, a run its
biosample, an analysis its run, a variant its carriers' biosamples (``caseLevelData``). A join
follows the shortest chain of such links; each step is one indexed query for the distinct linked
ids (never one query per document), and the last step becomes a selector on the wanted type.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

INDIVIDUAL, BIOSAMPLE, RUN, ANALYSIS = "individual", "biosample", "run", "analysis"
VARIANT = "genomicVariation"
RECORD_ID = "id"  # the id field of metadata documents


@dataclass(frozen=True)
class Link:
    holder: str  # entry type whose documents hold the field
    field: str  # top-level field holding the other entry type's id(s)
    target: str  # entry type the field points to


# Individuals are reached through their biosamples only: the biosample link is required on
# runs and filled in on analyses by the metadata loader, while ``individualId`` on runs and
# analyses is optional in the model, so a shortcut through it could miss documents.
LINKS: tuple[Link, ...] = (
    Link(BIOSAMPLE, "individualId", INDIVIDUAL),
    Link(RUN, "biosampleId", BIOSAMPLE),
    Link(ANALYSIS, "runId", RUN),
    Link(ANALYSIS, "biosampleId", BIOSAMPLE),
    Link(VARIANT, "biosampleIds", BIOSAMPLE),
)
JOINABLE = frozenset({link.holder for link in LINKS} | {link.target for link in LINKS})


@dataclass(frozen=True)
class Step:
    """Go from documents of ``source`` to documents of ``destination``.

    ``read`` is the field read from the source documents (their distinct values are the ids
    carried over) and ``match`` the field of the destination documents those ids must match.
    """

    source: str
    destination: str
    read: str
    match: str


class UnjoinableError(ValueError):
    """Two entry types with no chain of links between them."""


def join_steps(source: str, destination: str) -> tuple[Step, ...]:
    """The steps from ``source`` to ``destination`` (empty when they are the same type)."""
    if source == destination:
        return ()
    if source not in JOINABLE or destination not in JOINABLE:
        raise UnjoinableError(f"{source} and {destination} are not linked")
    previous: dict[str, tuple[str, Step]] = {}
    queue = deque([source])
    while queue:
        here = queue.popleft()
        for step in _steps_from(here):
            if step.destination in previous or step.destination == source:
                continue
            previous[step.destination] = (here, step)
            queue.append(step.destination)
    if destination not in previous:
        raise UnjoinableError(f"{source} and {destination} are not linked")
    steps = []
    node = destination
    while node != source:
        node, step = previous[node]
        steps.append(step)
    return tuple(reversed(steps))


def _steps_from(entry: str) -> list[Step]:
    steps = []
    for link in LINKS:
        if link.holder == entry:
            steps.append(Step(entry, link.target, read=link.field, match=RECORD_ID))
        elif link.target == entry:
            steps.append(Step(entry, link.holder, read=RECORD_ID, match=link.field))
    return steps
