"""Text similarity of a need and a resource: cosine of weighted character-bigram vectors.

Chinese needs no word segmentation for this: every pair of adjacent Han characters is a term (a run
of one character is a term of its own, a run of Latin letters or digits is one term). Each term is
weighted by a *fixed* inverse document frequency: jieba's general-corpus IDF table when the bigram is
a word there (需要 4.3, 服务 5.3, 场地 8.2, 车位 10.3: filler words count little), `FRAGMENT_IDF`
otherwise (bigrams across a word boundary, or words the table lacks). Fixed weights make the
similarity a function of the two texts alone, so `score_pair`, `rank` and `assign` agree on every
pair and a score does not move when other items join the list (decision 014).

Vectors are built once per distinct text of a call and compared pairwise with sparse row products.
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


def vectors(texts: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """L2-normalised term vectors of the distinct texts, and for each input text its row.

    A term counts log-sublinearly (1 + ln tf) so a repeated word does not swamp the rest.
    """
    distinct: dict[str, int] = {}
    row_of = np.fromiter((distinct.setdefault(t or "", len(distinct)) for t in texts), dtype=np.int64,
                         count=len(texts))
    idf = word_idf()
    vocabulary: dict[str, int] = {}
    weights: list[float] = []
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for text in distinct:
        for term, count in terms(text).items():
            column = vocabulary.get(term)
            if column is None:
                column = vocabulary[term] = len(weights)
                weights.append(idf.get(term, FRAGMENT_IDF))
            indices.append(column)
            data.append((1.0 + math.log(count)) * weights[column])
        indptr.append(len(indices))
    matrix = sparse.csr_matrix((np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64),
                                np.asarray(indptr, dtype=np.int64)), shape=(len(distinct), max(len(weights), 1)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.diags(1.0 / norms) @ matrix
    return matrix.tocsr(), row_of


def pair_cosines(matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Cosine similarity of rows left[k] and right[k] of `matrix` for every k (0 for an empty text)."""
    if len(left) == 0:
        return np.zeros(0)
    # Computed once per distinct pair of texts: lists repeat their wording a lot.
    key = left.astype(np.int64) * matrix.shape[0] + right
    unique, inverse = np.unique(key, return_inverse=True)
    a, b = np.divmod(unique, matrix.shape[0])
    products = matrix[a].multiply(matrix[b])
    cosines = np.asarray(products.sum(axis=1)).ravel()
    return np.clip(cosines, 0.0, 1.0)[inverse.ravel()]
