"""PII masking, measured: recall per kind on a planted corpus, and what the masker does to real postings.

    python bench/bench_pii.py            # writes bench/results/pii.json

Planted corpus: ≥ 200 items (phones, resident numbers, e-mails, contact names, addresses) in the written
forms seen in real postings and in issue #17's reproductions, each instantiated with random digits and
names (seeded) and planted in a real posting's text (worknet-2024 from ../shared/data; demo postings
without it). An item counts as masked when none of its identifying parts (subscriber digits, the back
of a resident number, the mailbox, the given name, the building number and unit) is left in the text.

Real postings: every change the masker makes to (a) 500 worknet-2024 postings, the set the patterns were
tuned on, and (b) all Saramin sample postings, never looked at while tuning. Wages, dates and codes are
counted before and after masking: any lost is a false positive by definition; the other masked spans are
listed in the JSON for review.
"""
from __future__ import annotations

import difflib
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.data.ingest import iter_records  # noqa: E402
from core.llm.rules import posting_source_text  # noqa: E402
from core.locations import here  # noqa: E402
from core.text.pii import mask_pii, normalise  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "pii.json"
HANGUL = "공일이삼사오육칠팔구"


@dataclass
class Planted:
    kind: str
    form: str
    text: str  # the sentence planted
    secrets: list[str]  # parts that must not survive


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _group(rng: random.Random, n: int) -> str:
    return str(rng.randint(10 ** (n - 1) + 1, 10 ** n - 1))  # no leading zero, so it is its own token


def phones(rng: random.Random) -> list[Planted]:
    out = []
    for _ in range(3):
        a, b = _group(rng, 4), _group(rng, 4)
        a3 = _group(rng, 3)
        hb = "".join(HANGUL[int(c)] for c in b)
        forms = {
            "010-####-####": f"연락처 010-{a}-{b} 로 문자 주세요",
            "010 #### ####": f"지원: 010 {a} {b}",
            "010.####.####": f"핸드폰 010.{a}.{b}",
            "01012345678": f"문자 010{a}{b} 로",
            "+82-10-": f"해외에서는 +82-10-{a}-{b}",
            "+82 10 ": f"Tel +82 10 {a} {b}",
            "82-10-": f"전화 82-10-{a}-{b}",
            "(02) ###-####": f"대표번호 (02) {a3}-{b}",
            "02-####-####": f"사무실 02-{a}-{b}",
            "031)###-####": f"문의 031){a3}-{b}",
            "031-###-####": f"현장 031-{a3}-{b} (평일)",
            "1588-####": f"고객센터 1588-{b}",
            "1644-####": f"콜센터 1644-{b}",
            "0507 안심번호": f"안심번호 0507-{a}-{b}",
            "070": f"인터넷전화 070-{a}-{b}",
            "U+2010 hyphens": f"연락 010\u2010{a}\u2010{b}",
            "fullwidth digits": "연락 " + "０１０-" + "".join(chr(0xFF10 + int(c)) for c in a) + "-"
                                + "".join(chr(0xFF10 + int(c)) for c in b),
            "공일공 (Hangul prefix)": f"연락처 공일공-{a}-{b}",
            "Hangul digits": f"연락처 공일공 {''.join(HANGUL[int(c)] for c in a)} {hb}",
        }
        for form, text in forms.items():
            secret = b if "Hangul digits" not in form else hb
            out.append(Planted("전화번호", form, text, [secret]))
    return out


def resident_numbers(rng: random.Random) -> list[Planted]:
    out = []
    for _ in range(6):
        front = f"{rng.randint(50, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        for form, gender in (("hyphen", rng.choice("1234")), ("no hyphen", rng.choice("1234")),
                             ("en dash", rng.choice("1234")), ("gender 5-8", rng.choice("5678")),
                             ("spaces", rng.choice("12"))):
            back = gender + _digits(rng, 6)
            sep = {"hyphen": "-", "no hyphen": "", "en dash": "\u2013", "gender 5-8": "-", "spaces": " - "}[form]
            out.append(Planted("주민등록번호", form, f"주민등록번호 {front}{sep}{back} 기재 후 제출", [back]))
    return out


GIVEN = ["민수", "지영", "서연", "도윤", "하준", "수빈", "예린", "현우", "지호", "은지", "태민", "유나", "성민", "다은"]
SURNAME = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신"]
LATIN = ["John Kim", "Jane Park", "Michael Lee", "Sarah Choi", "David Jung", "Emily Han"]


