"""The `gaoxin` command line: a thin click front end; errors become one-line messages, never tracebacks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from annotate.errors import AnnotateError
from store import Store, StoreError

from . import settings

DEFAULT_SEEDS = settings.PROJECT_ROOT / "seeds"


def _db_option(f):
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"SQLite store (default: ${settings.DB.env} or {settings.DB.default}).",
    )(f)


def _resolve_db(db_path: Path | None) -> Path:
    return db_path or Path(settings.DB.get())


def _open(db_path: Path | None, *, create: bool = True) -> Store:
    try:
        return Store.open(_resolve_db(db_path), create=create)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


class _Main(click.Group):
    """The command group: a StoreError from any command (a store damaged mid-command, under `serve` too) is one
    `Error: …` line, like the errors each command translates itself."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc


PORTS = click.IntRange(1, 65535)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gaoxin")
def main() -> None:
    """gaoxin: numeric facts about China's high-tech zones, from news to a checked store to chat."""
    from annotate.vocab import vocab

    try:
        vocab()  # read once here, so a broken config/vocab.toml is a one-line error, not a traceback at an import
    except AnnotateError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--zone", help="The zone the pages are about (wins over what the text suggests).")
@click.option("--published", help="The pages' publication date, e.g. 2024-12-05: 今年, 去年, 上半年 are read from it.")
@click.option("--source", "publisher", help="Who published the pages (a newspaper, a zone's committee).")
@click.option("--url", help="The page's address (for one file).")
@_db_option
def ingest(
    paths: tuple[Path, ...], zone: str | None, published: str | None, publisher: str | None, url: str | None,
    db_path: Path | None,
) -> None:  # fmt: skip
    """Read article files (default: seeds/) and store their articles and candidate facts.

    Idempotent: an unchanged file changes nothing; a changed file gets new candidates and keeps
    every fact a person has verified or rejected. Each file is one transaction. A file may begin
    with a front-matter block (url:, source:, published:, zone: between two --- lines); the
    options fill or override it for every file given.
    """
    from tqdm import tqdm

    from annotate.extract import Extractor
    from annotate.ingest import article_files, ingest_paths
    from annotate.meta import PageMeta, parse_date

    try:
        files = article_files(list(paths) or [DEFAULT_SEEDS])
        meta = PageMeta(
            url=url,
            publisher=publisher,
            zone=zone,
            published=parse_date(published, "--published: ") if published else None,
        )
    except AnnotateError as exc:
        raise click.ClickException(str(exc)) from exc
    if url and len(files) > 1:
        raise click.ClickException(f"--url names one page, but {len(files)} files were given")
    if not files:
        raise click.ClickException(f"no article files (*.txt) in {', '.join(map(str, paths or [DEFAULT_SEEDS]))}")
    store = _open(db_path)
    extractor = _extractor(Extractor)
    failed = 0
    bar = tqdm(total=len(files), unit="file", disable=len(files) < 10 or None, file=sys.stderr)
    try:
        for path, result in ingest_paths(store, files, extractor, meta if meta != PageMeta() else None):
            bar.update()
            if isinstance(result, AnnotateError):
                failed += 1
                bar.write(f"Error: {result}", file=sys.stderr)
                continue
            line = f"{path.name}: {result.outcome}"
            if result.outcome != "unchanged":
                line += f", {result.added} new candidates, {result.superseded} replaced, {result.kept} reviewed kept"
            bar.write(line)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        bar.close()
    counts = store.counts()
    click.echo(
        f"store {store.path}: {counts.documents} documents, {counts.articles} articles, "
        f"{counts.candidate} candidate / {counts.verified} verified / {counts.rejected} rejected facts"
    )
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} files could not be ingested (see above)")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per candidate (the evaluation interface).")
def extract(paths: tuple[Path, ...], as_json: bool) -> None:
    """Print the candidate facts of article files, touching no store."""
    from annotate.extract import Extractor
    from annotate.ingest import article_files
    from annotate.text import read_source

    extractor = _extractor(Extractor)
    failed = 0
    try:
        files = article_files(list(paths))
    except AnnotateError as exc:
        raise click.ClickException(str(exc)) from exc
    if not files:
        raise click.ClickException(f"no article files (*.txt) in {', '.join(map(str, paths))}")
    for path in files:
        try:
            source = read_source(path)
        except AnnotateError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed += 1
            continue
        if source.encoding == "gb18030":
            click.echo(f"{path}: decoded as GB18030 (not UTF-8)", err=True)
        for c in extractor.extract(source):
            if as_json:
                click.echo(json.dumps(c.as_json(), ensure_ascii=False))
            else:
                click.echo(f"{c.doc}\t{c.zone}\t{c.metric}\t{c.value_text}\t{c.period or ''}\t{c.kind}")
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} files could not be read")


