"""The annotation loop's side of the store: Label Studio tasks, annotations, reviews, and what they do to facts.

Every annotation's decisions are kept (fact_reviews). A fact's state is settled from them: the
most recent submission wins, a deleted annotation no longer counts, and with no review left the
fact is a candidate again with its extracted fields. Every change writes fact_history.

An annotation may also give the zone (and date) of the article its task belongs to (article_reviews). The latest
live one is the article's zone: every fact that inherited its zone from the article takes it, unless a person gave
that fact a zone of its own; facts whose sentence names their zone keep it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

EDITABLE = ("metric", "value", "unit", "qualifier", "period", "kind", "zone", "entity", "indicator")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def label_studio_time(value: str) -> str:
    """Label Studio's `updated_at` in one spelling (UTC, microseconds), so that two times compare as text.

    Webhooks carry `2026-01-01T10:00:00.123456Z`, a pull through the SDK a datetime; text that is no
    time at all is kept as it is.
    """
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if moment.tzinfo is None:  # Label Studio keeps UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Review:
    """One annotation's decision about one fact (fact_id None: a fact the annotator added)."""

    fact_id: int | None
    action: str  # verified | corrected | rejected | added
    fields: dict


@dataclass(frozen=True, slots=True)
class ArticleReview:
    """What one annotation says about the article of its task: its zone and the page's date (None: as found)."""

    doc: str
    article_idx: int
    title: str
    zone: str | None = None
    published: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleZone:
    """An article's zone and date as they stand: as ingest found them, or as an annotator corrected them."""

    doc: str
    idx: int
    title: str
    start: int
    end: int
    zone: str | None  # corrected, else found
    found_zone: str | None  # what ingest found (articles.zone)
    zone_source: str | None  # where ingest found it (annotate/page.py)
    zone_confidence: float | None
    published: str | None  # corrected, else the page's metadata
    found_published: str | None  # the page's metadata (once the file is read with a corrected date: that date)
    source: str | None  # the page's publisher, else its address
    corrected_by: str | None = None  # "annotator:<who>" when the zone is an annotator's
    published_corrected: bool = False  # the date is an annotator's


@dataclass(frozen=True, slots=True)
class _Fix:
    zone: str
    actor: str


@dataclass(frozen=True, slots=True)
class TaskRecord:
    task_id: int
    project_id: int
    doc: str
    passage_start: int
    passage_end: int
    fact_ids: tuple[int, ...]
    prediction_hash: str


@dataclass(frozen=True, slots=True)
class ApplyResult:
    outcome: str  # applied | unchanged | stale (an older version of an annotation already applied)
    changed_facts: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewStatus:
    tasks: int
    annotated_tasks: int
    annotations: int
    candidate: int
    verified: int
    rejected: int
    disagreements: tuple[tuple[int, str], ...]  # (fact id, what the annotators said)
    refusals: int


