"""The SQLite store: schema, migrations, and every SQL statement. Imports neither bot nor annotate."""

from .db import (
    Counts,
    Fact,
    IndicatorRow,
    IngestResult,
    MetricKey,
    NewArticle,
    NewDocument,
    NewFact,
    Store,
    UncodedFact,
)  # fmt: skip
from .errors import CorruptStoreError, NotAStoreError, StoreError, StoreLockedError

__all__ = [
    "Counts", "Fact", "IndicatorRow", "IngestResult", "MetricKey", "NewArticle", "NewDocument", "NewFact", "Store",
    "UncodedFact",
    "CorruptStoreError", "NotAStoreError", "StoreError", "StoreLockedError",
]  # fmt: skip
