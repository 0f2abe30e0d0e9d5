"""The one exception family: everything the library refuses ends here, with what and where."""

from __future__ import annotations


class DiffCompareError(Exception):
    """Base of every error the library raises on purpose.

    `kind` is a short stable word (``parse``, ``limit``, ...) that batch results and grading
    feedback carry, so a program can sort failures without parsing messages.
    """

    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParseError(DiffCompareError):
    """Text that is not an expression of the language; points at the column."""

    kind = "parse"

    def __init__(self, message: str, text: str = "", column: int | None = None) -> None:
        self.text = text
        self.column = column  # 1-based, None when the whole text is at fault
        self.reason = message
        super().__init__(self._render(message))

    def _render(self, message: str) -> str:
        if self.column is None or not self.text or len(self.text) > 200 or "\n" in self.text:
            where = f" at column {self.column}" if self.column is not None else ""
            return f"{message}{where}"
        caret = " " * (self.column - 1) + "^"
        return f"{message} at column {self.column}\n  {self.text}\n  {caret}"


class LimitError(DiffCompareError):
    """The input is well formed but too large to compute in bounded time and memory."""

    kind = "limit"


class InputError(DiffCompareError):
    """A point, option or argument that cannot be used (unknown variable, nan, bad number)."""

    kind = "input"


class MissingValueError(InputError):
    """A variable of the expression that the point gives no value. Its own class so that
    each front door can say how to give one (``--at y=...`` on the command line)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"variable '{name}' has no value")


class DomainError(DiffCompareError):
    """Nothing can be computed at the point: every engine found it undefined."""

    kind = "domain"


class SymbolicError(DiffCompareError):
    """sympy failed on a formula with an error of its own: not a refusal of the input, but
    nothing exact can be computed without it."""

    kind = "symbolic"


class TimeLimitError(DiffCompareError):
    """Work that ran past its time budget."""

    kind = "timeout"


class TapeError(DiffCompareError):
    """Misuse of `diffcompare.tape`. Each concrete kind is also the builtin exception that
    TensorFlow users expect there (TypeError, ValueError, RuntimeError, IndexError)."""

    kind = "tape"


class TapeTypeError(TapeError, TypeError):
    pass


class TapeValueError(TapeError, ValueError):
    pass


class TapeUsageError(TapeError, RuntimeError):
    pass


class TapeIndexError(TapeError, IndexError):
    pass
