"""Issue #29 items 3–13 outside the file readers (those are cases in tests/test_fuzz.py): coarse queries, bounded
LLM reads and masking, source names, store errors, the gazetteer cache, one CSV neutraliser, login throttling,
PII forms and the ingest batch id. Each test fails on the code before the fix (54c8efe)."""
from __future__ import annotations

import numpy as np
import pytest

from core.data.ingest import build_posting, build_seeker
from core.filters import FilterSettings, filter_mask, pair_violation


def _posting(key: str, region: str):
    return build_posting({"title": f"사무원 {key}", "region": region, "jobsCd": "029505"}, "t", key)


# ---------------------------------------------------------------- item 3: coarse (시도-level) queries
def test_a_sido_level_seeker_gets_sido_membership_not_a_centroid_radius(tmp_data):
    from core.models.corpus import Corpus

    postings = [_posting("seoul", "서울 송파구"), _posting("seoul2", "서울 성동구"), _posting("suwon", "경기 수원시 장안구"),
                _posting("pyeongtaek", "경기 평택시"), _posting("gyeonggi", "경기"), _posting("busan", "부산 해운대구")]
    seeker = build_seeker({"id": "S1", "desired_occupation": "029505", "desired_region": "경기"}, "s", "S1")
    assert seeker.place.geo_level == "sido"
    corpus = Corpus(postings, [seeker], enrich=False)
    mask, report = filter_mask(corpus.origin(seeker), corpus.tables["posting"], FilterSettings())
    kept = {corpus.tables["posting"].ids[i] for i in np.flatnonzero(mask)}
    assert kept == {"t:suwon", "t:pyeongtaek", "t:gyeonggi"}  # every 경기 posting, no 서울 one
    assert "희망지역이 시도 단위라 거리 대신 시도 안 공고" in report.note and report.radius_km is None
    assert all(pair_violation(seeker, p, FilterSettings(), {}) is None for p in postings if p.id in kept)
    assert pair_violation(seeker, postings[0], FilterSettings(), {}) is not None
    # an exact seeker still gets the radius (20 km around 수원 장안구: 평택 is out)
    exact = build_seeker({"id": "S2", "desired_occupation": "029505", "desired_region": "경기 수원시 장안구"}, "s", "S2")
    mask, report = filter_mask(Corpus(postings, [exact], enrich=False).origin(exact), corpus.tables["posting"],
                               FilterSettings())
    assert report.radius_km == 20 and not report.note
    assert "t:pyeongtaek" not in {corpus.tables["posting"].ids[i] for i in np.flatnonzero(mask)}


def test_the_cli_says_the_query_is_sido_level(tmp_data, capsys):
    from core.cli import main
    from core.data.ingest import ingest_file

    (tmp_data / "p.csv").write_text("wantedAuthNo,title,region,jobsCd\nA1,사무원,경기 수원시 장안구,029505\n"
                                    "A2,사무원,서울 송파구,029505\n", encoding="utf-8")
    (tmp_data / "s.csv").write_text("id,desired_occupation,desired_region\nS1,029505,경기\n", encoding="utf-8")
    from core.data.store import Store

    ingest_file(Store(), tmp_data / "p.csv", "csv")
    ingest_file(Store(), tmp_data / "s.csv", "seekers-csv")
    assert main(["recommend", "--seeker", "seekers:S1", "--model", "tfidf", "--sources", "csv", "--seeker-sources", "seekers",
                 "--analyser", "mecab"]) == 0
    out = capsys.readouterr().out
    assert "희망지역이 시도 단위라 거리 대신 시도 안 공고" in out and "csv:A2" not in out


@pytest.mark.parametrize("mark", ["\u200b", "\u200f", "\u202e", "\x00", "\ufeff", "\u2066"])
def test_invisible_characters_do_not_demote_a_place(mark, tmp_data):
    from core import geo

    place = geo.resolve(f"서울 강남구{mark}")
    assert place.level == "sigungu" and place.sigungu == "강남구"
    assert geo.resolve(f"{mark}경기 수원시{mark} 장안구").level == "sigungu"


