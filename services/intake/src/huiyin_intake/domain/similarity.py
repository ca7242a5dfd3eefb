"""Text similarity that works on Chinese: character n-grams, no word segmentation, no model.

Chinese has no spaces, so words are not at hand; overlapping character bigrams (plus
unigrams for very short texts) capture rewordings well: '拖欠工资三个月' and '三个月工资被拖欠'
share most of their bigrams. Punctuation, spaces and ASCII case are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_NOISE = re.compile(r"[\W_]+", re.UNICODE)
_STOP = frozenset("的了是在和与及对向被把我我们他他们她有也就都而但又")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in _NOISE.sub("", text) if ch not in _STOP)


def ngrams(text: str, n: int = 2) -> Counter[str]:
    text = normalise(text)
    if len(text) < n:
        return Counter([text] if text else [])
    return Counter(text[i : i + n] for i in range(len(text) - n + 1))


def dice(a: str, b: str, n: int = 2) -> float:
    """Sørensen–Dice coefficient of the two texts' character n-gram multisets, in [0, 1]."""
    left, right = ngrams(a, n), ngrams(b, n)
    total = sum(left.values()) + sum(right.values())
    if total == 0:
        return 0.0
    return 2 * sum((left & right).values()) / total


def containment(a: str, b: str, n: int = 2) -> float:
    """How much of the shorter text's n-grams the longer one contains, in [0, 1]: a short
    resubmission quoting part of a long first petition still scores high."""
    left, right = ngrams(a, n), ngrams(b, n)
    smaller = min(sum(left.values()), sum(right.values()))
    if smaller == 0:
        return 0.0
    return sum((left & right).values()) / smaller
