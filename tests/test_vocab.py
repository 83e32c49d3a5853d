"""annotate/vocab.py and config/: the domain's words are listed once, in config/, and ship with the package.

A word list copied into Python (a tuple of count units in the scorer, a regex of growth words in the extractor)
drifts from the one in config/ — issue 14 found growth words that differ between the extractor and the scorer,
and count units listed four times. These tests fail when that happens again.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotate.errors import AnnotateError
from annotate.vocab import CONFIG_DIR, alternation, read_config, vocab

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for pkg in ("annotate", "bot") for p in (ROOT / pkg).rglob("*.py"))
CONFIG_FILES = ("vocab.toml", "zones.toml", "synonyms.toml", "indicators.toml", "labeling.xml")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
# Lists of common words (every unit, every function word): three of them together in a rule are grammar, not a
# copy of the list. Lists named for one purpose (count units, growth words, zone suffixes …) are checked.
BROAD = {
    "vocab.toml:units.measure",
    "vocab.toml:question.how_many_units",
    "vocab.toml:question.guess_units",
    "vocab.toml:metric_words.lead_stop",
    "vocab.toml:metric_words.trail_stop",
    "synonyms.toml:filler.words",
}


def _configured(node: object, path: str) -> Iterator[tuple[str, frozenset[str]]]:
    """Every word list (and every table keyed by words) of a parsed TOML file, by dotted name."""
    if isinstance(node, dict):
        if node and all(isinstance(v, str | int) for v in node.values()) and any(map(_HAN.search, node)):
            yield path, frozenset(node)
        for key, value in node.items():
            yield from _configured(value, f"{path}.{key}" if not path.endswith(":") else f"{path}{key}")
    elif isinstance(node, list) and node and all(isinstance(x, str) for x in node):
        yield path, frozenset(node)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _configured(item, f"{path}.{i}")


def configured_lists() -> list[tuple[str, frozenset[str]]]:
    return [
        (name, words)
        for f in ("vocab.toml", "synonyms.toml", "indicators.toml")
        for name, words in _configured(read_config(f), f"{f}:")
        if len(words) >= 3 and not name.endswith(".variants")  # an indicator's variants are kinds, not words
    ]


def _pure_alternation(pattern: str) -> list[str] | None:
    """The words of a regex that is only words and alternation (增长|增速|增加(?!值), (?:来着|呢)+$), else None."""
    bare = re.sub(r"\(\?<?[!=][^)]*\)", "", pattern)  # lookarounds say where, not what
    words = [w for w in re.split(r"[|()?:^$+*]+", bare) if w]
    return words if len(words) >= 3 and all(_HAN.fullmatch(w) for w in words) else None


def literal_words(node: ast.AST) -> list[str] | None:
    """The Chinese words of a literal that is a word list: a tuple, list, set or dict of words, or a regex that
    alternates words. None for anything else."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        items = node.elts
    elif isinstance(node, ast.Dict):
        items = [k for k in node.keys if k is not None]
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        if "|" in node.value:
            return _pure_alternation(node.value)
        if "\n" in node.value:  # set("""共有 建成 …""".split())
            words = node.value.split()
            return words if len(words) >= 3 and all(_HAN.fullmatch(w) for w in words) else None
        return None
    else:
        return None
    words = [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]
    han = [w for w in words if _HAN.fullmatch(w)]
    return han if len(han) >= 3 else None


def copies_of_configured_lists(sources: list[Path]) -> list[str]:
    """Literals of three or more words, all of them in one configured list: that list, defined a second time."""
    lists = [(name, words) for name, words in configured_lists() if name not in BROAD]
    found = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            words = literal_words(node)
            if not words:
                continue
            for name, configured in lists:
                if set(words) <= configured:
                    found.append(f"{path.name}:{node.lineno}: {'|'.join(words)} repeats {name}")
    return found


def test_no_word_list_is_defined_twice():
    found = copies_of_configured_lists(SOURCES)
    assert not found, "word lists belong in config/vocab.toml, read through annotate/vocab.py:\n" + "\n".join(found)


def test_no_word_list_is_written_twice_in_python():
    """Two literals of the same three or more words, in annotate/ or bot/, are one list to put in config/."""
    seen: dict[frozenset[str], str] = {}
    twice = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            words = literal_words(node)
            if words:
                where = f"{path.name}:{node.lineno}"
                if frozenset(words) in seen:
                    twice.append(f"{seen[frozenset(words)]} and {where}: {'|'.join(words)}")
                seen.setdefault(frozenset(words), where)
    assert not twice, twice


@pytest.mark.parametrize(
    "source",
    [
        '_COUNT = ("家", "个", "户")',  # count units, a fifth time
        '_ASKS_GROWTH = re.compile("增长|增速|增幅|同比|新增|净增|增加(?!值)")',  # the scorer's growth words
        "_PARTICLES = re.compile(r'(?:来着|呢|啊|呀)+$')",
        '_SUFFIX = {"高新区": 1, "经开区": 2, "综合保税区": 3}',
        'STOP = set("""\n 净增 全部 其中\n""".split())',
    ],
)
def test_a_copied_list_is_found(tmp_path, source):
    copy = tmp_path / "copy.py"
    copy.write_text(f"import re\n{source}\n", encoding="utf-8")
    assert copies_of_configured_lists([copy])


