"""A request's JSON body, read one way by every endpoint that takes one (the Beacon POST
queries, Data Connect's search), so that each refuses the same bodies with a 400.

A body over ``MAX_CONTENT_LENGTH`` never gets here: Werkzeug refuses it with 413 as soon as it
is read (``app.errors``). Python's JSON parser recurses once per level of nesting, so a body of
a few thousand ``[`` ends in a RecursionError, which would be a 500; and a body parsed at a
depth just below the interpreter's limit would hit it in the code that reads it next. Hence a
depth bound far above what any query needs and far below that limit.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Request

from app.errors import BadRequestError

MAX_DEPTH = 32  # objects and arrays inside one another; a Beacon request body needs 5
NOT_JSON = "the request body is not valid JSON"
TOO_DEEP = f"the request body is nested more than {MAX_DEPTH} levels deep"


def json_body(http_request: Request, default: Any = None) -> Any:
    """The body parsed as JSON whatever its Content-Type, or ``default`` when it is empty.
    Raises BadRequestError for a body that is not JSON or is nested deeper than
    :data:`MAX_DEPTH`."""
    data = http_request.get_data()
    if not data:
        return default
    try:
        body = json.loads(data)
    except RecursionError:
        raise BadRequestError(TOO_DEEP) from None
    except ValueError:  # UnicodeDecodeError too
        raise BadRequestError(NOT_JSON) from None
    if nested_deeper_than(body, MAX_DEPTH):
        raise BadRequestError(TOO_DEEP)
    return body


def nested_deeper_than(value: Any, depth: int) -> bool:
    """Whether ``value`` holds objects or arrays more than ``depth`` levels inside one another
    (a top-level object is one level); without recursion, so any depth can be measured."""
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            inner = item.values()
        elif isinstance(item, list):
            inner = item
        else:
            continue
        if level > depth:
            return True
        pending.extend((child, level + 1) for child in inner)
    return False
