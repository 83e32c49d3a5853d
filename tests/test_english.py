"""English pages (annotate/english.py): amounts in dollars, counts, ranks and shares in words, periods, furniture."""

from __future__ import annotations

from annotate.english import english_period, read_english


def facts(text: str, carried: str | None = None):
    return {text[f.start : f.end]: f for f in read_english(text, carried)}


def test_a_dollar_sign_names_the_currency():
    (f,) = facts("Actual use of foreign capital reached US$2.35 billion.").values()
    assert (f.value, f.unit, f.metric) == (23.5, "亿美元", "实际使用外资")


def test_units_of_vehicles_are_vehicles_and_the_output_takes_its_object():
    found = facts("Output of new energy vehicles reached 124,000 units, 1.5 times that of last year.")
    units = found["124,000 units"]
    assert (units.value, units.unit, units.metric) == (124000, "辆", "新能源汽车产量")
    assert found["1.5 times"].metric == "新能源汽车产量倍数"


def test_new_businesses_are_counted_in_家():
    (f,) = facts("The park registered 1,208 new businesses in the period.").values()
    assert (f.value, f.unit, f.metric) == (1208, "家", "新增市场主体")


def test_a_rank_and_a_share_in_words():
    found = facts("The zone ranked fifth among the 178 national high-tech zones.")
    assert (found["fifth"].value, found["fifth"].kind) == (5, "rank")
    assert found["178 national high-tech zones"].zone == "全国"
    share = facts("Exports were 4.2 billion yuan, accounting for about a quarter of the city's total.")["a quarter"]
    assert (share.value, share.unit, share.qualifier, share.kind) == (0.25, "比例", "about", "share")


def test_ordinals_and_fractions_that_are_no_rank_or_share():
    assert facts("For the first time, half of the firms exported.") == {}


def test_a_proper_name_names_no_measure():
    (f,) = facts("The Suzhou Development Area achieved a regional GDP of 52.1 billion yuan.").values()
    assert f.metric == "地区生产总值"


def test_a_related_line_is_furniture():
    assert facts("Related: Park signs 12 projects worth 8 billion yuan | 3 things to know about the zone") == {}


def test_the_period_in_words_holds_for_the_paragraphs_after_it():
    first = "In the first half of 2023, the zone's GDP rose 6.1 percent."
    assert facts(first)["6.1 percent"].period == "2023-1~6"
    carried = english_period(first)
    assert facts("Fixed-asset investment rose 3.2 percent.", carried)["3.2 percent"].period == "2023-1~6"
