"""The annotate package's errors: each carries a message written for the person at the keyboard."""


class AnnotateError(Exception):
    """Base of every error annotate/ raises on purpose."""


class InputError(AnnotateError):
    """An article file that cannot be read as text (missing, empty, binary, huge, undecodable)."""


class GoldError(AnnotateError):
    """A gold file that cannot be read or does not match its documents."""