@main.command()
@click.option("--zone", help="Only facts whose zone contains this text.")
@click.option("--metric", help="Only facts whose metric contains this text.")
@click.option("--status", type=click.Choice(["candidate", "verified", "rejected"]), multiple=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per fact.")
@_db_option
def facts(zone: str | None, metric: str | None, status: tuple[str, ...], as_json: bool, db_path: Path | None) -> None:
    """List the facts the store holds."""
    store = _open(db_path, create=False)
    rows = store.facts(zone=zone, metric=metric, statuses=status or ("candidate", "verified", "rejected"))
    for f in rows:
        if as_json:
            click.echo(json.dumps(_fact_json(f), ensure_ascii=False))
        else:
            mark = {"verified": "✓", "rejected": "✗"}.get(f.status, "·")
            click.echo(f"{mark} {f.id}\t{f.zone}\t{f.metric}\t{f.value_text}\t{f.period or ''}\t{f.doc}")
    if not as_json:
        click.echo(f"{len(rows)} facts", err=True)


def _fact_json(f) -> dict:
    from dataclasses import asdict

    d = asdict(f)
    d["value"] = int(f.value) if float(f.value).is_integer() else f.value
    return d


@main.command(name="eval")
@click.option(
    "--gold",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Gold folder (default: $GAOXIN_GOLD_DIR, ../shared/gold, else tests/data/gold).",
)
@click.option(
    "--docs",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_SEEDS,
    show_default=True,
    help="Where the gold's documents are.",
)
@click.option("-v", "--verbose", is_flag=True, help="List missed, spurious and wrong-zone facts.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate(gold: Path | None, docs: Path, verbose: bool, as_json: bool) -> None:
    """Score extraction against the gold facts: recall, precision, zone accuracy, metric similarity."""
    from annotate.evaluate import load_gold_facts, score_facts, zone_namer
    from annotate.extract import Extractor
    from annotate.text import read_source

    gold = gold or settings.gold_dir()
    extractor = _extractor(Extractor)
    try:
        sources = {p.name: read_source(p) for p in sorted(docs.glob("*.txt"))}
        gold_facts = load_gold_facts(gold / "dev_facts.jsonl", {k: s.text for k, s in sources.items()})
    except AnnotateError as exc:
        raise click.ClickException(str(exc)) from exc
    used = {g.doc for g in gold_facts}
    candidates = [c for name in sorted(used) for c in extractor.extract(sources[name])]
    score = score_facts(gold_facts, candidates, zone_namer(extractor.gaz))
    queries = (
        _score_queries(gold / "dev_queries.jsonl", docs, extractor) if (gold / "dev_queries.jsonl").exists() else None
    )
    result = {
        "facts": {
            "gold": score.gold, "extracted": score.extracted, "matched": score.matched,
            "recall": round(score.recall, 4), "precision": round(score.precision, 4),
            "zone_accuracy": round(score.zone_accuracy, 4), "metric_similarity": round(score.metric_similarity, 4),
            "agreement": {k: round(v, 4) for k, v in score.agreement.items()},
        }
    }  # fmt: skip
    if queries:
        result["queries"] = {
            "answerable": queries.answerable, "top1": round(queries.top1, 4),
            "unanswerable": queries.unanswerable, "declined": round(queries.decline_rate, 4),
            "by_style": {k: round(v, 4) for k, v in queries.style_rates().items()},
        }  # fmt: skip
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        r = result["facts"]
        click.echo(f"facts ({gold / 'dev_facts.jsonl'}, {len(used)} documents)")
        click.echo(f"  recall             {r['recall']:.3f}  ({score.matched}/{score.gold} gold facts found)")
        click.echo(
            f"  precision          {r['precision']:.3f}  ({score.matched}/{score.extracted} candidates are gold)"
        )
        click.echo(f"  zone accuracy      {r['zone_accuracy']:.3f}")
        click.echo(
            f"  metric similarity  {r['metric_similarity']:.3f}  (rapidfuzz ratio of metric names, matched facts)"
        )
        agreement = ", ".join(f"{k} {v:.3f}" for k, v in r["agreement"].items())
        click.echo(f"  field agreement    {agreement}  (matched facts)")
    if verbose:
        for g in score.missed:
            click.echo(f"missed   {g.doc}  {g.raw['value_text']}  {g.raw['quote']}")
        for c in score.spurious:
            click.echo(f"spurious {c.doc}  {c.value_text}  {c.metric}  {c.quote}")
        for g, c in score.wrong_zone:
            click.echo(f"zone     {c.doc}  {c.value_text}  gold {g.zone}  got {c.zone}")
    if queries and not as_json:
        qr = result["queries"]
        click.echo(f"questions ({gold / 'dev_queries.jsonl'}, on a store built from {docs}, nothing annotated)")
        click.echo(f"  top-1 answerable   {qr['top1']:.3f}  ({queries.correct}/{queries.answerable})")
        click.echo(
            f"  declined           {qr['declined']:.3f}  ({queries.declined}/{queries.unanswerable} unanswerable)"
        )
        click.echo("  by style           " + ", ".join(f"{k} {v:.2f}" for k, v in qr["by_style"].items()))
        if verbose:
            for g, reply in queries.failures:
                got = f"{reply.facts[0].metric} {reply.facts[0].value}{reply.facts[0].unit}" if reply.facts else ""
                click.echo(
                    f"wrong    {g['q']}  expected {g['expect_value']}{g['expect_unit'] or ''}  got {reply.status} {got}"
                )


def _score_queries(path: Path, docs: Path, extractor):
    """Build a throw-away store from the documents (nothing annotated) and score the questions on it."""
    import tempfile

    from annotate.gazetteer import load_gazetteer
    from annotate.ingest import article_files, ingest_paths

    from .answer import Bot
    from .evaluate import score_queries

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "eval.db")
        for _ in ingest_paths(store, article_files([docs]), extractor):
            pass
        result = score_queries(Bot(store, load_gazetteer()), path)
        store.close()
        return result


@main.command()
@click.option(
    "--sets",
    "root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=settings.PROJECT_ROOT / "tests" / "data",
    show_default=True,
    help="Folder of question sets (each a folder with dev_queries.jsonl, and docs/ unless it asks of the seeds).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Weights file to write (default: config/weights.toml).",
)
@click.option("--dry-run", is_flag=True, help="Print the figures; write nothing.")
def train(root: Path, out: Path | None, dry_run: bool) -> None:
    """Fit the scorer's weights on the gold question sets; report leave-one-set-out figures per set."""
    from annotate.extract import Extractor
    from annotate.gazetteer import load_gazetteer
    from annotate.vocab import CONFIG_DIR

    from .train import question_sets, train, weights_file

    sets = question_sets(root, DEFAULT_SEEDS)
    if len(sets) < 2:
        raise click.ClickException(f"{root}: leaving one set out needs at least two question sets")
    try:
        fitted, results = train(sets, _extractor(Extractor), load_gazetteer(), lambda m: click.echo(m, err=True))
    except (StoreError, AnnotateError) as exc:
        raise click.ClickException(str(exc)) from exc
    text = weights_file(fitted, results)
    click.echo("\n".join(line.removeprefix("# ") for line in text.splitlines() if line.startswith("#")))
    if not dry_run:
        path = out or CONFIG_DIR / "weights.toml"
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the reply as JSON (the shape of POST /api/v1/ask).")
@click.option(
    "--verified-only",
    is_flag=True,
    default=None,
    help=f"Answer only from verified facts (${settings.VERIFIED_ONLY.env}).",
)
@click.option(
    "--explain", is_flag=True, help="Print the parsed question, the top facts' features and the rule that decided."
)
@_db_option
def ask(question: str | None, as_json: bool, verified_only: bool | None, explain: bool, db_path: Path | None) -> None:
    """Ask the bot a question; with none, read questions from standard input, one per line."""
    from annotate.gazetteer import load_gazetteer

    from .answer import Bot

    store = _open(db_path, create=False)
    only = settings.flag(settings.VERIFIED_ONLY) if verified_only is None else verified_only
    try:
        bot = Bot(store, load_gazetteer(), verified_only=only)
    except (StoreError, AnnotateError) as exc:
        raise click.ClickException(str(exc)) from exc
    questions = [question] if question is not None else (line.rstrip("\n") for line in sys.stdin)
    for q in questions:
        if explain:
            click.echo(_explanation(bot, q))
            continue
        reply = bot.ask(q)
        if as_json:
            click.echo(json.dumps(reply.as_json(), ensure_ascii=False))
        else:
            click.echo(reply.text if question is not None else reply.text.replace("\n", " | "))


def _explanation(bot, text: str) -> str:
    """`ask --explain`: the question as read, each top fact's score and feature contributions, the rule that fired."""
    from .answer import RULES

    e = bot.explain(text)
    q, sc = e.question, bot.scoring
    lines = [
        f"question  {text}",
        f"  read as  intent={q.intent} zones={list(q.zones)} metric={q.metric!r} years={list(q.years)}"
        f" relative={q.relative} rank={q.wants_rank} unit={q.unit_hint} indicator={q.indicator}",
        f"  scorer   {sc.scale}: answer_min={sc.answer_min} cover_min={sc.cover_min} tie={sc.tie}",
    ]
    for i, s in enumerate(e.scored, 1):
        f = s.fact
        compatible = "compatible" if s.cover >= sc.cover_min else "incompatible"
        lines.append(
            f"{i}. {s.score:+.3f} ({compatible}, cover {s.cover:.2f})  {f.zone} {f.metric} {f.value_text}"
            f" {f.period or ''} [{f.kind}, {f.status}, #{f.id}]"
        )
        lines += [f"     {v:+.3f}  {name} = {x:.3g}" for name, x, v in s.features.contributions(sc.weights)]
    r = e.reply
    lines.append(f"decision  {r.status} ({r.rule or r.intent}): {RULES.get(r.rule, 'not a fact question')}")
    lines.append(f"reply     {r.text}")
    return "\n".join(lines)


@main.command()
@click.option("--host", default=None, help=f"Listen address (default ${settings.HOST.env} or {settings.HOST.default}).")
@click.option(
    "--port", type=PORTS, default=None, help=f"Port (default ${settings.PORT.env} or {settings.PORT.default})."
)
@click.option(
    "--workers",
    type=int,
    default=None,
    help=f"gunicorn workers (default ${settings.WORKERS.env} or {settings.WORKERS.default}).",
)
@_db_option
def serve(host: str | None, port: int | None, workers: int | None, db_path: Path | None) -> None:
    """Run the chat API and web page under gunicorn."""
    from .serve import serve as run

    path = _resolve_db(db_path)
    store = _open(path, create=False)  # fail here, with a clear message, rather than in every worker
    try:
        store.check()  # a damaged file, too: the bot built in gunicorn's master would die on it with a traceback
    finally:
        store.close()
    host = host or settings.HOST.get()
    if port is None:
        try:
            port = PORTS.convert(settings.PORT.get(), None, None)
        except click.BadParameter:
            raise click.ClickException(
                f"${settings.PORT.env}={settings.PORT.get()!r} is not a port (1-65535)"
            ) from None
    click.echo(f"gaoxin: serving {path} on http://{host}:{port}/  (web chat at /, API at /api/v1/ask)")
    click.echo(
        f"  try: curl -s http://{host}:{port}/api/v1/ask -H 'Content-Type: application/json' -d '{{\"q\": \"青岛高新区 权力事项数量\"}}'"
    )
    for line in _platform_lines(f"http://{host}:{port}"):
        click.echo(line)
    run(host, port, workers or int(settings.WORKERS.get()), db=str(path))


@main.command()
@click.option("--repeat", default=5, show_default=True, help="Rounds over the seed texts; the median is reported.")
@click.option("--quick", is_flag=True, help="The bot on the 100k-fact store only, and a 3 s HTTP run per app.")
@click.option("--questions", default=1000, show_default=True, help="Generated questions timed per store.")
def bench(repeat: int, quick: bool, questions: int) -> None:
    """Speed against baselines measured in the same run: extraction vs jieba.cut; ask latency vs a plain rapidfuzz
    scan on synthetic stores of 100k and 1M facts (cached in data/bench/); HTTP ask vs a hello-world route under the
    same gunicorn settings; memory per worker."""
    from annotate.bench import run_extraction_bench, run_layout_bench

    from .bench import run_bot_bench

    for line in run_extraction_bench(DEFAULT_SEEDS, repeat=repeat):
        click.echo(line)
    for line in run_layout_bench(DEFAULT_SEEDS, copies=2 if quick else 8):
        click.echo(line)
    try:
        for line in run_bot_bench(quick=quick, questions=questions):
            click.echo(line)
    except (StoreError, AnnotateError, RuntimeError, OSError) as exc:
        raise click.ClickException(f"bot benchmark: {exc}") from exc


@main.group()
def annotate() -> None:
    """The Label Studio round trip: push candidates, register the webhook, pull annotations, status."""


def _link(url: str | None, token: str | None):
    from annotate.labelstudio import LabelStudioLink

    try:
        return LabelStudioLink(url or settings.LS_URL.get(), token or settings.LS_TOKEN.get())
    except AnnotateError as exc:
        raise click.ClickException(str(exc)) from exc


def _ls_options(f):
    f = click.option("--url", help=f"Label Studio URL (default ${settings.LS_URL.env}).")(f)
    return click.option("--token", help=f"Label Studio API token (default ${settings.LS_TOKEN.env}).")(f)


@annotate.command()
@_ls_options
@click.option(
    "--hook-url", default=None, help=f"Webhook URL to register (default ${settings.HOOK_URL.env} or the serve address)."
)
@_db_option
def push(url: str | None, token: str | None, hook_url: str | None, db_path: Path | None) -> None:
    """Create the project if needed and send passages with candidate facts as pre-annotated tasks.

    Idempotent: new passages are added, predictions on untouched tasks are refreshed, and a task a
    person has worked on is never touched. Registers the webhook when GAOXIN_LS_WEBHOOK_SECRET is set.
    """
    from annotate.gazetteer import load_gazetteer

    store = _open(db_path, create=False)
    link = _link(url, token)
    try:
        result = link.push(store, load_gazetteer())
        click.echo(
            f"project {result.project_id}: {result.new} new tasks, {result.refreshed} refreshed, {result.untouched} annotated left alone"
        )
        if settings.LS_WEBHOOK_SECRET.get():
            hook = hook_url or settings.hook_url()
            link.connect(hook, settings.LS_WEBHOOK_SECRET.get())
            click.echo(f"webhook registered: {hook}")
    except AnnotateError as exc:
        raise click.ClickException(str(exc)) from exc


@annotate.command()
@_ls_options
@click.option("--hook-url", default=None, help="Webhook URL (default: the serve address + /hooks/label-studio).")
def connect(url: str | None, token: str | None, hook_url: str | None) -> None:
    """Register (or repair) the webhook Label Studio calls on every annotation."""
    secret = settings.LS_WEBHOOK_SECRET.get()
    if not secret:
        raise click.ClickException(f"set {settings.LS_WEBHOOK_SECRET.env} first (the bot checks it on every webhook)")
    try:
        hook_id = _link(url, token).connect(hook_url or settings.hook_url(), secret)
    except AnnotateError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"webhook {hook_id} → {hook_url or settings.hook_url()}")


