"""Text patterns with wildcards, a Beacon filter's ``%`` and SQL LIKE's ``%`` and ``_``, as
regular expressions whose matching time grows linearly with the text, whatever the pattern.

Writing each ``%`` as ``.*`` lets a backtracking engine (Python's ``re`` in the embedded store,
PCRE in MongoDB) try every way of splitting the text between the wildcards: with k of them
over n characters, about n**k tries, so a dozen ``%`` in one request kept a worker busy for
minutes. Here the literal run after each ``%`` goes in an atomic group with the wildcard,
``(?>[\\s\\S]*?run)``: the run is found at its first place after the previous one, and that
choice is never reconsidered. Taking the first place is always right, since whatever the rest
of the pattern could match after a later place it can also match after an earlier one. Both
engines know atomic groups (Python from 3.11). The number of ``%`` is bounded all the same
(:data:`MAX_WILDCARDS`), so that the work per text stays small.
"""

from __future__ import annotations

ANY_SEQUENCE = "%"
MAX_WILDCARDS = 8  # of ANY_SEQUENCE in one pattern
_ANY_CHARACTER = r"[\s\S]"  # unlike ".", also a newline
_END = r"(?![\s\S])"  # end of text; "$" would also match before a final newline
_REGEX_SPECIAL = frozenset("\\.^$|?*+()[]{}")


class WildcardPatternError(ValueError):
    """A pattern this server does not run; the message says why."""


def wildcard_regex(
    pattern: str, *, any_character: str | None = None, escape: str | None = None
) -> str:
    """An anchored, case-sensitive regular expression for Python's ``re`` and PCRE matching the
    texts ``pattern`` matches: ``%`` any run of characters (newlines too), ``any_character``
    (LIKE's ``_``) any one, ``escape`` makes the next character literal.

    A pattern ending in ``%`` has no end anchor: its regex starts with the literal prefix,
    which MongoDB answers from an index. Raises WildcardPatternError beyond
    :data:`MAX_WILDCARDS` ``%`` or when the pattern ends with ``escape``.
    """
    runs = _literal_runs(pattern, any_character, escape)
    if len(runs) == 1:
        return "^" + runs[0] + _END
    first, *middle, last = runs
    searched = [f"(?>{_ANY_CHARACTER}*?{run})" for run in middle if run]
    if last:
        searched.append(f"(?>{_ANY_CHARACTER}*?{last}{_END})")
    return "^" + first + "".join(searched)


def _literal_runs(pattern: str, any_character: str | None, escape: str | None) -> list[str]:
    """The regex of each stretch of ``pattern`` between two ``%``, in order (empty ones too)."""
    wildcards = 0
    runs: list[str] = []
    current: list[str] = []
    characters = iter(pattern)
    for character in characters:
        if character == escape:
            following = next(characters, None)
            if following is None:
                raise WildcardPatternError("the pattern ends with its escape character")
            current.append(_literal(following))
        elif character == ANY_SEQUENCE:
            wildcards += 1
            runs.append("".join(current))
            current = []
        elif character == any_character:
            current.append(_ANY_CHARACTER)
        else:
            current.append(_literal(character))
    if wildcards > MAX_WILDCARDS:
        raise WildcardPatternError(
            f"a pattern may hold at most {MAX_WILDCARDS} % wildcards; this one holds {wildcards}"
        )
    runs.append("".join(current))
    return runs


def _literal(character: str) -> str:
    return "\\" + character if character in _REGEX_SPECIAL else character
