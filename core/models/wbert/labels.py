"""Every labelled text W-BERT can learn from, and the one split every report shares.

Sources: the demo corpus, or the real ones together — worknet-2024 (titles + duty snippets, 111 middle
codes), worknet-seoul-2023 (8,557 API list titles with jobsCd) and the KEIS standard job descriptions
(duties, abilities, majors and certificates of 408 occupations, named, not coded: their names are mapped
to codes through the code table, and a name that does not map goes to `rejects` with its reason, never
into a wrong label). The split is stratified by middle category and fixed by seed, so major- and
middle-level reports, both variants and the baselines see the same test postings; KEIS rows describe
occupations, not postings, so they only ever train.
"""
from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field

from ...data import keco
from ...data.occupations import matcher
from ...data.standard_jobs import KEIS_FILE
from ...locations import here

KEIS_DOWNLOAD = "data.go.kr: 한국고용정보원_구인표준직무기술서 (파일 데이터)"
REAL_SOURCES = ("worknet-2024", "worknet-seoul-2023", "keis")
LABEL_MIN_SCORE = 0.6  # a training label must be sure: below this the name's nearest code was wrong as often as not
LEVELS = {"major": keco.major_of, "middle": keco.middle_of}
LEVEL_NAMES = {"major": "대분류", "middle": "중분류"}  # how every page and card line names a level


@dataclass
class Split:
    train: list[int]
    val: list[int]
    test: list[int]


@dataclass
class LabelledSet:
    texts: list[str]
    codes: list[str]  # as given (6-digit detailed, 3-digit middle)
    sources: list[str]
    ids: list[str]  # posting ids; 'keis:<row>' for KEIS rows
    note: str
    rejects: list[dict] = field(default_factory=list)  # {'source', 'row', 'name', 'reason'}
    titles: list[str] = field(default_factory=list)  # the posting's title alone ('' for KEIS rows)
    contexts: list[str] = field(default_factory=list)  # its occupation-neutral fields: place, career, wage

    def title(self, i: int) -> str:
        return self.titles[i] if i < len(self.titles) and self.titles[i] else self.texts[i]

    def context(self, i: int) -> str:
        return self.contexts[i] if i < len(self.contexts) else ""

    def labels(self, level: str) -> list[str]:
        return [LEVELS[level](c) or "" for c in self.codes]

    def split(self, seed: int = 42) -> Split:
        """Stratified by middle category; KEIS rows and singleton labels go to train."""
        middles = self.labels("middle")
        rng = random.Random(seed)
        by: dict[str, list[int]] = {}
        out = Split([], [], [])
        for i, (y, src) in enumerate(zip(middles, self.sources)):
            (out.train.append(i) if src == "keis" else by.setdefault(y, []).append(i))
        for y in sorted(by):
            idx = by[y]
            rng.shuffle(idx)
            n_test = round(len(idx) * 0.2) if len(idx) >= 5 else 0
            n_val = round(len(idx) * 0.1) if len(idx) >= 10 else 0
            out.test += idx[:n_test]
            out.val += idx[n_test:n_test + n_val]
            out.train += idx[n_test + n_val:]
        return out


def neutral_fields(p) -> str:
    """What a full posting says besides its job: place, career, education, wage, days, hours (not the
    company, whose name can name a trade; never the 직종 code or a name derived from it). Long texts are
    built from these, see lengths.py."""
    parts = [p.display_region, p.career or p.reqCareer, p.minEdubg or p.reqEduc,
             f"{p.salTpNm or p.salaryType} {p.sal or p.salary}".strip(), p.holidayTpNm, p.workdayWorkhrCont, p.empType]
    return " ".join(x for x in parts if x)


def keis_rows() -> tuple[list[tuple[str, str, str]], list[dict]]:
    """(row id, text, code) per KEIS row whose occupation name maps to a code, and the rejects."""
    path = here().shared / KEIS_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} 없음: 표준직무기술서는 {KEIS_DOWNLOAD} 에서 내려받아 이 경로에 두세요")
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("cp949"))))
    out, rejects = [], []
    for i, row in enumerate(rows, start=2):  # row numbers as a spreadsheet shows them (header is row 1)
        name = row["직종"].strip()
        m = matcher().match(name)
        if m is None or m.score < LABEL_MIN_SCORE:
            reason = "직종명을 직종코드에 대응할 수 없음" if m is None else (
                f"가장 가까운 직종 '{m.name}'(유사도 {m.score:.2f} < {LABEL_MIN_SCORE})이 불확실함")
            rejects.append({"source": "keis", "row": i, "name": name, "reason": reason})
            continue
        text = " ".join(x for x in (name, row["표준직무내용"], row["표준직무능력내용"], row["표준직무전공내용"],
                                    row["표준직무자격증내용"]) if x)
        out.append((f"keis:{i}", text, m.code))
    return out, rejects


def labelled_set(dataset: str) -> LabelledSet:
    """'demo', one shared dataset ('worknet-2024', 'worknet-seoul-2023'), or 'real' (all real sources)."""
    from ...data.datasets import load_dataset

    names = list(REAL_SOURCES) if dataset == "real" else [dataset]
    out = LabelledSet([], [], [], [], "")
    counts = {}
    for name in names:
        if name == "keis":
            rows, rejects = keis_rows()
            out.rejects += rejects
            for row_id, text, code in rows:
                out.ids.append(row_id), out.texts.append(text), out.codes.append(code), out.sources.append("keis")
                out.titles.append(""), out.contexts.append("")
            counts[name] = len(rows)
            continue
        posts = [p for p in load_dataset(name, seekers_sample=0).postings if p.occupation and p.text().strip()]
        for p in posts:
            out.ids.append(p.id), out.texts.append(p.text()), out.codes.append(p.occupation), out.sources.append(name)
            out.titles.append(p.title), out.contexts.append(neutral_fields(p))
        counts[name] = len(posts)
    kind = "demo corpus (합성)" if dataset == "demo" else "real, ../shared/data"
    out.note = f"{kind}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    return out
