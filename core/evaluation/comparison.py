"""Comparing ranked lists from different models: overlap@k and rank-biased overlap (Webber et al. 2010)."""
from __future__ import annotations


def overlap_at_k(a: list[str], b: list[str], k: int) -> float:
    """Share of the top-k items the two lists have in common (|A∩B| / k)."""
    if k <= 0:
        return 0.0
    return len(set(a[:k]) & set(b[:k])) / k


def rbo(a: list[str], b: list[str], p: float = 0.9) -> float:
    """Rank-biased overlap, extrapolated (RBO_ext) for finite, possibly unequal-length lists.

    Top-weighted: agreement near the top counts most; 1.0 for identical lists, 0.0 for disjoint ones.
    """
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    s, l = (a, b) if len(a) <= len(b) else (b, a)
    s_len, l_len = len(s), len(l)
    seen_s, seen_l = set(), set()
    overlap = 0
    total = 0.0
    x_s = 0
    for d in range(1, l_len + 1):
        x_l = l[d - 1]
        if d <= s_len:
            x_s = s[d - 1]
            if x_s == x_l:
                overlap += 1
            else:
                overlap += (x_s in seen_l) + (x_l in seen_s)
            seen_s.add(x_s)
        else:
            overlap += x_l in seen_s
        seen_l.add(x_l)
        if d == s_len:
            x_at_s = overlap
        total += overlap / d * p ** d
    x_at_l = overlap
    # Webber et al. eq. 32: extrapolation assuming agreement continues at the observed rate
    tail = sum(x_at_s * (d - s_len) / (s_len * d) * p ** d for d in range(s_len + 1, l_len + 1))
    return float((1 - p) / p * (total + tail) + ((x_at_l - x_at_s) / l_len + x_at_s / s_len) * p ** l_len)


def unique_items(lists: dict[str, list[str]]) -> dict[str, set[str]]:
    """Per model, the items no other model found."""
    out = {}
    for name, items in lists.items():
        others = set().union(*(set(v) for n, v in lists.items() if n != name)) if len(lists) > 1 else set()
        out[name] = set(items) - others
    return out
