"""One error root for everything a user can cause; the CLI turns it into exit code 2."""


class KfpolicyError(Exception):
    """An error caused by input, configuration or the catalogue (not a bug)."""


class CatalogueError(KfpolicyError):
    """The rule catalogue is invalid; the message names the file and the field."""


class InputError(KfpolicyError):
    """A file or document given to the CLI cannot be read; the message names it."""


class EngineError(KfpolicyError):
    """A policy engine failed to load or evaluate the generated Rego."""
