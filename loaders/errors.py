"""The one exception every loader raises for a problem in its input."""

from __future__ import annotations

from collections.abc import Sequence


class LoadError(Exception):
    """A loader input problem; ``str()`` is ``FILE:LINE:FIELD: message``.

    The line is omitted when the problem is not bound to one line (a missing file, a broken
    header), and the field when no single field is at fault, so a data steward can jump straight
    to the offending spot with any editor.
    """

    def __init__(
        self, path: str, message: str, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = str(path)
        self.message = message
        self.line = line
        self.field = field
        super().__init__(self.path, message, line, field)

    def __str__(self) -> str:
        where = [self.path]
        if self.line is not None:
            where.append(str(self.line))
        if self.field is not None:
            where.append(self.field)
        return f"{':'.join(where)}: {self.message}"


class CombinedLoadError(LoadError):
    """Several problems reported together; ``str()`` gives one ``FILE:LINE:FIELD: message``
    a line, and the error itself stands for the first."""

    def __init__(self, problems: Sequence[LoadError]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        super().__init__(first.path, first.message, first.line, first.field)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)
