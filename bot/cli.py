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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gaoxin")
def main() -> None:
    """gaoxin: numeric facts about China's high-tech zones, from news to a checked store to chat."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_db_option
def ingest(paths: tuple[Path, ...], db_path: Path | None) -> None:
    """Read article files (default: seeds/) and store their articles and candidate facts.

    Idempotent: an unchanged file changes nothing; a changed file gets new candidates and keeps
    every fact a person has verified or rejected. Each file is one transaction.
    """
    from tqdm import tqdm

    from annotate.extract import Extractor
    from annotate.ingest import article_files, ingest_paths

    try:
        files = article_files(list(paths) or [DEFAULT_SEEDS])
    except AnnotateError as exc:
        raise click.ClickException(str(exc)) from exc
    if not files:
        raise click.ClickException(f"no article files (*.txt) in {', '.join(map(str, paths or [DEFAULT_SEEDS]))}")
    store = _open(db_path)
    extractor = _extractor(Extractor)
    failed = 0
    bar = tqdm(total=len(files), unit="file", disable=len(files) < 10 or None, file=sys.stderr)
    try:
        for path, result in ingest_paths(store, files, extractor):
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
    from annotate.evaluate import load_gold_facts, score_facts
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
    score = score_facts(gold_facts, candidates)
    result = {
        "facts": {
            "gold": score.gold, "extracted": score.extracted, "matched": score.matched,
            "recall": round(score.recall, 4), "precision": round(score.precision, 4),
            "zone_accuracy": round(score.zone_accuracy, 4), "metric_similarity": round(score.metric_similarity, 4),
            "agreement": {k: round(v, 4) for k, v in score.agreement.items()},
        }
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


@main.command()
@click.option("--repeat", default=5, show_default=True, help="Rounds over the seed texts; the median is reported.")
def bench(repeat: int) -> None:
    """Extraction throughput as a ratio to jieba.cut over the same text, measured in the same run."""
    from annotate.bench import run_extraction_bench

    for line in run_extraction_bench(DEFAULT_SEEDS, repeat=repeat):
        click.echo(line)


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
