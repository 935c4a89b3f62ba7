"""The one exception every loader raises for a problem in its input."""

from __future__ import annotations


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
