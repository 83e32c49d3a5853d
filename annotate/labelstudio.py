"""The Label Studio round trip, through label-studio-sdk: project, push, webhook, pull, status.

Tasks are passages (a paragraph of an article holding candidate facts); predictions carry the
extractor's candidates (model_version = extractor version). A task a person has worked on is never
touched again by a push. Annotations come back by webhook (apply_webhook) or by pull (reconcile),
and are turned into reviews of facts (annotate/review.py) that the store settles.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from store import Store
from store.review import ArticleReview, ArticleZone, Review, TaskRecord

from .errors import AnnotateError
from .extract import EXTRACTOR_VERSION
from .gazetteer import CONFIG_DIR, Gazetteer
from .payloads import check_annotation, check_payload
from .review import (
    EDITABLE,
    Passage,
    PassageFact,
    prediction_for,
    prediction_hash,
    read_annotation,
    read_article,
    result_hash,
    task_for,
)
from .segment import segment

log = logging.getLogger("gaoxin.labelstudio")
PROJECT_TITLE = "gaoxin 事实校对"
WEBHOOK_ACTIONS = ["ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_DELETED"]
SECRET_HEADER = "X-Gaoxin-Secret"
# Data Manager tabs: the tasks whose article's zone was not found (fill it in at the top of the task), and every
# task with the least sure candidate first (a prediction's score is its least confident candidate's confidence).
TABS = (
    {"title": "园区未知", "filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:data.zone_found_in", "operator": "equal", "type": "String", "value": "未知"}]}},
    {"title": "最不确定的先", "ordering": ["tasks:predictions_score"]},
)  # fmt: skip


class LabelStudioError(AnnotateError):
    """Label Studio is down, refuses our token, or answered something we cannot use."""


@dataclass(frozen=True, slots=True)
class PushResult:
    project_id: int
    new: int
    refreshed: int
    untouched: int  # annotated by a person: left alone


@dataclass(frozen=True, slots=True)
class PullResult:
    tasks: int
    applied: int
    unchanged: int
    deleted: int
    refused: int


# ── the labeling interface ───────────────────────────────────────────────────────────────────
def labeling_config() -> str:
    """The labeling interface every project gets (config/labeling.xml), without its comments: Label Studio sends the
    project's interface in every webhook, and the bot takes 64 KB at most."""
    return re.sub(r"<!--.*?-->\s*", "", (CONFIG_DIR / "labeling.xml").read_text(encoding="utf-8"), flags=re.S)


# ── passages ─────────────────────────────────────────────────────────────────────────────────
def passages(store: Store, gaz: Gazetteer) -> list[Passage]:
    """Every paragraph of every stored article that holds at least one fact, with the extractor's fields and the
    article's zone and date as they stand (an annotator's correction included)."""
    out: list[Passage] = []
    pages = store.document_pages()
    for doc, text in store.document_texts().items():
        facts = store.facts(doc=doc)
        if not facts:
            continue
        originals = store.original_fields(f.id for f in facts)
        meta_zone, published = pages.get(doc, (None, None))
        stored = {a.idx: a for a in store.articles_of(doc)}
        for article in segment(text, gaz, meta_zone):
            about = stored.get(article.index)
            if about is None or about.title != article.title:  # stored by another reading (gazetteer): as read now
                about = ArticleZone(doc, article.index, article.title, article.start, article.end, article.zone,
                                    article.zone, article.zone_signal.source, article.zone_signal.confidence,
                                    published, published, None)  # fmt: skip
            for pieces in article.paragraphs:
                start, end = pieces[0][0], pieces[-1][1]
                inside = [f for f in facts if start <= f.start and f.end <= end]
                if inside:
                    out.append(_passage(doc, text, start, end, about, inside, originals))
    return out


def passage_for_task(store: Store, task: TaskRecord) -> Passage:
    """Rebuild the passage a task was made from (its text, its article, and its facts as the prediction showed them)."""
    text = store.document_texts().get(task.doc)
    if text is None:
        raise LabelStudioError(f"task {task.task_id}: document {task.doc} is no longer in the store")
    facts = [f for f in store.facts(doc=task.doc) if task.passage_start <= f.start and f.end <= task.passage_end]
    originals = store.original_fields(f.id for f in facts)
    shown = [f for f in facts if f.source == "extractor" or f.id in task.fact_ids]
    about = next((a for a in store.articles_of(task.doc) if a.start <= task.passage_start < a.end), None)
    if about is None:  # no article holds it (the file was read again since): no article fields, as before
        zones = Counter(f.zone for f in facts if f.zone)
        zone = zones.most_common(1)[0][0] if zones else None  # a fact the annotator adds belongs to the passage's zone
        pfacts = tuple(_passage_fact(f, originals.get(f.id, {}), None) for f in shown)
        return Passage(task.doc, task.passage_start, task.passage_end, text[task.passage_start : task.passage_end], "",
                       zone, pfacts)  # fmt: skip
    return _passage(task.doc, text, task.passage_start, task.passage_end, about, shown, originals)


