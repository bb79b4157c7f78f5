"""The one exception family of hipflex.

Every problem with a user's input surfaces as :class:`DataError` (or a subclass) whose
message names the file, the row and the column, and says what would have been accepted.
The command line turns it into one line on stderr and a non-zero exit code.
"""

from __future__ import annotations


class DataError(ValueError):
    """Malformed or unreadable input.

    Parameters
    ----------
    message
        What is wrong and, where useful, what would be accepted.
    file, row, column
        Where it is. ``row`` is the row number a coach sees in a spreadsheet (the header is
        row 1, the first data row is row 2).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        text = " ".join(str(self.message).split())  # always one line
        return f"{prefix}: {text}" if prefix else text


class DataWarning(UserWarning):
    """Something a coach should know but need not fix (an unmapped exercise, a skipped sheet)."""
