"""annotate/text.py: decoding article files (or refusing them with a reason), and folding with offsets kept."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from annotate.errors import InputError
from annotate.text import decode_source, fold, read_source

SAMPLE = "青岛高新区共394项行政权力事项，𠮷祥企业３５家。"


# ── decoding ──────────────────────────────────────────────────────────────────────────────────
def test_utf8(write):
    path = write("a.txt", SAMPLE)
    source = read_source(path)
    assert source.text == SAMPLE
    assert source.encoding == "utf-8"
    assert source.path == path
    assert source.sha256 == hashlib.sha256(SAMPLE.encode("utf-8")).hexdigest()


def test_utf8_with_bom_is_utf8_sig_and_the_bom_is_not_text(write):
    data = b"\xef\xbb\xbf" + SAMPLE.encode("utf-8")
    source = read_source(write("a.txt", data))
    assert source.encoding == "utf-8-sig"
    assert source.text == SAMPLE  # offsets count from the first real character
    assert source.sha256 == hashlib.sha256(data).hexdigest()


def test_gbk_bytes_decode_as_gb18030(write):
    text = "青岛高新区共394项"
    source = read_source(write("gbk.txt", text.encode("gbk")))
    assert source.encoding == "gb18030"
    assert source.text == text


def test_gb18030_only_character_decodes(write):
    text = "𠮷祥：青岛高新区共394项"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")  # the point of the test: GBK cannot say 𠮷
    source = read_source(write("gb18030.txt", data))
    assert source.encoding == "gb18030"
    assert source.text == text


def test_decode_source_agrees_with_read_source(write):
    data = SAMPLE.encode("gb18030")
    path = write("a.txt", data)
    assert decode_source(path, data) == read_source(path)


def _input_error(path, **kw) -> str:
    with pytest.raises(InputError) as info:
        read_source(path, **kw)
    return str(info.value)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\r\n  \n", "empty file"),
        ("\u3000\u3000\n\u3000".encode(), "empty file"),  # full-width spaces only
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        ("青岛\x00高新区".encode(), "binary file"),
    ],
    ids=["empty", "whitespace", "fullwidth-whitespace", "png", "nul-in-text"],
)
def test_unreadable_content_is_refused_with_file_and_reason(write, content, reason):
    path = write("bad.txt", content)
    message = _input_error(path)
    assert str(path) in message
    assert reason in message


def test_random_bytes_are_refused(write):
    data = random.Random(20240601).randbytes(4096)
    assert b"\x00" in data
    message = _input_error(write("noise.bin", data))
    assert "noise.bin" in message
    assert "binary" in message


def test_random_bytes_without_nul_are_refused(write):
    data = random.Random(7).randbytes(4096).replace(b"\x00", b"\x01")
    message = _input_error(write("noise.txt", data))
    assert "noise.txt" in message
    assert "not text" in message


def test_control_characters_in_valid_utf8_are_refused(write):
    data = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\n\r\t\f") * 10
    message = _input_error(write("controls.txt", data))
    assert "controls.txt" in message
    assert "not text" in message


def test_file_over_the_size_limit_is_refused_before_reading(write):
    path = write("big.txt", "青岛" * 100)
    message = _input_error(path, max_bytes=100)
    assert str(path) in message
    assert "too large" in message
    assert "600" in message  # the size, so the person sees how far over it is


def test_file_at_the_size_limit_is_read(write):
    path = write("edge.txt", "a" * 100)
    assert read_source(path, max_bytes=100).text == "a" * 100


def test_missing_path(tmp_path):
    path = tmp_path / "nope.txt"
    message = _input_error(path)
    assert str(path) in message
    assert "no such file" in message


def test_directory(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    message = _input_error(folder)
    assert str(folder) in message
    assert "directory" in message


# ── folding ───────────────────────────────────────────────────────────────────────────────────
def _find(folded, needle: str) -> tuple[int, int]:
    at = folded.text.index(needle)
    return folded.span(at, at + len(needle))


def test_fold_full_width_digits_and_punctuation():
    source = "２０２１年，共３５家％"
    folded = fold(source, [(0, len(source))])
    assert folded.text == "2021年,共35家%"
    assert len(folded.origin) == len(folded.text)


@pytest.mark.parametrize(
    ("needle", "original"),
    [("2021年", "２０２１年"), ("35家%", "３５家％"), (",共", "，共"), ("%", "％")],
)
def test_fold_span_maps_back_to_the_source(needle, original):
    source = "２０２１年，共３５家％"
    start, end = _find(fold(source, [(0, len(source))]), needle)
    assert source[start:end] == original


def test_fold_span_after_astral_characters_counts_code_points():
    source = "😀𠮷导语：２０２１年，共３５家％"
    begin = source.index("２")
    folded = fold(source, [(begin, len(source))])
    assert folded.text == "2021年,共35家%"
    start, end = _find(folded, "35家")
    assert (start, end) == (len(source) - 4, len(source) - 1)
    assert source[start:end] == "３５家"


def test_fold_span_across_joined_pieces():
    source = "😀标题\n\n２０２１年，\n\n共３５家％。"
    first = (source.index("２"), source.index("，") + 1)
    second = (source.index("共"), len(source))
    folded = fold(source, [first, second])
    assert folded.text == "2021年,共35家%。"
    start, end = _find(folded, "年,共3")
    assert source[start:end] == "年，\n\n共３"
    start, end = _find(folded, "35家")
    assert source[start:end] == "３５家"


def test_fold_characters_that_expand_keep_later_offsets_right():
    source = "𠮷占地１０㎡……共３５家"
    folded = fold(source, [(0, len(source))])
    assert folded.text == "𠮷占地10m2......共35家"
    assert len(folded.origin) == len(folded.text)
    start, end = _find(folded, "10m2")
    assert source[start:end] == "１０㎡"
    start, end = _find(folded, "35家")
    assert source[start:end] == "３５家"


def test_fold_of_a_decoded_file_points_into_the_file_text(write):
    text = "𠮷😀\n青岛高新区２０２１年新增企业３５家，\n\n增长１２．５％。"
    source = read_source(write("a.txt", text.encode("gb18030")))
    pieces = [(0, source.text.index("\n\n")), (source.text.index("增长"), len(source.text))]
    folded = fold(source.text, pieces)
    for needle, original in [("35家", "３５家"), ("12.5%", "１２．５％"), ("2021年", "２０２１年")]:
        start, end = _find(folded, needle)
        assert source.text[start:end] == original


# ── files that are not regular files, and files that grow ───────────────────────────────────
def test_a_symlink_to_a_device_is_refused_without_reading(tmp_path):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")  # read_bytes() would grow without end
    message = _input_error(link)
    assert str(link) in message and "not a regular file" in message and "character device" in message


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    import os
    import threading

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome: list[str] = []

    def read() -> None:
        try:
            read_source(fifo)
            outcome.append("read")
        except InputError as exc:
            outcome.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # blocked opening the pipe: let it go, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(5)
        pytest.fail("reading a FIFO blocked")
    assert outcome and "not a regular file" in outcome[0] and "FIFO" in outcome[0]


def test_a_folder_reports_its_non_regular_article_files_rather_than_reading_them(tmp_path):
    from annotate.ingest import article_files

    (tmp_path / "a.txt").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    files = article_files([tmp_path])
    assert [p.name for p in files] == ["a.txt", "zero.txt"]  # listed, so the ingest reports it
    assert "not a regular file" in _input_error(files[1])


def test_the_size_limit_holds_while_reading_a_file_whose_size_is_not_known_in_advance(tmp_path):
    status = Path("/proc/self/status")  # a regular file whose stat size is 0 but that has ~1 KB to read
    assert status.exists() and status.stat().st_size == 0, "this project runs on Linux, which has /proc"
    link = tmp_path / "status.txt"
    link.symlink_to(status)
    message = _input_error(link, max_bytes=100)
    assert "too large" in message and "the limit is 100" in message


# ── control characters ──────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("control", ["\x1b", "\x07", "\x08", "\x7f", "\x85", "\x1a"])
def test_a_single_control_character_is_refused_with_where_it_is(write, control):
    text = "青岛高新区共394项行政权力事项。\n" * 50 + f"大连高新区{control}[31m发明专利超过8000件。\n"
    message = _input_error(write("esc.txt", text))
    assert "esc.txt" in message and "not text" in message
    assert f"U+{ord(control):04X}" in message and "line 51" in message


def test_tabs_line_and_page_breaks_are_text(write):
    text = "青岛高新区\t共394项\r\n行政权力事项。\f\v大连高新区发明专利超过8000件。\n"
    assert read_source(write("ok.txt", text)).text == text
