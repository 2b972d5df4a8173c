"""Text length as a condition W-BERT must hold up under: titles, the short texts most postings are, long ones.

The labelled postings here are short (worknet-2024 title + a duty snippet, Seoul 2023 list titles: none
reaches 200 characters), but a real 고용24 detail page is long, and a plain mean over every token of a long
text drowns the few tokens that name the job. A long text is therefore built the way a full posting reads:
the posting's own text and its occupation-neutral fields (place, career, education, wage, days), then other
postings' neutral fields until it is `LONG_CHARS` to three times that long. Only the posting's own text
names the job, so this is the dilution test itself. Training draws its filler from training postings and
evaluation from test postings: the model is never tested with filler it trained on.
"""
from __future__ import annotations

import random

BUCKETS = ("title", "short", "long")
LONG_CHARS = 200  # 'long' from here (the bucket edge)


def bucket(text: str) -> str:
    return "short" if len(text) < LONG_CHARS else "long"


def lengthen(text: str, context: str, pool: list[str], rng: random.Random, target: int) -> str:
    """`text` with its own neutral fields, then neutral fields drawn from `pool` until `target` characters."""
    parts = [text, context]
    size = len(text) + len(context)
    while size < target and pool:
        extra = pool[rng.randrange(len(pool))]
        parts.append(extra)
        size += len(extra) + 1
    return " ".join(x for x in parts if x)


def long_text(data, i: int, pool: list[str], rng: random.Random) -> str:
    return lengthen(data.texts[i], data.context(i), pool, rng, rng.randint(LONG_CHARS, 3 * LONG_CHARS))


def neutral_text(pool: list[str], rng: random.Random) -> str:
    """Neutral fields of postings alone (from one up to the longest filler a long text gets): a text that names
    no job, for training rows that carry none to favour no class."""
    return lengthen("", pool[rng.randrange(len(pool))], pool, rng, rng.randint(1, 3 * LONG_CHARS))


def length_views(data, idx: list[int], seed: int = 0) -> dict[str, list[str]]:
    """Three texts per labelled posting in `idx`: its title, its text as given, and its long form (filler
    from the neutral fields of the postings in `idx` only)."""
    rng = random.Random(seed)
    pool = [c for c in (data.context(i) for i in idx) if c]
    return {"title": [data.title(i) for i in idx], "text": [data.texts[i] for i in idx],
            "long": [long_text(data, i, pool, rng) for i in idx]}


def bucketed(views: dict[str, list[str]], y: list[str], preds: dict[str, list[str]]) -> dict[str, tuple[list, list]]:
    """(true, predicted) per bucket: 'title' from the title view, 'short'/'long' from the other views by length."""
    out: dict[str, tuple[list, list]] = {b: ([], []) for b in BUCKETS}
    for name, texts in views.items():
        for text, t, p in zip(texts, y, preds[name]):
            b = "title" if name == "title" else bucket(text)
            out[b][0].append(t)
            out[b][1].append(p)
    return out
