"""Wildcard patterns as regular expressions, without Flask or a database: what they match
(against a matcher written here from the definition), the bound on ``%``, and that matching
stays linear in the text on both engines the stores use (Python's ``re``, PCRE)."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import time
from functools import cache

import pytest

from app.query.wildcards import MAX_WILDCARDS, WildcardPatternError, wildcard_regex


def like_matches(pattern: str, text: str, escape: str | None = None) -> bool:
    """SQL LIKE from its definition (``%`` any run, ``_`` any one character), by dynamic
    programming over (pattern position, text position): the truth the regexes are held to."""
    tokens: list[tuple[str, str | None]] = []  # ("any run" | "one" | "literal", character)
    characters = iter(pattern)
    for character in characters:
        if character == escape:
            tokens.append(("literal", next(characters)))
        elif character == "%":
            tokens.append(("any run", None))
        elif character == "_":
            tokens.append(("one", None))
        else:
            tokens.append(("literal", character))

    @cache
    def rest_matches(token: int, position: int) -> bool:
        if token == len(tokens):
            return position == len(text)
        kind, character = tokens[token]
        if kind == "any run":
            return any(rest_matches(token + 1, p) for p in range(position, len(text) + 1))
        if position == len(text):
            return False
        if kind == "one" or text[position] == character:
            return rest_matches(token + 1, position + 1)
        return False

    return rest_matches(0, 0)


def regex_matches(pattern: str, text: str, escape: str | None = None) -> bool:
    return re.search(wildcard_regex(pattern, any_character="_", escape=escape), text) is not None


PATTERNS = ["", "%", "%%", "a", "a%", "%a", "%a%", "a%b", "a_b", "%a%b%", "_%_", "a%%b", "%ab%a"]
TEXTS = ["", "a", "b", "ab", "ba", "aab", "abab", "a\nb", "abba", "bab", "a.b", "aaa"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_patterns_match_what_like_means(pattern):
    for text in TEXTS:
        assert regex_matches(pattern, text) == like_matches(pattern, text), (pattern, text)


def test_every_short_pattern_over_a_small_alphabet_matches_what_like_means():
    texts = [
        "".join(letters) for size in range(6) for letters in itertools.product("ab", repeat=size)
    ]
    for size in range(1, 6):
        for letters in itertools.product("ab%_", repeat=size):
            pattern = "".join(letters)
            for text in texts:
                assert regex_matches(pattern, text) == like_matches(pattern, text), (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "escape", "matching", "not_matching"),
    [
        ("50!%", "!", ["50%"], ["500", "50%x"]),
        ("a!_b!!", "!", ["a_b!"], ["axb!"]),
        ("%!%", "!", ["100%", "%", "a%b%"], ["100", "a%b"]),
        ("(x+)$[.*", None, ["(x+)$[.*"], ["xx", "(x+)$[a"]),
        ("a\\b%", None, ["a\\b", "a\\bc"], ["ab"]),
    ],
)
def test_escapes_and_special_characters_are_literal(pattern, escape, matching, not_matching):
    for text in matching:
        assert regex_matches(pattern, text, escape) and like_matches(pattern, text, escape)
    for text in not_matching:
        assert not regex_matches(pattern, text, escape)
        assert not like_matches(pattern, text, escape)


def test_without_an_any_character_wildcard_an_underscore_is_literal():
    regex = re.compile(wildcard_regex("a_b%"))
    assert regex.search("a_bc") and not regex.search("axbc")


def test_a_trailing_percent_leaves_a_literal_prefix_without_end_anchor():
    assert wildcard_regex("BRCA%") == "^BRCA"
    assert wildcard_regex("BRCA") == r"^BRCA(?![\s\S])"


def test_the_number_of_percent_wildcards_is_bounded():
    assert re.search(wildcard_regex("%" * MAX_WILDCARDS + "x"), "abcx")
    with pytest.raises(WildcardPatternError, match=f"at most {MAX_WILDCARDS} % wildcards"):
        wildcard_regex("%" * (MAX_WILDCARDS + 1) + "x")
    # escaped ones are not wildcards
    assert wildcard_regex("!%" * (MAX_WILDCARDS + 1), escape="!")


def test_a_pattern_ending_with_its_escape_character_is_refused():
    with pytest.raises(WildcardPatternError, match="ends with its escape character"):
        wildcard_regex("50!", escape="!")


# The worst cases: every wildcard can stop at almost every character, and the match fails only
# at the end, so a backtracking translation tries every split of the text.
PATHOLOGICAL = ["%" * MAX_WILDCARDS + "QQ", "%a" * (MAX_WILDCARDS - 1) + "%QQ"]


def _pathological_text(size: int) -> str:
    return "QQ" + "a" * size + "Qx"


@pytest.mark.parametrize("pattern", PATHOLOGICAL)
def test_pcre_matches_a_pathological_pattern_within_its_backtracking_limit(pattern):
    """MongoDB runs $regex in PCRE. GNU grep -P runs the same library, which stops a match
    after a bounded number of backtracking steps (10 million by default): within it, the
    match's steps are bounded whatever the pattern."""
    if (
        shutil.which("grep") is None
        or subprocess.run(["grep", "-qP", "x"], input="x", text=True).returncode
    ):
        pytest.skip("no grep with PCRE (-P)")
    regex = wildcard_regex(pattern)
    for text, expected in [(_pathological_text(20_000), "0"), ("a" * 8 + "QQ", "1")]:
        found = subprocess.run(
            ["grep", "-czP", regex], input=text, capture_output=True, text=True, check=False
        )
        assert found.stderr == "" and found.stdout.strip() == expected, found.stderr


@pytest.mark.parametrize("pattern", PATHOLOGICAL)
def test_pythons_re_matches_a_pathological_pattern_in_time_linear_in_the_text(pattern):
    """The embedded store runs $regex in Python's ``re``. Eight times the text costs about
    eight times the time, not 64 (quadratic) or more: the best of five runs at each size, so
    that a busy machine does not decide."""
    regex = re.compile(wildcard_regex(pattern), re.IGNORECASE)

    def seconds(size: int) -> float:
        text = _pathological_text(size)
        runs = []
        for _ in range(5):
            began = time.perf_counter()
            for _ in range(20):
                assert regex.search(text) is None
            runs.append(time.perf_counter() - began)
        return min(runs)

    small, large = seconds(2_000), seconds(16_000)
    assert large / small < 24, (small, large)