@annotate.command()
@_ls_options
@_db_option
def pull(url: str | None, token: str | None, db_path: Path | None) -> None:
    """Read every annotation of the project and reconcile the store (for webhooks that were missed)."""
    store = _open(db_path, create=False)
    try:
        r = _link(url, token).pull(store)
    except AnnotateError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{r.tasks} tasks: {r.applied} annotations applied, {r.unchanged} unchanged, {r.deleted} deleted, {r.refused} regions refused"
    )


@annotate.command()
@_db_option
def status(db_path: Path | None) -> None:
    """Counts: tasks, annotated, facts verified / rejected / candidates, and disagreements."""
    store = _open(db_path, create=False)
    st = store.review_status()
    click.echo(f"tasks {st.tasks}, annotated {st.annotated_tasks} ({st.annotations} annotations)")
    click.echo(f"facts: {st.verified} verified, {st.rejected} rejected, {st.candidate} candidates")
    click.echo(f"regions refused (offsets that did not match the text): {st.refusals}")
    click.echo(f"disagreements: {len(st.disagreements)}")
    for fact_id, said in st.disagreements:
        click.echo(f"  fact {fact_id}: {said}")


@main.command()
@click.option("--port", type=PORTS, default=None, help="Bot port (default $GAOXIN_PORT or 8000).")
@click.option("--ls-port", type=int, default=8080, show_default=True, help="Port of the local Label Studio.")
@click.option(
    "--datasette-port",
    type=click.IntRange(min=0, max=65535),
    default=8001,
    show_default=True,
    help="Port Datasette serves the store on, read-only, at 127.0.0.1 (0: no Datasette).",
)
@click.option(
    "--ls-data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data folder of the local Label Studio (default: data/label-studio in the project).",
)
@_db_option
def up(port: int | None, ls_port: int, datasette_port: int, ls_data: Path | None, db_path: Path | None) -> None:
    """Run the whole system: a local Label Studio (data/label-studio/), the candidates pushed, the bot served,
    and Datasette on the store (read-only).

    Ctrl-C, or SIGINT or SIGTERM sent to this process alone, stops everything it started. A restart on the same
    data picks up where it stopped: same Label Studio login and project, new passages pushed, annotations kept.
    """
    from .run import LS_DATA, run_all

    try:
        run_all(_resolve_db(db_path), bot_port=port or int(settings.PORT.get()), ls_port=ls_port,
                ls_data=ls_data or LS_DATA, datasette_port=datasette_port)  # fmt: skip
    except (AnnotateError, StoreError) as exc:
        raise click.ClickException(str(exc)) from exc


def _platform_lines(base: str) -> list[str]:
    """One line per chat platform: its webhook URL, and enabled or which settings it still needs."""
    from .platforms import PlatformConfigError, Platforms

    try:
        platforms = Platforms({s.key: s.get() for s in settings.PLATFORM_SETTINGS})
    except PlatformConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    lines = ["  chat platforms:"]
    for st in platforms.status.values():
        state = "enabled" if st.enabled else f"disabled (set {', '.join(st.missing)})"
        lines.append(f"    {st.title:<16} {base}{st.route:<20} {state}")
    return lines


def _extractor(cls):
    """Build the extractor, turning a broken gazetteer into a one-line error."""
    try:
        ex = cls()
        ex.tokenizer  # noqa: B018 - load the dictionary now, not in the middle of a progress bar
        return ex
    except AnnotateError as exc:
        raise click.ClickException(str(exc)) from exc


if __name__ == "__main__":
    main()
