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
_STOP_CHARS = frozenset("的了是在和与及对向被把我他她们有也就都而但又给将让")
PETITION_BOILERPLATE = (
    "反映",
    "举报",
    "投诉",
    "要求",
    "请求",
    "希望",
    "问题",
    "情况",
    "多次",
    "一直",
    "至今",
    "再次",
    "我们",
    "我家",
    "我的",
    "某",
    "公司",
    "单位",
    "企业",
    "政府",
    "部门",
    "有关",
    "相关",
    "严重",
    "无果",
    "未果",
    "解决",
    "处理",
    "不给",
    "没有",
    "仍然",
    "已经",
    "导致",
    "影响",
    "进行",
    "存在",
)
"""Words nearly every petition uses: shared, they say nothing about the matter."""


def normalise(text: str, *, drop: tuple[str, ...] = ()) -> str:
    """Width- and case-folded, without punctuation, boilerplate, function characters and
    the given phrases (e.g. the accused's names, compared separately)."""
    text = unicodedata.normalize("NFKC", text).lower()
    for phrase in (*drop, *PETITION_BOILERPLATE):
        text = text.replace(phrase.lower(), "")
    return "".join(ch for ch in _NOISE.sub("", text) if ch not in _STOP_CHARS)


def ngrams(text: str, n: int = 2) -> Counter[str]:
    """Character n-grams of an already normalised text."""
    if len(text) < n:
        return Counter([text] if text else [])
    return Counter(text[i : i + n] for i in range(len(text) - n + 1))


def dice(a: str, b: str, n: int = 2) -> float:
    """Sørensen–Dice coefficient of two normalised texts' character n-gram multisets."""
    left, right = ngrams(a, n), ngrams(b, n)
    total = sum(left.values()) + sum(right.values())
    if total == 0:
        return 0.0
    return 2 * sum((left & right).values()) / total


def containment(a: str, b: str, n: int = 2) -> float:
    """How much of the shorter normalised text's n-grams the longer one contains, in [0, 1]:
    a short resubmission quoting part of a long first petition still scores high."""
    left, right = ngrams(a, n), ngrams(b, n)
    smaller = min(sum(left.values()), sum(right.values()))
    if smaller == 0:
        return 0.0
    return sum((left & right).values()) / smaller
