"""Which chat deliveries were answered already: the store side of the platforms' retry and replay guard."""

from __future__ import annotations

import time

KEEP_SECONDS = 24 * 3600  # platforms retry for up to 6 h (Feishu); ids are kept well past that


class DeliveryStore:
    """Mixed into Store: one row per (platform, delivery id) seen in the last KEEP_SECONDS."""

    def claim_delivery(self, platform: str, delivery_id: str, keep_seconds: float = KEEP_SECONDS) -> bool:
        """Record a delivery; False when the same id came within `keep_seconds` (a retry or a replay: answer once)."""
        now = time.time()
        with self._write() as db:
            db.execute("DELETE FROM deliveries WHERE received_at < ?", [now - keep_seconds])
            cursor = db.execute(
                "INSERT OR IGNORE INTO deliveries (platform, delivery_id, received_at) VALUES (?, ?, ?)",
                [platform, delivery_id, now],
            )
            return cursor.rowcount == 1

    def deliveries(self, platform: str) -> int:
        """How many deliveries of a platform are remembered (tests read it)."""
        return self.db.execute("SELECT count(*) FROM deliveries WHERE platform = ?", [platform]).fetchone()[0]
