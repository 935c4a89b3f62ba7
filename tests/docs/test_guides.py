"""The guides in docs/guides stay true to the code.

Every `curl` command of the researcher guide that targets the demo URL is run against the demo
application (its own data and configuration) through the Flask test client. It must answer with
the status the guide states (200 unless a comment line just above the command says ``HTTP
4xx``). A Beacon query must answer ``exists: true`` unless that comment says ``exists: false``,
and it must validate against the official Beacon v2 schema for its endpoint and returned
granularity. A Data Connect answer must have rows, and every row must fit the answer's own
``data_model``. Examples that send ``$TOKEN`` are skipped: the demo trusts no token issuer.

Every relative link in the four guides must lead to an existing file and, for a Markdown file,
to an existing heading.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from beacon_schemas import validate_framework
from jsonschema import Draft7Validator
from markdown_links import FENCE, broken_links, headings

from app import create_app
from app.store import Store
from loaders.demo.load import DEMO_CONFIG

REPO_ROOT = Path(__file__).resolve().parents[2]
GUIDES = REPO_ROOT / "docs" / "guides"
GUIDE_FILES = ("steward.md", "researcher.md", "operator.md", "sharing-across-borders.md")
DEMO_URL = "http://127.0.0.1:5050"
TOKEN_PLACEHOLDER = "$TOKEN"

EXPECTED_STATUS = re.compile(r"\bHTTP (\d{3})\b")
NO_MATCH = "exists: false"

ENTRY_RESPONSE_SCHEMA = {
    "boolean": "responses/beaconBooleanResponse.json",
    "count": "responses/beaconCountResponse.json",
    "record": "responses/beaconResultsetsResponse.json",
}
INFORMATIONAL_SCHEMA = {
    "": "responses/beaconInfoResponse.json",
    "info": "responses/beaconInfoResponse.json",
    "service-info": "responses/ga4gh-service-info-1-0-0-schema.json",
    "configuration": "responses/beaconConfigurationResponse.json",
    "map": "responses/beaconMapResponse.json",
    "entry_types": "responses/beaconEntryTypesResponse.json",
}
COLLECTIONS = ("datasets", "cohorts")


@dataclass(frozen=True)
class CurlExample:
    """One `curl` command of a guide, as the test client will send it."""

    line: int
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    status: int = 200
    exists: bool = True

    @property
    def path(self) -> str:
        """Path and query string, for the test client."""
        parts = urlsplit(self.url)
        return f"{parts.path}?{parts.query}" if parts.query else parts.path

    @property
    def needs_token(self) -> bool:
        return any(TOKEN_PLACEHOLDER in value for value in self.headers.values())


def code_blocks(markdown: str) -> Iterator[tuple[int, list[str]]]:
    """Each fenced code block: the line number of its first line and its lines."""
    lines = markdown.splitlines()
    inside, start, block = False, 0, []
    for number, line in enumerate(lines, start=1):
        if FENCE.match(line):
            if inside:
                yield start, block
            inside, start, block = not inside, number + 1, []
        elif inside:
            block.append(line)


def curl_examples(markdown: str) -> list[CurlExample]:
    """The `curl` commands of every code block, each with the expectations its comment states."""
    examples = []
    for first_line, lines in code_blocks(markdown):
        comments: list[str] = []
        command: list[str] = []
        start = 0
        for offset, raw in enumerate(lines):
            line = raw.strip()
            if command:
                command.append(raw)
            elif line.startswith("curl "):
                command, start = [raw], first_line + offset
            else:
                comments = [*comments, line] if line.startswith("#") else []
                continue
            text = "\n".join(command)
            if _complete(text):
                examples.append(_example(start, text, comments))
                command, comments = [], []
    return examples


def _complete(text: str) -> bool:
    """Whether a command's lines end it: no continuation backslash and no open quote."""
    if text.rstrip().endswith("\\"):
        return False
    try:
        shlex.split(_joined(text))
    except ValueError:
        return False
    return True


def _joined(text: str) -> str:
    return re.sub(r"\\\n", " ", text)


def _example(line: int, text: str, comments: list[str]) -> CurlExample:
    tokens = shlex.split(_joined(text))
    if "|" in tokens:
        tokens = tokens[: tokens.index("|")]
    method, url, body, headers = None, "", None, {}
    options = iter(tokens[1:])
    for token in options:
        if token in ("-X", "--request"):
            method = next(options)
        elif token in ("-H", "--header"):
            name, _, value = next(options).partition(":")
            headers[name.strip()] = value.strip()
        elif token in ("-d", "--data", "--data-raw"):
            body = next(options)
        elif token in ("-s", "--silent", "-i", "--include"):
            continue
        elif token.startswith(("http://", "https://")):
            url = token
        else:
            raise ValueError(f"line {line}: curl option {token!r} is not understood by this test")
    stated = " ".join(comments)
    status = EXPECTED_STATUS.search(stated)
    return CurlExample(
        line=line,
        method=method or ("POST" if body is not None else "GET"),
        url=url,
        headers=headers,
        body=body,
        status=int(status.group(1)) if status else 200,
        exists=NO_MATCH not in stated,
    )