def _passage(doc: str, text: str, start: int, end: int, about: ArticleZone, facts: list, originals: dict) -> Passage:
    pfacts = tuple(_passage_fact(f, originals.get(f.id, {}), about) for f in facts)
    return Passage(doc, start, end, text[start:end], about.title, about.zone, pfacts, about.zone_source,
                   about.published, about.idx, about.found_zone, about.source, about.found_published,
                   about.published_corrected)  # fmt: skip


def _passage_fact(f, original: dict, about: ArticleZone | None) -> PassageFact:
    """A fact as a prediction shows it: the extractor's fields, in its article's corrected zone if it inherits it."""
    o = {**{k: getattr(f, k) for k in (*EDITABLE, "entity")}, **original}
    if about is not None and f.zone_inherited and o["zone"] == about.found_zone:
        o["zone"] = about.zone
    return PassageFact(f.id, f.start, f.end, f.value_text, o["metric"], float(o["value"]), o["unit"], o["qualifier"],
                       o["period"], o["kind"], o["zone"], o["entity"], f.confidence, o["indicator"])  # fmt: skip


# ── the link ─────────────────────────────────────────────────────────────────────────────────
class LabelStudioLink:
    def __init__(self, url: str, token: str, *, title: str = PROJECT_TITLE, timeout: float = 10.0) -> None:
        from label_studio_sdk import LabelStudio  # imported here: it takes a second and a half

        if not url or not token:
            raise LabelStudioError("Label Studio is not configured: set GAOXIN_LS_URL and GAOXIN_LS_TOKEN")
        self.url = url.rstrip("/")
        self.title = title
        # Every call into the SDK goes through _Guarded: one place turns its errors into LabelStudioError.
        self.ls = _Guarded(LabelStudio(base_url=self.url, api_key=token, timeout=timeout), self.url)

    def check(self) -> str:
        return self.ls.users.whoami().email

    def project_id(self, create: bool = True) -> int:
        projects = self.ls.projects.list()
        for p in projects:
            if p.title == self.title:
                return p.id
        if not create:
            raise LabelStudioError(
                f"no project titled {self.title!r} in Label Studio at {self.url}; run `gaoxin annotate push`"
            )
        config = labeling_config()
        project = self.ls.projects.create(
            title=self.title, label_config=config,
            description="数值事实校对:接受、修改、拒绝或补充机器抽取的候选事实。", model_version=EXTRACTOR_VERSION,
            show_collab_predictions=True,
        )  # fmt: skip
        return project.id

    # push ──────────────────────────────────────────────────────────────────────────────────
    def add_tabs(self, pid: int) -> int:
        """The Data Manager's tabs annotators start from (TABS), added where missing; the number added."""
        have = {(view.data or {}).get("title") for view in self.ls.views.list(project=pid)}
        missing = [tab for tab in TABS if tab["title"] not in have]
        for tab in missing:
            self.ls.views.create(project=pid, data=tab)
        return len(missing)

    def update_config(self, pid: int) -> bool:
        """Bring an existing project's labeling interface to config/labeling.xml; True when it changed.

        Label Studio refuses an interface without a control or label its stored annotations use; ours keeps every
        one of them (hidden where no longer used), so a refusal means the project holds annotations of another
        interface: it is named in one line, and the project keeps the interface it has."""
        config = labeling_config()
        if (self.ls.projects.get(id=pid).label_config or "").strip() == config.strip():  # Label Studio strips it
            return False
        try:
            self.ls.projects.update(id=pid, label_config=config)
        except LabelStudioError as exc:
            raise LabelStudioError(
                f"Label Studio kept the old labeling interface of project {pid} ({self.title!r}): it holds annotations "
                f"that the interface in config/labeling.xml cannot show ({exc}); keep their labels in that file"
            ) from exc
        return True

    def push(self, store: Store, gaz: Gazetteer) -> PushResult:
        """Create the project if needed (or bring its labeling interface up to date) and send every passage with
        candidates; idempotent."""
        pid = self.project_id(create=True)
        self.update_config(pid)
        self.add_tabs(pid)
        known = store.tasks(pid)
        annotated = self._annotated_tasks(pid)
        new, refreshed, untouched = [], 0, 0
        for passage in passages(store, gaz):
            rec = known.get((passage.doc, passage.start, passage.end))
            digest = prediction_hash(passage)
            if rec is None:
                new.append(passage)
            elif rec.task_id in annotated or rec.task_id in store.annotated_task_ids():
                untouched += 1
            elif rec.prediction_hash != digest:
                self._refresh(rec, passage, digest, store)
                refreshed += 1
        for batch in _chunks(new, 50):
            response = self.ls.projects.import_tasks(
                id=pid,
                request=[task_for(p) for p in batch],
                return_task_ids=True,
            )
            for task_id, passage in zip(response.task_ids, batch, strict=True):
                store.record_task(TaskRecord(task_id, pid, passage.doc, passage.start, passage.end,
                                             tuple(f.id for f in passage.facts), prediction_hash(passage)))  # fmt: skip
        return PushResult(pid, len(new), refreshed, untouched)

    def _annotated_tasks(self, pid: int) -> set[int]:
        tasks = self.ls.tasks.list(project=pid, fields="all")
        return {t.id for t in tasks if (t.total_annotations or 0) > 0 or (t.cancelled_annotations or 0) > 0}

    def _refresh(self, rec: TaskRecord, passage: Passage, digest: str, store: Store) -> None:
        """A task nobody has annotated, with what it shows brought up to date: its data (the article's zone and date
        at the top, for the Data Manager's filters too) and its prediction."""
        self.ls.tasks.update(id=rec.task_id, data=task_for(passage)["data"])
        for old in self.ls.predictions.list(task=rec.task_id):
            self.ls.predictions.delete(id=old.id)
        pred = prediction_for(passage)
        self.ls.predictions.create(task=rec.task_id, result=pred["result"], model_version=pred["model_version"],
                                  score=pred["score"])  # fmt: skip
        store.record_task(TaskRecord(rec.task_id, rec.project_id, rec.doc, rec.passage_start, rec.passage_end,
                                     tuple(f.id for f in passage.facts), digest))  # fmt: skip

    # webhook registration ───────────────────────────────────────────────────────────────────
    def connect(self, hook_url: str, secret: str) -> int:
        """Register (or repair) the webhook that tells the bot about every annotation."""
        pid = self.project_id(create=True)
        settings = dict(url=hook_url, send_payload=True, send_for_all_actions=False, actions=WEBHOOK_ACTIONS,
                        headers={SECRET_HEADER: secret}, is_active=True)  # fmt: skip
        for hook in self.ls.webhooks.list(project=str(pid)):
            if hook.url == hook_url:
                self.ls.webhooks.update(id=hook.id, **settings)  # a webhook's project is fixed when it is made
                return hook.id
        return self.ls.webhooks.create(project=pid, **settings).id

    # pull ──────────────────────────────────────────────────────────────────────────────────
    def pull(self, store: Store) -> PullResult:
        """Read every annotation of the project and reconcile the store with it; idempotent."""
        pid = self.project_id(create=False)
        read_at = store.clock()  # what Label Studio says is as of now: later webhooks are newer than this read
        tasks = self.ls.tasks.list(project=pid, fields="all")
        applied = unchanged = deleted = refused = 0
        for task in tasks:
            rec = store.task(task.id)
            if rec is None:
                continue  # a task we did not make
            live = set()
            for ann in task.annotations or []:
                ann = ann if isinstance(ann, dict) else ann.model_dump() if hasattr(ann, "model_dump") else dict(ann)
                live.add(ann["id"])
                outcome, n_refused = apply_annotation(store, rec, ann)
                applied += outcome == "applied"
                unchanged += outcome == "unchanged"
                refused += n_refused
            gone = store.annotation_ids(task.id, received_before=read_at) - live
            if gone:
                store.delete_annotations(gone)
                deleted += len(gone)
        return PullResult(len(tasks), applied, unchanged, deleted, refused)


