"""The five Asian populations the made-up samples belong to; their order indexes every frequency."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Population:
    name: str
    prefix: str  # sample ids are <prefix>0001, <prefix>0002, ...
    country: str  # ISO 3166-1 alpha-2
    size: int


POPULATIONS = (
    Population("Thai", "TH", "TH", 80),
    Population("Japanese", "JP", "JP", 60),
    Population("Korean", "KR", "KR", 50),
    Population("Han Chinese", "CN", "CN", 60),
    Population("Malay", "MY", "MY", 50),
)
