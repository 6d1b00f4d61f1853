"""Domain exceptions. Each message says what was wrong and what is allowed.

``serving`` maps these to HTTP responses in one exception handler; the CLI prints them.
"""


class CourtvalError(Exception):
    """Base class of every error courtval raises on purpose."""


class InvalidInputError(CourtvalError, ValueError):
    """An input value is not acceptable; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ModelNotFoundError(CourtvalError):
    """No model version is registered under the requested name and alias."""


class RegistryUnreachableError(ModelNotFoundError):
    """The MLflow tracking store (and registry) cannot be used: no model can be read from it
    and no training run written to it."""


class ModelIntegrityError(CourtvalError):
    """A model bundle failed its checksum or is malformed; it is never unpickled."""


class DataError(CourtvalError):
    """A data file cannot be used; the message names the row and/or column."""


def bilingual(chinese: str, english: str) -> str:
    """One message in both languages, Chinese first (the user's language): ``中文 / English``."""
    return f"{chinese} / {english}"