class _Guarded:
    """A view of the SDK client whose every call turns any failure into one LabelStudioError.

    Pagers are read to lists inside the guard (their pages are fetched lazily, so an error could otherwise
    escape while iterating). A wrong keyword or any other surprise from the SDK is a bug, but the user still
    gets one line, never a traceback; the traceback goes to the log.
    """

    __slots__ = ("_target", "_url", "_path")

    def __init__(self, target, url: str, path: str = "") -> None:
        self._target, self._url, self._path = target, url, path

    def __getattr__(self, name: str):
        value = getattr(self._target, name)
        path = f"{self._path}.{name}" if self._path else name
        return _Guarded(value, self._url, path) if not isinstance(value, str | int | float | bool) else value

    def __call__(self, *args, **kwargs):
        from label_studio_sdk.core.api_error import ApiError
        from label_studio_sdk.core.pagination import SyncPager

        what = self._path
        try:
            result = self._target(*args, **kwargs)
            return list(result) if isinstance(result, SyncPager) else result
        except ApiError as exc:
            if exc.status_code in (401, 403):
                raise LabelStudioError(
                    f"Label Studio at {self._url} refused the token ({exc.status_code}) in {what}"
                ) from exc
            raise LabelStudioError(
                f"Label Studio at {self._url} answered {exc.status_code} to {what}: {exc.body}"
            ) from exc
        except Exception as exc:
            if type(exc).__module__.startswith(("httpx", "httpcore")) or isinstance(exc, OSError):
                raise LabelStudioError(
                    f"Label Studio is not reachable at {self._url} ({type(exc).__name__} in {what}); is it running?"
                ) from exc
            log.debug("label-studio-sdk failed in %s", what, exc_info=True)
            raise LabelStudioError(
                f"label-studio-sdk failed in {what} ({type(exc).__name__}: {exc}); this is a bug in gaoxin, please report it"
            ) from exc


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ── applying one annotation (webhook and pull share this) ────────────────────────────────────
def annotator_of(ann: dict) -> str:
    who = ann.get("completed_by")
    if isinstance(who, dict):  # inside GET /api/tasks/{id} it is an object; elsewhere an id
        return str(who.get("email") or who.get("id"))
    return str(who if who is not None else ann.get("created_username", "unknown")).strip()


