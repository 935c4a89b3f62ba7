"""marshmallow's nested validation messages, flattened into ``field.path: problem`` lines."""

from __future__ import annotations

from typing import Any


def validation_problems(messages: Any, path: str = "") -> list[str]:
    if isinstance(messages, dict):
        found: list[str] = []
        for key, value in messages.items():
            # a whole-object problem ("_schema") belongs to the object's own path
            name = path if key == "_schema" else (f"{path}.{key}" if path else str(key))
            if value == ["Unknown field."]:
                found.append(f"{name}: unknown field")
            else:
                found.extend(validation_problems(value, name))
        return found
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        text = " ".join(messages)
        return [f"{path}: {text}" if path else text]
    if isinstance(messages, list):
        return [line for item in messages for line in validation_problems(item, path)]
    return [f"{path}: {messages}" if path else str(messages)]