# ---------------------------------------------------------------- item 4: bounded LLM reads and requests
class DripServer:
    """An OpenAI-compatible endpoint that sends its headers, then one byte every `every` seconds, forever."""

    def __init__(self, every: float):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self
        self.bodies: list[dict] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                import json
                import time

                outer.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                try:
                    for _ in range(10_000):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(every)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def config(self, timeout: float, retries: int = 1, **kw):
        from core.llm.client import LLMConfig

        return LLMConfig(model="m", base_url=f"http://127.0.0.1:{self.server.server_port}/v1", api_key="k",
                         timeout=timeout, retries=retries, backoff=0.01, **kw)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_a_slow_drip_reply_ends_at_the_total_deadline_with_an_error():
    import time

    from core.data.records import Posting
    from core.llm.client import LLMError, extract_llm

    srv = DripServer(every=0.2)  # each read is quick, so the per-read timeout never fires
    try:
        start = time.monotonic()
        with pytest.raises(LLMError, match="제한 시간"):
            extract_llm(Posting(id="t:1", source="t", title="사무원", jobCont="문서 정리"), srv.config(timeout=1.0, retries=2))
        # a hang guard, not a timing bound (bench/bench_bounds.py measures that): the reply would drip for 5.5 hours
        assert time.monotonic() - start < 120
        assert len(srv.bodies) == 1  # a dripping server is not asked again
    finally:
        srv.close()


def test_the_request_is_masked_then_capped():
    from core.data.records import Posting
    from core.llm.client import LLMError, extract_llm

    srv = DripServer(every=0.05)
    try:
        long = "연락처 010-2345-6789 " + "문서 정리와 자료 입력 " * 4000  # ~50,000 characters
        with pytest.raises(LLMError):
            extract_llm(Posting(id="t:1", source="t", title="사무원", jobCont=long),
                        srv.config(timeout=0.3, max_request_chars=5000))
        sent = srv.bodies[0]["messages"][1]["content"]
        assert len(sent) <= 5000 and "6789" not in sent and "[전화번호]" in sent
    finally:
        srv.close()


# ---------------------------------------------------------------- item 5: source names, merge never re-parses an id
@pytest.mark.parametrize("source", ["x:y", "=cmd", "+1", "-x", "@SUM", "\tx", "a b"])
def test_a_source_name_with_a_colon_or_a_formula_lead_is_refused(source, tmp_data):
    from core.data.ingest import IngestError, ingest_file
    from core.data.store import Store

    (tmp_data / "p.csv").write_text("wantedAuthNo,title,region\nK1,사무원,서울 강남구\n", encoding="utf-8")
    with pytest.raises(IngestError, match="출처 이름"):
        ingest_file(Store(), tmp_data / "p.csv", "csv", source=source)
    assert Store().counts()["postings"] == 0


def test_a_reingest_updates_in_place_and_merge_keeps_the_id(tmp_data):
    from core.data.ingest import ingest_file, merge_postings
    from core.data.store import Store

    (tmp_data / "p.csv").write_text("wantedAuthNo,title,region\nK1,사무원,서울 강남구\n", encoding="utf-8")
    store = Store()
    ingest_file(store, tmp_data / "p.csv", "csv", source="x-y")
    second = ingest_file(store, tmp_data / "p.csv", "csv", source="x-y")
    assert (second.inserted, second.updated) == (0, 1) and store.counts()["postings"] == 1
    # merge never re-parses an id: one made under a source holding ':' (stored before names were checked) stays
    a = build_posting({"title": "사무원", "region": "서울 강남구"}, "x:y", "K1")
    assert merge_postings(a, a).id == "x:y:K1"  # was 'x:y:y:K1', a second copy of the posting


# ---------------------------------------------------------------- item 7: the gazetteer cache is data, never code
class _Payload:
    def __reduce__(self):
        import os

        return (os.system, (f"touch {os.environ['JOBLENS_DATA']}/pwned",))


def test_a_planted_gazetteer_pickle_is_never_unpickled(tmp_data):
    import pickle

    from core.data.ingest import ingest_file
    from core.data.store import Store
    from core.geo import places

    (tmp_data / "gazetteer.pkl").write_bytes(pickle.dumps(_Payload()))
    (tmp_data / "p.csv").write_text("wantedAuthNo,title,region\nK1,사무원,서울 강남구\n", encoding="utf-8")
    places._gazetteer_at.cache_clear()
    try:
        report = ingest_file(Store(), tmp_data / "p.csv", "csv")
        assert report.inserted == 1 and not (tmp_data / "pwned").exists()
        (tmp_data / "gazetteer.json").write_text('{"version": 5, "sido": "garbage"}', encoding="utf-8")
        places._gazetteer_at.cache_clear()  # a broken cache is rebuilt, never trusted
        assert places.resolve("서울 강남구").sigungu == "강남구"
    finally:
        places._gazetteer_at.cache_clear()


