"""The one jieba tokenizer of the project: jieba's dictionary plus every zone name and the domain's terms."""

from __future__ import annotations

import logging
from functools import cache

import jieba
import jieba.posseg

from .gazetteer import Gazetteer
from .vocab import vocab

DOMAIN_WORDS = vocab().metric_words.domain_words


@cache
def tokenizer_for(gaz: Gazetteer) -> jieba.Tokenizer:
    """Built once per gazetteer (jieba otherwise reads 高新区 as a person's name)."""
    jieba.setLogLevel(logging.WARNING)  # jieba announces loading its dictionary on stderr
    tok = jieba.Tokenizer()
    tok.initialize()
    for z in gaz.zones:
        for form in gaz.text_forms(z):
            tok.add_word(form, freq=2000, tag="ns")
    for r in gaz.regions:
        tok.add_word(r.name, freq=2000, tag="ns")
    for word in DOMAIN_WORDS:
        tok.add_word(word, freq=2000, tag="n")
    return tok


@cache
def pos_tokenizer_for(gaz: Gazetteer) -> jieba.posseg.POSTokenizer:
    return jieba.posseg.POSTokenizer(tokenizer_for(gaz))
