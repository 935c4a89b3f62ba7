"""ISO 8601 durations (ages, onsets) as a number of days, so they compare and index as numbers."""

from __future__ import annotations

import re

DURATION_KEY = "iso8601duration"  # the Beacon field name holding a duration
DAYS_PER_UNIT = {"Y": 365.25, "M": 30.4375, "W": 7.0, "D": 1.0, "H": 1 / 24, "S": 1 / 86400}
_DURATION = re.compile(
    r"^P(?!$)(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<M>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<D>\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(?P<H>\d+(?:\.\d+)?)H)?(?:(?P<TM>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<S>\d+(?:\.\d+)?)S)?)?$"
)


def duration_days(value: str) -> float | None:
    """Days in an ISO 8601 duration (years and months at their mean length); None if invalid."""
    match = _DURATION.match(value)
    if match is None:
        return None
    parts = match.groupdict()
    minutes = float(parts.pop("TM") or 0)
    days = sum(float(amount) * DAYS_PER_UNIT[unit] for unit, amount in parts.items() if amount)
    return days + minutes / 1440