# ---------------------------------------------------------------- item 8: one neutraliser for every CSV export
def test_the_judgments_export_neutralises_an_imported_formula(tmp_data):
    from core.data.store import Store
    from core.evaluation import judgments as jd

    store = Store()
    evil = '=HYPERLINK("http://x","클릭")'
    data = ("analyst,direction,query_id,item_id,grade\n"
            f'"{evil.replace(chr(34), chr(34) * 2)}",seeker->posting,+q1,@i1,2\n').encode()
    jd.import_csv(store, data)
    from core.views.frames import to_csv_bytes

    text = to_csv_bytes(jd.judgments_frame(jd.load(store))).decode("utf-8-sig")  # what the page's button sends
    assert "'=HYPERLINK" in text and "'+q1" in text and "'@i1" in text
    assert not any(line.startswith(("=", "+", "@", '"=')) for line in text.splitlines())


# ---------------------------------------------------------------- item 13: one batch per ingest
def test_two_ingests_in_the_same_second_are_two_batches(tmp_data, monkeypatch):
    import time

    from core.data.ingest import ingest_file
    from core.data.store import Store

    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)  # the same second, exactly
    (tmp_data / "p.csv").write_text("wantedAuthNo,title,region\nK1,사무원,서울 강남구\nK2,,서울 강남구\n", encoding="utf-8")
    store = Store()
    ingest_file(store, tmp_data / "p.csv", "csv")
    ingest_file(store, tmp_data / "p.csv", "csv")
    batches = [r[0] for r in store.query("SELECT batch FROM ingest_log")]
    assert len(batches) == 2 == len(set(batches))
    assert [n for (n,) in store.query("SELECT COUNT(*) FROM rejects GROUP BY batch")] == [1, 1]


# ---------------------------------------------------------------- item 6: store errors are one Korean line
def _one_file(tmp_data, rows: int = 3):
    path = tmp_data / "p.csv"
    path.write_text("wantedAuthNo,title,region\n" + "".join(f"K{i},사무원 {i},서울 강남구\n" for i in range(rows)),
                    encoding="utf-8")
    return path


def test_a_store_locked_by_another_process_is_one_line(tmp_data, monkeypatch, capsys):
    import sqlite3

    from core.cli import main
    from core.data.store import Store

    Store()  # the store exists
    monkeypatch.setattr(Store, "BUSY_SECONDS", 0.2)
    other = sqlite3.connect(tmp_data / "joblens.db")  # another process mid-write
    other.execute("BEGIN EXCLUSIVE")
    try:
        assert main(["ingest", str(_one_file(tmp_data)), "--format", "csv"]) == 1
    finally:
        other.rollback()
        other.close()
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "joblens.db" in err and "다른 프로그램" in err and "Traceback" not in err


def test_a_full_disk_is_one_line_and_the_store_stays_intact(tmp_data):
    from core.data.ingest import ingest_file
    from core.data.store import Store, StoreError

    store = Store()
    ingest_file(store, _one_file(tmp_data), "csv")
    before = store.query("SELECT id, json FROM postings ORDER BY id")
    pages = store.query("PRAGMA page_count")[0][0]
    store.con.execute(f"PRAGMA max_page_count={pages + 2}")  # the disk fills two pages later
    big = tmp_data / "big.csv"
    big.write_text("wantedAuthNo,title,region,jobCont\n" + "".join(f"B{i},사무원,서울 강남구,{'가' * 3000}\n" for i in range(200)),
                   encoding="utf-8")
    with pytest.raises(StoreError, match="디스크 가득 참") as e:
        ingest_file(store, big, "csv")
    assert "joblens.db" in str(e.value) and isinstance(e.value, OSError)  # the CLI prints OSError as one line
    assert store.query("SELECT id, json FROM postings WHERE id LIKE 'csv:K%' ORDER BY id") == before


def test_recommend_opens_the_store_read_only_and_writes_nothing(tmp_data, capsys):
    import hashlib

    from core.cli import main
    from core.data.ingest import ingest_file
    from core.data.store import Store, StoreError

    ingest_file(Store(), _one_file(tmp_data), "csv")
    db = tmp_data / "joblens.db"
    Store().con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    digest = hashlib.sha1(db.read_bytes()).hexdigest()
    assert main(["recommend", "--posting", "csv:K1", "--model", "tfidf", "--sources", "csv", "--seeker-sources", ""]) == 0
    assert hashlib.sha1(db.read_bytes()).hexdigest() == digest
    with pytest.raises(StoreError, match="읽기 전용"):
        Store(read_only=True).upsert_postings([build_posting({"title": "x", "region": "서울"}, "t", "1")])


