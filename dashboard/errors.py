"""The one error type the core raises for anything a user can fix."""

from __future__ import annotations


class SoftmaxLabError(ValueError):
    """A problem with the user's input, told in plain words.

    Parameters
    ----------
    message : str
        What is wrong, in a sentence a non-programmer understands.
    where : str, optional
        Where it is wrong: a column, a row, a line, a setting.
    hint : str, optional
        What to do about it.

    Examples
    --------
    >>> err = SoftmaxLabError("This column has no values", where="column 'age'",
    ...                       hint="Pick another column.")
    >>> str(err)
    "This column has no values (column 'age'). Pick another column."
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = self.message.rstrip(".")
        if self.where:
            text += f" ({self.where})"
        text += "."
        if self.hint:
            text += " " + self.hint
        return text