def researcher_examples() -> list[CurlExample]:
    text = (GUIDES / "researcher.md").read_text(encoding="utf-8")
    return [example for example in curl_examples(text) if example.url.startswith(DEMO_URL)]


EXAMPLES = researcher_examples()


@pytest.fixture(scope="module")
def demo_client(demo_store: Store):
    return create_app(DEMO_CONFIG, store=demo_store).test_client()


def test_the_researcher_guide_has_examples_of_every_kind():
    methods = {example.method for example in EXAMPLES}
    paths = " ".join(example.url for example in EXAMPLES)
    assert len(EXAMPLES) >= 30 and methods == {"GET", "POST"}
    for wanted in ("/g_variants?", "/individuals?", "/data-connect/search", "page_token="):
        assert wanted in paths


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"line{e.line}" for e in EXAMPLES])
def test_researcher_guide_example_answers_as_described(demo_client, example: CurlExample):
    if example.needs_token:
        pytest.skip(f"line {example.line} sends {TOKEN_PLACEHOLDER}; the demo accepts no token")
    headers = {name: value for name, value in example.headers.items() if name != "Content-Type"}
    response = demo_client.open(
        example.path,
        method=example.method,
        data=example.body,
        content_type=example.headers.get("Content-Type"),
        headers=headers,
        # one client address per example, so no example spends another's query budget
        environ_base={"REMOTE_ADDR": f"10.77.{example.line // 250}.{example.line % 250 + 1}"},
    )
    assert response.status_code == example.status, (example.line, response.get_data(as_text=True))
    answer = response.get_json()
    if urlsplit(example.url).path.startswith("/data-connect"):
        _check_data_connect(example, answer)
    else:
        _check_beacon(example, answer)


def _check_beacon(example: CurlExample, answer: dict[str, Any]) -> None:
    segments = urlsplit(example.url).path.strip("/").split("/")
    validate_framework(answer, _beacon_schema(segments, answer))
    if "responseSummary" in answer:
        assert answer["responseSummary"]["exists"] is example.exists, example.line


def _beacon_schema(segments: list[str], answer: dict[str, Any]) -> str:
    """The official schema of a Beacon answer: by endpoint, then by returned granularity."""
    if "error" in answer:
        return "responses/beaconErrorResponse.json"
    if segments[-1] == "filtering_terms":
        return "responses/beaconFilteringTermsResponse.json"
    if len(segments) == 1 and segments[0] in INFORMATIONAL_SCHEMA:
        return INFORMATIONAL_SCHEMA[segments[0]]
    granularity = answer["meta"]["returnedGranularity"]
    if segments[0] in COLLECTIONS and len(segments) <= 2 and granularity == "record":
        return "responses/beaconCollectionsResponse.json"
    return ENTRY_RESPONSE_SCHEMA[granularity]


def _check_data_connect(example: CurlExample, answer: dict[str, Any]) -> None:
    if "tables" in answer:
        assert answer["tables"], example.line
        for table in answer["tables"]:
            Draft7Validator.check_schema(table["data_model"])
        return
    if "data" not in answer:  # one table's info
        Draft7Validator.check_schema(answer["data_model"])
        return
    assert answer["data"], f"line {example.line}: no rows"
    validator = Draft7Validator(answer["data_model"])
    for row in answer["data"]:
        errors = [error.message for error in validator.iter_errors(row)]
        assert not errors, (example.line, row, errors)


@pytest.mark.parametrize("guide", GUIDE_FILES)
def test_relative_links_of_the_guide_lead_somewhere(guide: str):
    broken = broken_links(GUIDES / guide)
    assert not broken, f"{guide}: " + "; ".join(broken)


def test_curl_examples_are_read_with_their_expectations():
    guide = """
```bash
# HTTP 400: refused
curl -X POST 'http://127.0.0.1:5050/g_variants' -H 'Content-Type: application/json' \\
  -d '{"query":
       {"requestedGranularity": "count"}}'
# exists: false
curl 'http://127.0.0.1:5050/individuals?filters=HP:0000822' | head
curl -H "Authorization: Bearer $TOKEN" 'http://127.0.0.1:5050/info'
```
"""
    first, second, third = curl_examples(guide)
    assert (first.method, first.path, first.status) == ("POST", "/g_variants", 400)
    assert first.body == '{"query":\n       {"requestedGranularity": "count"}}'
    assert (second.method, second.status, second.exists) == ("GET", 200, False)
    assert second.path == "/individuals?filters=HP:0000822"
    assert third.needs_token and third.exists


def test_anchors_follow_github_rules():
    text = "# The POST form\n```bash\n# not a heading\n```\n## Data Connect: SQL\n## SQL\n## SQL\n"
    assert headings(text) == {"the-post-form", "data-connect-sql", "sql", "sql-1"}
