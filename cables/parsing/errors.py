"""The parser's one exception type."""

from __future__ import annotations


class ParseError(Exception):
    """Raised when no usable cable can be produced from an input.

    ``str()`` is ``"<path>:<line>: <message>"`` (line is 1-based, 0 when unknown).
    """

    def __init__(self, message: str, *, path: str = "<input>", line: int = 0) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")

    def __reduce__(self):  # picklable across worker processes
        return (_rebuild, (self.message, self.path, self.line))


def _rebuild(message: str, path: str, line: int) -> ParseError:
    return ParseError(message, path=path, line=line)
