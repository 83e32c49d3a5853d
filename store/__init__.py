"""The SQLite store: schema, migrations, and every SQL statement. Imports neither bot nor annotate."""

from .db import Counts, Fact, IngestResult, MetricKey, NewArticle, NewDocument, NewFact, Store
from .errors import NotAStoreError, StoreError, StoreLockedError

__all__ = [
    "Counts", "Fact", "IngestResult", "MetricKey", "NewArticle", "NewDocument", "NewFact", "Store",
    "NotAStoreError", "StoreError", "StoreLockedError",
]  # fmt: skip