class ReviewStore:
    """Mixed into Store; uses its `db`, `_write` and `_history`."""

    # ── documents and tasks ──────────────────────────────────────────────────────────────────
    def document_texts(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT name, text FROM documents WHERE text IS NOT NULL ORDER BY name").fetchall())

    def document_pages(self) -> dict[str, tuple[str | None, str | None]]:
        """Each document's metadata zone and publication date (what its articles are read with)."""
        rows = self.db.execute("SELECT name, meta_zone, published FROM documents ORDER BY name").fetchall()
        return {name: (zone, published) for name, zone, published in rows}

    def articles_of(self, doc: str) -> list[ArticleZone]:
        """A document's articles with their zone and date as they stand (an annotator's correction wins)."""
        rows = self.db.execute(
            """SELECT a.idx, a.title, a.start, a."end", a.zone, a.zone_source, a.zone_confidence, d.id, d.published,
                      coalesce(d.publisher, d.url)
               FROM articles a JOIN documents d ON d.id = a.document_id WHERE d.name = ? ORDER BY a.idx""",
            [doc],
        ).fetchall()
        out = []
        for idx, title, start, end, zone, found_in, confidence, doc_id, published, source in rows:
            fix = self._article_corrections(doc_id).get(idx)
            date = self._corrected_published(doc_id)
            out.append(
                ArticleZone(doc, idx, title, start, end, fix.zone if fix else zone, zone, found_in, confidence,
                            date or published, published, source, fix.actor if fix else None, date is not None)
            )  # fmt: skip
        return out

    def corrected_published(self, doc: str) -> str | None:
        """The page date an annotator gave a document (the latest live one), or None."""
        row = self.db.execute("SELECT id FROM documents WHERE name = ?", [doc]).fetchone()
        return self._corrected_published(row[0]) if row else None

    def _corrected_published(self, doc_id: int) -> str | None:
        row = self.db.execute(
            """SELECT r.published FROM article_reviews r JOIN ls_annotations a ON a.annotation_id = r.annotation_id
               WHERE r.document_id = ? AND r.published IS NOT NULL AND a.deleted = 0
               ORDER BY a.updated_at DESC, a.annotation_id DESC LIMIT 1""",
            [doc_id],
        ).fetchone()
        return row[0] if row else None

    def _article_corrections(self, doc_id: int) -> dict[int, _Fix]:
        """Article index → the zone the latest live annotation gave it (for the article with the same title)."""
        rows = self.db.execute(
            """SELECT r.article_idx, r.zone, a.annotator FROM article_reviews r
               JOIN ls_annotations a ON a.annotation_id = r.annotation_id
               JOIN articles ar ON ar.document_id = r.document_id AND ar.idx = r.article_idx AND ar.title IS r.title
               WHERE r.document_id = ? AND r.zone IS NOT NULL AND a.deleted = 0
               ORDER BY a.updated_at, a.annotation_id""",
            [doc_id],
        ).fetchall()
        return {idx: _Fix(zone, f"annotator:{who}") for idx, zone, who in rows}  # the latest comes last and wins

    def original_fields(self, fact_ids: Iterable[int]) -> dict[int, dict]:
        """The extractor's fields of each fact (what a prediction shows)."""
        out = {}
        for fid in fact_ids:
            row = self.db.execute("SELECT original FROM facts WHERE id = ?", [fid]).fetchone()
            if row and row[0]:
                out[fid] = json.loads(row[0])
        return out

    def tasks(self, project_id: int) -> dict[tuple[str, int, int], TaskRecord]:
        rows = self.db.execute(
            """SELECT t.task_id, t.project_id, d.name, t.passage_start, t.passage_end, t.fact_ids, t.prediction_hash
               FROM ls_tasks t JOIN documents d ON d.id = t.document_id WHERE t.project_id = ?""",
            [project_id],
        ).fetchall()
        out = {}
        for tid, pid, doc, s, e, ids, h in rows:
            out[(doc, s, e)] = TaskRecord(tid, pid, doc, s, e, tuple(json.loads(ids)), h)
        return out

    def task(self, task_id: int) -> TaskRecord | None:
        row = self.db.execute(
            """SELECT t.task_id, t.project_id, d.name, t.passage_start, t.passage_end, t.fact_ids, t.prediction_hash
               FROM ls_tasks t JOIN documents d ON d.id = t.document_id WHERE t.task_id = ?""",
            [task_id],
        ).fetchone()
        if row is None:
            return None
        return TaskRecord(row[0], row[1], row[2], row[3], row[4], tuple(json.loads(row[5])), row[6])

    def record_task(self, rec: TaskRecord) -> None:
        with self._write() as db:
            doc_id = db.execute("SELECT id FROM documents WHERE name = ?", [rec.doc]).fetchone()[0]
            db.execute(
                """INSERT INTO ls_tasks (task_id, project_id, document_id, passage_start, passage_end, fact_ids,
                                         prediction_hash, pushed_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(task_id) DO UPDATE SET fact_ids = excluded.fact_ids,
                       prediction_hash = excluded.prediction_hash, pushed_at = excluded.pushed_at""",
                [rec.task_id, rec.project_id, doc_id, rec.passage_start, rec.passage_end, json.dumps(rec.fact_ids),
                 rec.prediction_hash, _now()],
            )  # fmt: skip

    def annotated_task_ids(self) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT DISTINCT task_id FROM ls_annotations WHERE deleted = 0")}

    def annotation_ids(self, task_id: int, received_before: str | None = None) -> set[int]:
        """The live annotations of a task; with `received_before`, only those received before then (a pull must
        not take an annotation a webhook brought in after the pull read Label Studio for deleted)."""
        rows = self.db.execute(
            "SELECT annotation_id FROM ls_annotations WHERE task_id = ? AND deleted = 0 AND (? IS NULL OR received_at < ?)",
            [task_id, received_before, received_before],
        )
        return {r[0] for r in rows}

    @staticmethod
    def clock() -> str:
        """Now, as the store dates what it receives."""
        return _now()

    # ── applying annotations ─────────────────────────────────────────────────────────────────
    def apply_annotation(
        self, *, task_id: int, annotation_id: int, annotator: str, updated_at: str, result_hash: str,
        reviews: list[Review], refused: list[str], article: ArticleReview | None = None,
    ) -> ApplyResult:  # fmt: skip
        """Record one annotation's reviews and settle the facts they touch (idempotent).

        Each version of an annotation is known by Label Studio's `updated_at`: the same version again is
        unchanged, an older one (a late webhook, a pull taken before the last save) is stale and ignored, and
        a newer one is a new decision even when its result is the same as before (a resubmission).
        """
        updated_at = label_studio_time(updated_at)
        row = self.db.execute(
            "SELECT result_hash, deleted, updated_at FROM ls_annotations WHERE annotation_id = ?", [annotation_id]
        ).fetchone()
        if row:
            version, known = (updated_at, result_hash), (row[2] or "", row[0] or "")
            if version == known and not row[1]:
                return ApplyResult("unchanged")
            # Older: stale, also for a deleted annotation (a late webhook does not bring it back; the same version
            # does, since a pull that raced a new annotation may have taken it for deleted). Two results saved at
            # the same moment (never seen) are ordered by their hash, the same way in any order.
            if version < known:
                return ApplyResult("stale")
        now = _now()
        with self._write() as db:
            db.execute(
                """INSERT INTO ls_annotations (annotation_id, task_id, annotator, updated_at, result_hash, deleted, received_at)
                   VALUES (?, ?, ?, ?, ?, 0, ?)
                   ON CONFLICT(annotation_id) DO UPDATE SET annotator = excluded.annotator, updated_at = excluded.updated_at,
                       result_hash = excluded.result_hash, deleted = 0, received_at = excluded.received_at""",
                [annotation_id, task_id, annotator, updated_at, result_hash, now],
            )
            for reason in refused:
                db.execute(
                    "INSERT INTO review_refusals (annotation_id, task_id, reason, at) VALUES (?, ?, ?, ?)",
                    [annotation_id, task_id, reason, now],
                )
            touched = {
                r[0] for r in db.execute("SELECT fact_id FROM fact_reviews WHERE annotation_id = ?", [annotation_id])
            }
            rezoned = self._article_facts(annotation_id)  # this annotation's earlier article zone, if it gave one
            db.execute("DELETE FROM article_reviews WHERE annotation_id = ?", [annotation_id])
            if article is not None and (article.zone or article.published):
                db.execute(
                    """INSERT INTO article_reviews (annotation_id, document_id, article_idx, title, zone, published, at)
                       VALUES (?, (SELECT id FROM documents WHERE name = ?), ?, ?, ?, ?, ?)""",
                    [annotation_id, article.doc, article.article_idx, article.title, article.zone, article.published,
                     now],
                )  # fmt: skip
                rezoned |= self._article_facts(annotation_id)
            db.execute("DELETE FROM fact_reviews WHERE annotation_id = ?", [annotation_id])
            for review in reviews:
                fact_id = review.fact_id
                if review.action == "added":
                    fact_id = self._added_fact(annotation_id, annotator, task_id, review.fields, now)
                fields = review.fields if review.action == "added" else self._reviewed_fields(fact_id, review)
                db.execute(
                    "INSERT OR REPLACE INTO fact_reviews (annotation_id, fact_id, decision, fields, at) VALUES (?, ?, ?, ?, ?)",
                    [annotation_id, fact_id, review.action, json.dumps(fields, ensure_ascii=False), now],
                )
                touched.add(fact_id)
            changed = [fid for fid in sorted(touched) if self._settle(fid, now)]
            cause = (f"annotator:{annotator}", "corrected")
            changed += [fid for fid in sorted(rezoned - touched) if self._settle(fid, now, cause)]
        return ApplyResult("applied", tuple(sorted(changed)))

    def delete_annotations(self, annotation_ids: Iterable[int]) -> tuple[int, ...]:
        """Annotations deleted in Label Studio stop counting; their facts settle on what remains."""
        ids = list(annotation_ids)
        if not ids:
            return ()
        now = _now()
        marks = ", ".join("?" * len(ids))
        with self._write() as db:
            db.execute(f"UPDATE ls_annotations SET deleted = 1 WHERE annotation_id IN ({marks})", ids)
            touched = {
                r[0] for r in db.execute(f"SELECT fact_id FROM fact_reviews WHERE annotation_id IN ({marks})", ids)
            }
            rezoned = set().union(*(self._article_facts(i) for i in ids))
            changed = [fid for fid in sorted(touched) if self._settle(fid, now)]
            changed += [
                fid for fid in sorted(rezoned - touched) if self._settle(fid, now, ("label-studio", "reverted"))
            ]
            return tuple(sorted(changed))

    def _article_facts(self, annotation_id: int) -> set[int]:
        """The facts that inherit their zone from an article this annotation gave a zone."""
        rows = self.db.execute(
            """SELECT f.id FROM article_reviews r JOIN facts f
                   ON f.document_id = r.document_id AND f.article_idx = r.article_idx AND f.zone_inherited = 1
               WHERE r.annotation_id = ? AND r.zone IS NOT NULL""",
            [annotation_id],
        )
        return {r[0] for r in rows}

    def _reviewed_fields(self, fact_id: int, review: Review) -> dict:
        original = self.original_fields([fact_id]).get(fact_id, {})
        return {**{k: original.get(k) for k in EDITABLE}, **review.fields}

    def _added_fact(self, annotation_id: int, annotator: str, task_id: int, fields: dict, now: str) -> int:
        row = self.db.execute(
            """SELECT f.id FROM facts f JOIN fact_reviews r ON r.fact_id = f.id
               WHERE r.annotation_id = ? AND f.start = ? AND f."end" = ? AND f.source LIKE 'annotator:%'""",
            [annotation_id, fields["start"], fields["end"]],
        ).fetchone()
        if row is None:  # the annotation may have been applied before, with this fact already added
            row = self.db.execute(
                """SELECT id FROM facts WHERE source = ? AND start = ? AND "end" = ? AND document_id =
                   (SELECT document_id FROM ls_tasks WHERE task_id = ?)""",
                [f"annotator:{annotator}#{annotation_id}", fields["start"], fields["end"], task_id],
            ).fetchone()
        if row:
            return row[0]
        task = self.db.execute("SELECT document_id FROM ls_tasks WHERE task_id = ?", [task_id]).fetchone()
        record = {k: fields.get(k) for k in EDITABLE}
        fact_id = (
            self.db["facts"]
            .insert(
                {
                    **record,
                    "document_id": task[0],
                    "article_idx": None,
                    "article": None,
                    "quote": fields.get("quote", ""),
                    "value_text": fields.get("value_text", ""),
                    "start": fields["start"],
                    "end": fields["end"],
                    "quote_start": fields.get("quote_start"),
                    "quote_end": fields.get("quote_end"),
                    "confidence": 1.0,
                    "extractor_version": None,
                    "status": "verified",
                    "source": f"annotator:{annotator}#{annotation_id}",
                    "created_at": now,
                    "updated_at": now,
                    "context": fields.get("quote", ""),
                    "original": json.dumps(record, ensure_ascii=False),
                }  # fmt: skip
            )
            .last_pk
        )
        self._history(fact_id, f"annotator:{annotator}", "added", None, record, now)
        return fact_id

    def _settle(self, fact_id: int, now: str, cause: tuple[str, str] | None = None) -> bool:
        """Bring a fact to what its latest live review says (or back to its extracted self), in the zone of its
        article when it inherits it; True if it changed. `cause`: (actor, action) for history when what changed is
        the article's zone, not a review of this fact."""
        fact = self.db.execute(
            f"""SELECT status, source, original, document_id, article_idx, zone_inherited,
                       {", ".join(_q(k) for k in EDITABLE)} FROM facts WHERE id = ?""",
            [fact_id],
        ).fetchone()
        if fact is None:
            return False
        status, source, original = fact[0], fact[1], json.loads(fact[2] or "{}")
        doc_id, article_idx, inherited = fact[3], fact[4], fact[5]
        current = dict(zip(EDITABLE, fact[6:], strict=True))
        original.setdefault("indicator", current["indicator"])  # stored before the indicator was kept there
        latest = self.db.execute(
            """SELECT r.decision, r.fields, a.annotator FROM fact_reviews r
               JOIN ls_annotations a ON a.annotation_id = r.annotation_id
               WHERE r.fact_id = ? AND a.deleted = 0 ORDER BY a.updated_at DESC, a.annotation_id DESC LIMIT 1""",
            [fact_id],
        ).fetchone()
        if latest is None:
            new_status = "rejected" if source.startswith("annotator:") else "candidate"
            fields, actor, action = {k: original.get(k) for k in EDITABLE}, "label-studio", "reverted"
        else:
            decision, fields_json, annotator = latest
            actor = f"annotator:{annotator}"
            if decision == "rejected":
                new_status, fields, action = "rejected", current, "rejected"
            else:
                new_status, action = "verified", decision
                fields = {k: json.loads(fields_json).get(k, current[k]) for k in EDITABLE}
        # Inherited and given no zone of its own by anyone (a review's zone is the extractor's): the article's zone.
        if inherited and new_status != "rejected" and fields["zone"] == original.get("zone"):
            fix = self._article_corrections(doc_id).get(article_idx)
            fields["zone"] = fix.zone if fix else original.get("zone")
        if cause is not None:
            actor, action = cause
        changed = {k: (current[k], fields[k]) for k in EDITABLE if current[k] != fields[k]}
        if new_status == status and not changed:
            return False
        sets = ", ".join(f"{_q(k)} = ?" for k in changed)
        self.db.execute(
            f"UPDATE facts SET status = ?, updated_at = ?{', ' + sets if sets else ''} WHERE id = ?",
            [new_status, now, *(v[1] for v in changed.values()), fact_id],
        )
        before = {"status": status, **{k: v[0] for k, v in changed.items()}}
        after = {"status": new_status, **{k: v[1] for k, v in changed.items()}}
        self._history(fact_id, actor, action, before, after, now)
        if "metric" in changed and original.get("metric") and fields.get("metric") and new_status == "verified":
            self.db.execute(
                "INSERT OR REPLACE INTO learned_synonyms (term, canonical, fact_id, at) VALUES (?, ?, ?, ?)",
                [original["metric"], fields["metric"], fact_id, now],
            )
        return True

    # ── reading ──────────────────────────────────────────────────────────────────────────────
    def learned_synonyms(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT term, canonical FROM learned_synonyms").fetchall())

    def review_status(self) -> ReviewStatus:
        counts = dict(self.db.execute("SELECT status, count(*) FROM facts GROUP BY status").fetchall())
        disagreements = []
        rows = self.db.execute(
            """SELECT r.fact_id, group_concat(a.annotator || ':' || r.decision || ':' || r.fields, ' | ')
               FROM fact_reviews r JOIN ls_annotations a ON a.annotation_id = r.annotation_id
               WHERE a.deleted = 0 GROUP BY r.fact_id
               HAVING count(DISTINCT a.annotator) > 1 AND count(DISTINCT r.decision || r.fields) > 1"""
        ).fetchall()
        for fid, said in rows:
            disagreements.append((fid, said))
        return ReviewStatus(
            tasks=self.db.execute("SELECT count(*) FROM ls_tasks").fetchone()[0],
            annotated_tasks=len(self.annotated_task_ids()),
            annotations=self.db.execute("SELECT count(*) FROM ls_annotations WHERE deleted = 0").fetchone()[0],
            candidate=counts.get("candidate", 0),
            verified=counts.get("verified", 0),
            rejected=counts.get("rejected", 0),
            disagreements=tuple(disagreements),
            refusals=self.db.execute("SELECT count(*) FROM review_refusals").fetchone()[0],
        )


def _q(column: str) -> str:
    return f'"{column}"'