def emails(rng: random.Random) -> list[Planted]:
    out = []
    for _ in range(8):
        local = rng.choice(["hr", "recruit", "kim", "jobs", "hello"]) + _digits(rng, 4)
        domain = rng.choice(["hanbit", "gaon", "nuri", "sejong"])
        forms = {"plain": f"이력서는 {local}@{domain}.co.kr 로", "[at]": f"메일 {local}[at]{domain}.com",
                 "(at) [dot]": f"{local} (at) {domain} [dot] co [dot] kr 로 보내 주세요",
                 "fullwidth ＠": f"메일: {local}＠{domain}.net", "at dot words": f"e-mail {local} at {domain} dot com"}
        out += [Planted("이메일", form, text, [local]) for form, text in forms.items()]
    return out


def names(rng: random.Random) -> list[Planted]:
    out = []
    for _ in range(4):
        given = rng.choice(GIVEN)
        name = rng.choice(SURNAME) + given
        latin = rng.choice(LATIN)
        forms = {
            "담당: 이름": (f"담당: {name}", given), "담당자 이름 과장": (f"담당자 {name} 과장", given),
            "연락처 이름 대리": (f"연락처 {name} 대리 010-{_group(rng, 4)}-{_group(rng, 4)}", given),
            "문의: 이름": (f"문의: {name}", given), "채용담당:이름": (f"채용담당:{name}", given),
            "이름 팀장에게": (f"{name} 팀장에게 연락 바랍니다", given),
            "latin after label": (f"담당자 {latin}", latin.split()[0]),
            "Contact: latin": (f"Contact: {latin}", latin.split()[0]),
            "compound surname": (f"담당: 남궁 {given}", given),
            "compound surname + title": (f"남궁 {given} 대리에게 연락", given),
        }
        out += [Planted("담당자", form, text, [secret]) for form, (text, secret) in forms.items()]
    return out


ROADS = ["테헤란로", "강남대로", "세종대로", "중앙로", "번영로", "시민공원로"]
DONGS = ["역삼1동", "삼성동", "부암동", "송림동", "연산동", "구월동"]


def addresses(rng: random.Random) -> list[Planted]:
    out = []
    for _ in range(5):
        road, dong = rng.choice(ROADS), rng.choice(DONGS)
        n, m, floor, unit = rng.randint(100, 899), rng.randint(11, 89), rng.randint(2, 15), rng.randint(201, 1499)
        forms = {
            "도로명 + 건물 + 층·호": (f"근무지 : 서울특별시 강남구 {road} {n} 한빛빌딩 {floor}층 {unit}호", [str(n), str(unit)]),
            "도로명 지하": (f"근무지: 서울 강남구 {road} 지하 {n}", [str(n)]),
            "도로명 번길": (f"주소 부산광역시 부산진구 {road}{m}번길 {n}", [str(n)]),
            "지번 산·번지": (f"근무처: 부산진구 {dong} {n}-{m}", [f"{n}-{m}"]),
            "지번 + 호": (f"위치: 인천 남동구 {dong} {n}-{m} {unit}호", [f"{n}-{m}", str(unit)]),
            "도로명, 층": (f"주소: 경기도 성남시 분당구 {road} {n}, {floor}층", [f"{road} {n}"]),
            "읍면 + 번지": (f"근무지 : 충북 충주시 대소원면 {dong} {n}번지", [f"{n}번지"]),
        }
        out += [Planted("상세주소", form, text, secrets) for form, (text, secrets) in forms.items()]
    return out


def carriers(limit: int, seed: int) -> tuple[list[str], str]:
    path = here().shared / "worknet-postings-2024" / "worknet_positions_union_dedup.csv"
    if path.exists():
        recs = [r for _, r, _ in iter_records(path, "worknet-2024") if r]
        source = "worknet-2024"
    else:
        from core.data.demo import generate

        tmp = here().data_dir / "bench-pii"
        paths = generate(tmp, n_postings=limit, n_seekers=0, seed=seed)
        recs = [r for _, r, _ in iter_records(paths["worknet"], "worknet-json") if r]
        source = "demo"
    rng = random.Random(seed)
    return [posting_source_text(r) for r in rng.sample(recs, min(limit, len(recs)))], source


