"""A local stand-in for the 고용24 채용정보 and KEAD 구인 Open APIs on 127.0.0.1, serving pages in their real
formats from the real Seoul 2023 list records (../shared/data, when present) and the demo generator, with
the faults a live API shows. Tests and the demo never call the real APIs.

    with FakeApis(postings) as srv:
        srv.faults[("list", 3)] = Fault("500", times=4)   # page 3 fails 4 times, then works
        api = srv.api("worknet")
"""
from __future__ import annotations

import csv
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

from core.sync import Api

KEY = "TEST-KEY-0123456789-SECRET"
SHARED = Path(os.environ.get("JOBLENS_SHARED", Path(__file__).resolve().parent.parent.parent / "shared" / "data"))
LIST_FIELDS = ("wantedAuthNo", "company", "title", "salTpNm", "sal", "minSal", "maxSal", "region", "holidayTpNm",
               "minEdubg", "career", "regDt", "closeDt", "zipCd", "basicAddr", "jobsCd", "smodifyDtm")


@dataclass
class Fault:
    kind: str  # '500' | 'timeout' | 'malformed' | 'quota' | 'invalid_key'
    times: int = 1  # how many requests it spoils before the page works again


def worknet_records(n: int, today: date) -> list[dict]:
    """`n` list records: real Seoul 2023 rows first (re-dated to close after `today`), then demo postings."""
    out: list[dict] = []
    path = SHARED / "worknet-api-seoul-2023" / "worknet_list_seoul_20230330.csv"
    if path.exists():
        with open(path, encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                if len(out) >= n:
                    break
                rec = {k: row.get(k, "") for k in LIST_FIELDS if k in row}
                rec["wantedAuthNo"] = f"K{int(row['company_id']):012d}"
                out.append(rec)
    if len(out) < n:
        import tempfile

        from core.data.demo import generate
        from core.data.readers import parse_json_records

        # every demo posting in the 고용24 file (kead_share=0: none set aside for the KEAD file), read with plain
        # file I/O, so a test that forbids the ingest's readers (sync must not read files back) can build them
        files = generate(Path(tempfile.mkdtemp()), n_postings=n - len(out), n_seekers=1, seed=5, kead_share=0)
        text = files["worknet"].read_text(encoding="utf-8")
        for r in parse_json_records(text, {"wantedAuthNo"}, files["worknet"]):
            out.append({k: r.get(k, "") for k in LIST_FIELDS if r.get(k)})
    for i, rec in enumerate(out):
        rec["closeDt"] = f"채용시까지 {(today + timedelta(days=30 + i % 20)).strftime('%y-%m-%d')}"
        rec["smodifyDtm"] = "202611240900"
        rec["jobCont"] = f"{rec.get('title', '')} 업무 전반 (상세 {i})"
    return out


class FakeApis:
    def __init__(self, records: list[dict], kead: list[dict] | None = None):
        self.records = records  # mutable: a test adds, changes and closes records between syncs
        self.kead = kead or []
        self.faults: dict[tuple[str, int | str], Fault] = {}
        self.detail_overrides: dict[str, dict] = {}  # key → fields the detail reports differently from the list
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                outer.requests.append(self.path)
                kind = url.path.strip("/")
                ident = (int(q.get("startPage") or q.get("pageNo") or 0) if kind in ("list", "kead")
                         else q.get("wantedAuthNo", ""))
                fault = outer.faults.get((kind, ident))
                if fault and fault.times > 0:
                    fault.times -= 1
                    return self._fault(fault.kind)
                if q.get("authKey", q.get("serviceKey")) != KEY:
                    return self._fault("invalid_key")
                if kind == "list":
                    return self._send(outer.list_page(int(q["startPage"]), int(q["display"])), "application/xml")
                if kind == "detail":
                    return self._send(outer.detail(q["wantedAuthNo"]), "application/xml")
                if kind == "kead":
                    return self._send(outer.kead_page(int(q["pageNo"]), int(q["numOfRows"])), "application/json")
                self.send_error(404)

            def _fault(self, kind: str):
                if kind == "500":
                    return self._send("<html>Internal Server Error</html>", "text/html", 500)
                if kind == "timeout":
                    time.sleep(2.0)
                    return self._send("<wantedRoot></wantedRoot>", "application/xml")
                if kind == "malformed":
                    return self._send("<wantedRoot><wanted><title>끊긴", "application/xml")
                code, msg = ("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR") if kind == "quota" else (
                    "30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR")
                return self._send("<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
                                  f"<returnAuthMsg>{msg}</returnAuthMsg><returnReasonCode>{code}</returnReasonCode>"
                                  "</cmmMsgHeader></OpenAPI_ServiceResponse>", "application/xml")

            def _send(self, body: str, ctype: str, status: int = 200):
                data = body.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", f"{ctype}; charset=UTF-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # ------------------------------------------------------------ pages in the real formats
    def list_page(self, page: int, size: int) -> str:
        rows = self.records[(page - 1) * size: page * size]
        body = "".join("<wanted>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in r.items() if k in LIST_FIELDS)
                       + "</wanted>" for r in rows)
        return (f'<?xml version="1.0" encoding="UTF-8"?><wantedRoot><total>{len(self.records)}</total>'
                f"<startPage>{page}</startPage><display>{size}</display>{body}</wantedRoot>")

    def detail(self, key: str) -> str:
        rec = next((r for r in self.records if r["wantedAuthNo"] == key), None)
        if rec is None:
            return "<wantedDtl></wantedDtl>"
        rec = {**rec, **self.detail_overrides.get(key, {})}
        return (f'<?xml version="1.0" encoding="UTF-8"?><wantedDtl><wantedAuthNo>{escape(key)}</wantedAuthNo>'
                f"<corpInfo><corpNm>{escape(rec.get('company', ''))}</corpNm><reperNm>대표자</reperNm></corpInfo>"
                f"<wantedInfo><wantedTitle>{escape(rec.get('title', ''))}</wantedTitle>"
                f"<jobCont>{escape(rec.get('jobCont', ''))}</jobCont><receiptCloseDt>{escape(rec.get('closeDt', ''))}"
                f"</receiptCloseDt><jobsCd>{escape(rec.get('jobsCd', ''))}</jobsCd></wantedInfo>"
                "<empchargeInfo><contactTelno>02-123-4567</contactTelno></empchargeInfo></wantedDtl>")

    def kead_page(self, page: int, size: int) -> str:
        rows = self.kead[(page - 1) * size: page * size]
        return json.dumps({"response": {"header": {"resultCode": "00", "resultMsg": "NORMAL SERVICE."},
                                        "body": {"items": {"item": rows}, "numOfRows": size, "pageNo": page,
                                                 "totalCount": len(self.kead)}}}, ensure_ascii=False)

    # ------------------------------------------------------------ use
    def __enter__(self) -> FakeApis:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def api(self, name: str, key: str = KEY, page_size: int = 100, timeout: float = 1.0, retries: int = 3) -> Api:
        base = f"http://127.0.0.1:{self.server.server_port}"
        if name == "worknet":
            return Api("worknet", f"{base}/list", key, page_size, f"{base}/detail", timeout, retries)
        return Api("kead", f"{base}/kead", key, page_size, "", timeout, retries)
