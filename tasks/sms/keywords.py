"""What an incoming SMS asks for: its keyword and arguments, whatever the case, accents or punctuation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from malux.settings import get_settings

_WORD = re.compile(r"[a-z0-9']+")
# Bambara's own letters, as a phone without them makes people write them: "bɛnɛ" is "bene", "sɔngɔ" "songo".
_BAMBARA = str.maketrans({"ɛ": "e", "ɔ": "o", "ɲ": "ny", "ŋ": "ng"})
PRICE, HELP, STOP, START, UNKNOWN = "price", "help", "stop", "start", "unknown"
SUBSCRIBE, UNSUBSCRIBE = "subscribe", "unsubscribe"


def fold(text: str) -> str:
    """Lower case without accents, so "Ségou", "SEGOU" and "segou" are one name (and "Bɛnɛ" is "bene")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_BAMBARA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Request:
    """An incoming message as MALUX reads it: a keyword (price, help, stop, start, unknown) and its words."""

    keyword: str
    words: tuple[str, ...]


@cache
def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def keywords_config(config_dir: Path | None = None) -> dict:
    """config/sms/keywords.yaml: keywords, products, reply templates."""
    return _read(((config_dir or get_settings().config_dir) / "sms" / "keywords.yaml").resolve())


def parse(text: str | None, config: dict) -> Request:
    """The first word names the keyword (any of its French or Bambara words); the rest are its arguments."""
    words = tuple(_WORD.findall(fold(text or "").replace("’", "'")))
    if not words:
        return Request(UNKNOWN, ())
    for keyword, spellings in config["keywords"].items():
        if words[0] in {fold(s) for s in spellings}:
            return Request(keyword, words[1:])
    return Request(UNKNOWN, words)


def product_of(word: str, config: dict) -> str | None:
    """The product a subscriber's word names (sesame, bene, …), or None."""
    for product, spellings in config["products"].items():
        if fold(word) in {fold(s) for s in spellings}:
            return product
    return None
