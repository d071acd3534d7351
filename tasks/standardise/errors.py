"""The one error that rejects a whole file, as opposed to row issues that only hold rows back."""


class InputError(ValueError):
    """A file that cannot be trusted at all.

    The message names the file, sheet, row and column where they are known.
    """