def apply_annotation(store: Store, rec: TaskRecord, ann: dict) -> tuple[str, int]:
    """Apply one annotation (as Label Studio sends it) to the store; returns (outcome, refused regions).

    MalformedPayload when the annotation is not shaped as Label Studio's are."""
    check_annotation(ann)
    result = ann.get("result") or []
    article = None
    if ann.get("was_cancelled"):  # a skipped task: no verdict on any of its facts
        result, decisions, refused = [], [], []
    else:
        passage = passage_for_task(store, rec)
        decisions, refused = read_annotation(result, passage, from_prediction=bool(ann.get("parent_prediction")))
        said, not_a_date = read_article(result, passage)
        refused += not_a_date
        if said is not None and passage.article_idx is not None:
            article = ArticleReview(rec.doc, passage.article_idx, passage.title, said.zone, said.published)
    for reason in refused:
        log.warning("annotation %s on task %s: refused %s", ann.get("id"), rec.task_id, reason)
    reviews = [Review(d.fact_id, d.action, d.fields) for d in decisions]
    outcome = store.apply_annotation(
        task_id=rec.task_id, annotation_id=int(ann["id"]), annotator=annotator_of(ann),
        updated_at=_time(ann.get("updated_at") or ann.get("created_at")), result_hash=result_hash(result),
        reviews=reviews, refused=refused, article=article,
    )  # fmt: skip
    return outcome.outcome, len(refused)


def _time(value: object) -> str:
    """An annotation's time as ISO text: webhooks send text, the SDK's models datetimes."""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value or "")


def apply_webhook(store: Store, payload: dict) -> dict:
    """Handle one Label Studio webhook payload; returns a small summary for the HTTP reply.

    MalformedPayload (before anything is read or written) when its shape is not Label Studio's."""
    check_payload(payload)
    action = payload.get("action")
    if action in ("ANNOTATION_CREATED", "ANNOTATION_UPDATED"):
        ann, task = payload.get("annotation"), payload.get("task")
        if not isinstance(ann, dict) or not isinstance(task, dict) or "id" not in ann or "id" not in task:
            raise LabelStudioError("the webhook has no annotation or task")
        rec = store.task(int(task["id"]))
        if rec is None:
            return {"action": action, "outcome": "ignored", "reason": f"task {task['id']} was not made by gaoxin"}
        outcome, refused = apply_annotation(store, rec, ann)
        return {"action": action, "outcome": outcome, "refused": refused}
    if action == "ANNOTATIONS_DELETED":
        ids = [int(a["id"]) for a in payload.get("annotations") or [] if isinstance(a, dict) and "id" in a]
        changed = store.delete_annotations(ids)
        return {"action": action, "outcome": "deleted", "facts": len(changed)}
    return {"action": action, "outcome": "ignored", "reason": "not an annotation event"}


def default_cache() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "ls-cache"
