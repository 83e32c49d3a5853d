"""The store's errors: messages are written for the person who ran the command."""


class StoreError(Exception):
    """Base of every error store/ raises on purpose."""


class NotAStoreError(StoreError):
    """The file is not a SQLite database, or not one gaoxin made."""


class StoreLockedError(StoreError):
    """Another process holds the write lock longer than we are willing to wait."""


class CorruptStoreError(StoreError):
    """The file was a store but is damaged (overwritten, truncated): reads fail."""