def test_rules_are_not_word_lists():
    """A regex with more than words in it is a rule (a place, a shape), not a list to move."""
    assert (
        literal_words(ast.parse('re.compile(r"完成(?:了)?[^,;。]{0,8}(?:计划|目标|任务)的?$")').body[0].value.args[0])
        is None
    )
    assert literal_words(ast.parse('re.compile(r"(\\d+)(家|个)")').body[0].value.args[0]) is None
    assert literal_words(ast.parse('("家", "个")').body[0].value) is None  # two words are not a list


def test_no_list_is_configured_twice():
    """Two named lists with the same words are one list (where users disagree, the lists differ)."""
    seen: dict[frozenset[str], str] = {}
    twice = []
    for name, words in configured_lists():
        if words in seen:
            twice.append(f"{seen[words]} = {name}")
        seen.setdefault(words, name)
    assert not twice, twice


# ── the vocabulary as typed accessors ──────────────────────────────────────────────────────────────
def test_the_vocabulary_is_read_once_and_frozen():
    v = vocab()
    assert vocab() is v
    with pytest.raises(AttributeError):
        v.units = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        v.qualifiers.before["超"] = "about"  # type: ignore[index]
    assert isinstance(v.units.measure, tuple) and isinstance(v.units.count, frozenset)


def test_the_lists_the_issue_named():
    v = vocab()
    assert {"家", "个", "项", "件", "户"} <= v.units.count
    assert v.units.measure.index("个工作日") < v.units.measure.index("个")  # longest first
    # the extractor's and the scorer's growth words disagree (issue 14), and both are kept as they were
    assert {"提升", "下降"} <= set(v.growth.changes) and not {"提升", "下降"} & set(v.growth.in_questions)
    assert "新增" in v.growth.in_questions and "新增" not in (*v.growth.changes, *v.growth.increases)
    assert v.relative_years["去年"] == 1
    assert v.asked_years["去年"] == (0, False)  # in a question: the latest full-year figures
    assert v.zones.full_forms["高新区"][0] == "高新技术产业开发区"


@pytest.mark.parametrize(
    ("words", "unless", "text", "found"),
    [
        (("增长", "增加"), ("增加值",), "工业增加值", None),
        (("增长", "增加"), ("增加值",), "增加5家", "增加"),
        (("家", "人"), ("人才", "人口"), "人才", None),
        (("%", "?"), (), "?", "?"),  # regex characters are words too
    ],
)
def test_alternation(words, unless, text, found):
    m = re.search(alternation(words, unless), text)
    assert (m.group() if m else None) == found


def test_a_broken_vocabulary_names_its_file(tmp_path, monkeypatch):
    import annotate.vocab as module

    (tmp_path / "vocab.toml").write_text("[units]\nmeasure = 3\n", encoding="utf-8")
    monkeypatch.setattr(module, "CONFIG_DIR", tmp_path)
    module.vocab.cache_clear()
    try:
        with pytest.raises(AnnotateError, match="vocab.toml"):
            module.vocab()
    finally:
        monkeypatch.undo()
        module.vocab.cache_clear()
    assert module.vocab().units.measure


def test_the_cli_names_a_broken_vocabulary_in_one_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import annotate.vocab as module
    from bot.cli import main

    (tmp_path / "vocab.toml").write_text("[units\n", encoding="utf-8")
    monkeypatch.setattr(module, "CONFIG_DIR", tmp_path)
    module.vocab.cache_clear()
    try:
        result = CliRunner().invoke(main, ["facts", "--db", str(tmp_path / "gaoxin.db")])
    finally:
        monkeypatch.undo()
        module.vocab.cache_clear()
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "vocab.toml: cannot load the vocabulary" in result.output
    assert "Traceback" not in result.output


# ── config/ ships as package data ──────────────────────────────────────────────────────────────────
def test_config_is_found_through_the_package():
    from importlib.resources import files

    assert Path(str(files("gaoxin_config"))).resolve() == CONFIG_DIR.resolve()
    for name in CONFIG_FILES:
        assert (CONFIG_DIR / name).is_file(), name


def test_pyproject_ships_every_config_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "gaoxin_config" in project["packages"] and project["package-dir"]["gaoxin_config"] == "config"
    globs = project["package-data"]["gaoxin_config"]
    for path in (ROOT / "config").iterdir():
        if path.suffix != ".py" and path.is_file():
            assert any(path.match(g) for g in globs), f"config/{path.name} is not package data"


@pytest.mark.slow
def test_a_wheel_carries_config_and_reads_it(tmp_path):
    """Built as a wheel (not an editable install), the package finds its vocabulary and gazetteer."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("gaoxin-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert {f"gaoxin_config/{n}" for n in CONFIG_FILES} <= names
        z.extractall(tmp_path / "site")
    # The unpacked wheel comes first on the path (the editable finder is consulted after it).
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import annotate.vocab as v, annotate.gazetteer as g;"
        "assert v.__file__.startswith(sys.argv[1]) and str(v.CONFIG_DIR).startswith(sys.argv[1]), v.CONFIG_DIR;"
        "assert v.vocab().units.count and len(g.load_gazetteer().zones) > 400"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "site")], check=True)
