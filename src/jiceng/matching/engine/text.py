"""Text similarity of a need and a resource: cosine of weighted character-bigram vectors.

Chinese needs no word segmentation for this: every pair of adjacent Han characters is a term (a run
of one character is a term of its own, a run of Latin letters or digits is one term). Each term is
weighted by a *fixed* inverse document frequency: jieba's general-corpus IDF table when the bigram is
a word there (需要 4.3, 服务 5.3, 场地 8.2, 车位 10.3: filler words count little), `FRAGMENT_IDF`
otherwise (bigrams across a word boundary, or words the table lacks). Fixed weights make the
similarity a function of the two texts alone, so `score_pair`, `rank` and `assign` agree on every
pair and a score does not move when other items join the list (decision 014).

A few pairs (`score_pair`, `rank` over a short list) are compared as dictionaries; large batches build
one sparse row per distinct text and take row-wise products.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

# Weight of a term that is not a word of jieba's IDF table. Most such bigrams straddle two words
# ("要场" in 需要场地), so they weigh about as much as a common word rather than as a rare one.
FRAGMENT_IDF = 5.0

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Up to this many pairs, plain dictionaries (with a cache of recent texts) beat building sparse matrices.
SMALL_BATCH = 500


@functools.cache
def word_idf() -> dict[str, float]:
    """IDF of the one- and two-character words in jieba's table (read without importing jieba)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("jieba is required for the matching engine's text similarity (pip install jieba)")
    path = Path(next(iter(spec.submodule_search_locations))) / "analyse" / "idf.txt"
    table: dict[str, float] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, _, value = line.rstrip("\n").partition(" ")
            if 1 <= len(word) <= 2 and value:
                table[word] = float(value)
    return table


def terms(text: str) -> Counter[str]:
    """The terms of a text with their counts (NFKC-normalised, lower case, punctuation dropped)."""
    counts: Counter[str] = Counter()
    for run in _RUNS.findall(unicodedata.normalize("NFKC", text or "").lower()):
        if len(run) > 1 and _HAN.match(run):
            counts.update(run[k:k + 2] for k in range(len(run) - 1))
        else:
            counts[run] += 1
    return counts


def term_weight(term: str) -> float:
    return word_idf().get(term, FRAGMENT_IDF)


def _weighted(text: str) -> dict[str, float]:
    """A text's L2-normalised term vector. A term counts log-sublinearly (1 + ln tf), so a repeated word
    does not swamp the rest."""
    idf = word_idf()
    vector = {term: (1.0 + math.log(count)) * idf.get(term, FRAGMENT_IDF) for term, count in terms(text).items()}
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {term: value / norm for term, value in vector.items()} if norm else {}


_cached_vector = functools.lru_cache(maxsize=8192)(_weighted)


def cosine(left: str, right: str) -> float:
    """Text similarity of two texts, in [0, 1] (0 when either is empty)."""
    a, b = _cached_vector(left or ""), _cached_vector(right or "")
    if len(a) > len(b):
        a, b = b, a
    return min(1.0, sum(value * b.get(term, 0.0) for term, value in a.items()))


def vectors(texts: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The term vectors of the distinct texts as rows of a sparse matrix, and for each input text its row."""
    distinct: dict[str, int] = {}
    row_of = np.fromiter((distinct.setdefault(t or "", len(distinct)) for t in texts), dtype=np.int64,
                         count=len(texts))
    vocabulary: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for text in distinct:
        for term, value in _weighted(text).items():
            indices.append(vocabulary.setdefault(term, len(vocabulary)))
            data.append(value)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix((np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64),
                                np.asarray(indptr, dtype=np.int64)), shape=(len(distinct), max(len(vocabulary), 1)))
    return matrix, row_of


def pair_similarities(texts: Sequence[str], left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """cosine(texts[left[k]], texts[right[k]]) for every k."""
    if len(left) <= SMALL_BATCH:
        return np.fromiter((cosine(texts[i], texts[j]) for i, j in zip(left.tolist(), right.tolist(), strict=True)),
                           dtype=np.float64, count=len(left))
    matrix, rows = vectors(texts)
    left, right = rows[left], rows[right]
    # Computed once per distinct pair of texts: lists repeat their wording a lot.
    key = left * matrix.shape[0] + right
    unique, inverse = np.unique(key, return_inverse=True)
    a, b = np.divmod(unique, matrix.shape[0])
    cosines = np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
    return np.clip(cosines, 0.0, 1.0)[inverse.ravel()]