def recall(seed: int = 17) -> dict:
    rng = random.Random(seed)
    items = phones(rng) + resident_numbers(rng) + emails(rng) + names(rng) + addresses(rng)
    texts, source = carriers(len(items), seed)
    per_kind: dict[str, list[int]] = {}
    per_form: dict[str, list[int]] = {}
    misses = []
    for item, carrier in zip(items, texts * (len(items) // len(texts) + 1)):
        doc = normalise(carrier + "\n우대조건: " + item.text)
        masked, _ = mask_pii(doc)
        base = normalise(carrier)
        left = [s for s in item.secrets if normalise(s) in masked and normalise(s) not in base]
        ok = int(not left)
        per_kind.setdefault(item.kind, [0, 0])
        per_kind[item.kind][0] += ok
        per_kind[item.kind][1] += 1
        per_form.setdefault(f"{item.kind} · {item.form}", [0, 0])
        per_form[f"{item.kind} · {item.form}"][0] += ok
        per_form[f"{item.kind} · {item.form}"][1] += 1
        if not ok:
            misses.append({"kind": item.kind, "form": item.form, "planted": item.text,
                           "after": mask_pii(normalise(item.text))[0]})
    return {"carrier_texts": source, "items": len(items),
            "per_kind": {k: {"masked": m, "planted": n, "recall": round(m / n, 3)} for k, (m, n) in per_kind.items()},
            "overall_recall": round(sum(m for m, _ in per_kind.values()) / len(items), 3),
            "per_form": {k: f"{m}/{n}" for k, (m, n) in per_form.items()}, "misses": misses}


PROTECTED = {
    "wage": re.compile(r"\d{1,3}(?:,\d{3})+\s*원|\d+\s*만\s*원|\d{4,7}\s*원"),
    "date": re.compile(r"(?<!\d)\d{2,4}[-./]\d{1,2}[-./]\d{1,2}(?!\d)"),
    "code": re.compile(r"(?<![\d-])\d{6}(?![\d-])|\b[A-Z]{1,4}\d{8,}\b"),
    "time": re.compile(r"\d{1,2}:\d{2}"),
}


def real_postings(path: Path, fmt: str, limit: int | None, seed: int) -> dict:
    recs = [r for _, r, _ in iter_records(path, fmt) if r]
    if limit and len(recs) > limit:
        recs = random.Random(seed).sample(recs, limit)
    kinds: Counter = Counter()
    lost: Counter = Counter()
    spans = []
    with_any = 0
    for r in recs:
        text = normalise(posting_source_text(r))
        masked, counts = mask_pii(text)
        kinds.update(counts)
        with_any += bool(counts)
        for name, pattern in PROTECTED.items():
            lost[name] += max(0, len(pattern.findall(text)) - len(pattern.findall(masked)))
        for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, text, masked, autojunk=False).get_opcodes():
            if op != "equal":
                spans.append({"id": r.id, "original": text[max(0, a0 - 12):a1 + 4], "masked": masked[b0:b1]})
    return {"postings": len(recs), "with_any_mask": with_any, "share_with_any_mask": round(with_any / len(recs), 4),
            "masks_by_kind": dict(kinds), "protected_tokens_lost": dict(lost), "masked_spans": spans}


def main() -> None:
    start = time.time()
    result = {"recall": recall()}
    shared = here().shared
    sets = {"worknet-2024 (500, tuned on)": (shared / "worknet-postings-2024/worknet_positions_union_dedup.csv",
                                             "worknet-2024", 500),
            "saramin (all; see the note on held-out use)": (shared / "saramin-it-sample/saramin_0626.csv", "saramin", None)}
    result["real"] = {name: real_postings(p, fmt, n, 17) for name, (p, fmt, n) in sets.items() if p.exists()}
    result["seconds"] = round(time.time() - start, 1)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    r = result["recall"]
    print(f"planted: {r['items']} items in {r['carrier_texts']} texts; overall recall {r['overall_recall']:.3f}")
    print("| kind | masked / planted | recall |\n|---|---|---|")
    for k, v in r["per_kind"].items():
        print(f"| {k} | {v['masked']} / {v['planted']} | {v['recall']:.3f} |")
    for m in r["misses"]:
        print(f"  miss · {m['kind']} · {m['form']}: {m['planted']} → {m['after']}")
    print("\n| real set | postings | with any mask | masks by kind | wages/dates/codes/times lost |\n|---|---|---|---|---|")
    for name, v in result["real"].items():
        print(f"| {name} | {v['postings']} | {v['with_any_mask']} ({v['share_with_any_mask']:.1%}) | "
              f"{v['masks_by_kind']} | {v['protected_tokens_lost']} |")
    print(f"→ {OUT.relative_to(OUT.parent.parent.parent)} ({result['seconds']} s)")


if __name__ == "__main__":
    main()