def test_an_xlsx_cell_pointing_to_a_missing_shared_string_is_a_file_error(tmp_data):
    import zipfile

    import openpyxl

    from core.data.ingest import IngestError, ingest_file
    from core.data.store import Store

    wb = openpyxl.Workbook()
    wb.active.append(["wantedAuthNo", "title", "region"])
    wb.active.append(["K1", "사무원", "서울 강남구"])
    wb.save(tmp_data / "ok.xlsx")
    with zipfile.ZipFile(tmp_data / "ok.xlsx") as src, zipfile.ZipFile(tmp_data / "bad.xlsx", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":  # B2 points to shared string 999, which no table holds
                import re

                data = re.sub(rb'<c r="B2" t="inlineStr"><is><t>[^<]*</t></is></c>', rb'<c r="B2" t="s"><v>999</v></c>', data)
            dst.writestr(item, data)
    with pytest.raises(IngestError, match="공유 문자열") as e:
        ingest_file(Store(), tmp_data / "bad.xlsx", "csv")
    assert "bad.xlsx" in str(e.value)


# ---------------------------------------------------------------- item 9: login throttling, no open metrics
def test_wrong_passwords_cost_growing_delays_then_a_lockout_per_account_and_per_client(caplog):
    from core.access import LoginThrottle

    now = [1000.0]
    gate = LoginThrottle(clock=lambda: now[0])
    waits = []
    with caplog.at_level("INFO", logger="joblens.access"):
        for _ in range(30):  # the reproduction: 30 wrong passwords in a row, each as soon as allowed
            now[0] += gate.wait("상담사1", "10.0.0.9")
            waits.append(gate.wait("상담사1", "10.0.0.9"))
            gate.failed("상담사1", "10.0.0.9")
            waits[-1] = gate.wait("상담사1", "10.0.0.9")
    assert waits[:2] == [0, 0]  # a typo or two costs nothing
    growing = waits[2:9]  # then 2, 4, 8 … seconds, up to a minute
    assert all(b >= a for a, b in zip(growing, growing[1:])) and 0 < growing[0] < growing[3] and growing[-1] <= 60
    assert gate.locked("상담사1", "10.0.0.9") and gate.wait("상담사1", "10.0.0.9") >= 10 * 60
    assert gate.locked("상담사1", "10.0.0.77")  # the account, from anywhere
    assert gate.locked("다른사람", "10.0.0.9")  # the client, for any account
    assert not gate.locked("다른사람", "10.0.0.77") and gate.wait("다른사람", "10.0.0.77") == 0
    assert len([r for r in caplog.records if "login failed" in r.getMessage()]) == 30
    assert any("locked" in r.getMessage() for r in caplog.records)
    now[0] += 16 * 60  # a lock served is over
    assert gate.wait("상담사1", "10.0.0.9") == 0
    gate.succeeded("상담사1", "10.0.0.9")
    assert not gate.locked("상담사1", "10.0.0.9")


def test_the_login_form_refuses_to_check_during_the_wait(demo_store):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from core.access import hash_password

    repo = Path(__file__).resolve().parent.parent
    at = AppTest.from_file(str(repo / "app.py"), default_timeout=180)
    at.secrets["auth"] = {"users": {"잠김시험": hash_password("correct horse", salt="b" * 32)}}
    at.run()
    for _ in range(4):
        at.text_input[0].set_value("잠김시험")
        at.text_input[1].set_value("wrong password")
        at.button[0].click().run()
    at.text_input[0].set_value("잠김시험")
    at.text_input[1].set_value("correct horse")  # even the right password waits its turn
    at.button[0].click().run()
    assert any("뒤에 다시 시도하세요" in e.value for e in at.error) and "user" not in at.session_state


def test_a_started_server_does_not_serve_its_metrics():
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, str(repo / "serve.py"), "--server.port", str(port), "--server.headless", "true"],
                            cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("server did not start")
        try:  # without the route the path falls through to the app's own page (or a 404): never the metrics
            reply = urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/metrics", timeout=5)
            kind, body = reply.headers.get("Content-Type", ""), reply.read()
        except urllib.error.HTTPError as e:
            kind, body = "", e.read()
        assert "openmetrics" not in kind and b"# TYPE" not in body and b"# EOF" not in body
    finally:
        proc.terminate()
        proc.wait(timeout=20)
