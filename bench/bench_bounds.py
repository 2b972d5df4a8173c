"""Issue #29 item 4, measured: every input's work is bounded (timings belong here, not in tests).

    python bench/bench_bounds.py        # writes bench/results/bounds.json

- PII masking of 40,000 characters, six kinds of text (Hangul with no spaces, one long ASCII word, digits,
  a realistic posting repeated with phones/e-mails/addresses, '@' everywhere, a phone-like number every 9
  characters): target < 1 s each
  (issue: 12.9 s at 20,000 and 50.9 s at 40,000 characters).
- A slow-drip LLM reply (headers, then 1 byte every 2 s) with timeout 5: target ≤ timeout × (retries + 1) + 5 s,
  for retries 1 and 3 (issue: past 120 s with timeout 5, retries 1).
- A zip-bomb XLSX of 3,000,000 rows, through `ingest_file` and through the upload preview, each in a fresh
  process: target refused in < 5 s with peak RSS < 300 MB (issue: 1.1 GB and still running at 600 s).
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("JOBLENS_DATA", tempfile.mkdtemp())

from core.text.pii import mask_pii  # noqa: E402

OUT = ROOT / "bench" / "results" / "bounds.json"
N = 40_000


def bench_mask() -> dict:
    posting = ("[사무보조] 문서 정리와 자료 입력. 담당자: 김민준 과장 010-2345-6789, hong@hanbit.co.kr, "
               "근무지: 서울특별시 강남구 테헤란로 516 한빛빌딩 5층 502호. 시급 10,030원, 주 5일 09:00~18:00. ")
    texts = {"Hangul, no spaces": ("사무보조업무담당서울강남구" * 4000)[:N], "one ASCII word": "a" * N, "digits": "1" * N,
             "posting with PII, repeated": (posting * (N // len(posting) + 1))[:N], "'a@' repeated": "a@" * (N // 2),
             # adversarial: a phone-like number every ~9 characters (4,400 of them); libphonenumber parses each
             "phone-like every 9 chars": "".join(random.Random(3).choice(["과장", "\n", "010"]) for _ in range(N))[:N]}
    out = {}
    for name, text in texts.items():
        start, cpu = time.perf_counter(), time.process_time()
        masked, counts = mask_pii(text)
        out[name] = {"chars": len(text), "cpu_seconds": round(time.process_time() - cpu, 3),
                     "wall_seconds": round(time.perf_counter() - start, 3), "masked": counts}
        print(f"mask {name:28s} CPU {out[name]['cpu_seconds']:.3f} s (wall {out[name]['wall_seconds']:.3f} s)")
    # the target is on CPU time: masking is single-threaded CPU work, and on this shared 2-core machine (load
    # average ~20 while measured) wall time is mostly waiting for a core; both are recorded
    return {"target_cpu_seconds": 1.0, "texts": out, "max_cpu_seconds": max(v["cpu_seconds"] for v in out.values()),
            "max_wall_seconds": max(v["wall_seconds"] for v in out.values()),
            "met": all(v["cpu_seconds"] < 1.0 for v in out.values())}


def bench_drip() -> dict:
    import openai  # noqa: F401  (imported once per process, ~7 s on the loaded machine: not part of a request)
    from test_issue29 import DripServer

    from core.data.records import Posting
    from core.llm.client import LLMError, extract_llm

    runs = []
    for retries in (1, 3):
        srv = DripServer(every=2.0)
        cfg = srv.config(timeout=5.0, retries=retries)
        start = time.monotonic()
        try:
            extract_llm(Posting(id="b:1", source="b", title="사무원", jobCont="문서 정리"), cfg)
            error = None
        except LLMError as e:
            error = str(e)[:120]
        seconds = time.monotonic() - start
        srv.close()
        bound = cfg.timeout * (cfg.retries + 1) + 5
        runs.append({"timeout": cfg.timeout, "retries": retries, "seconds": round(seconds, 2), "bound_seconds": bound,
                     "requests": len(srv.bodies), "error": error, "met": seconds <= bound and error is not None})
        print(f"drip retries={retries}: {seconds:.1f} s (bound {bound:.0f} s) — {error}")
    return {"drip_every_seconds": 2.0, "runs": runs, "met": all(r["met"] for r in runs)}


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from core.data.ingest import IngestError, ingest_file
from core.data.store import Store
from core.views.upload import preview
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.monotonic()
try:
    if {how!r} == "ingest":
        ingest_file(Store(), {path!r}, "csv")
    else:
        preview(__import__("pathlib").Path({path!r}), "csv")
    error = None
except IngestError as e:
    error = str(e)
print(json.dumps({{"seconds": time.monotonic() - start, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_after_imports_mb": base, "error": error}}, ensure_ascii=False))
"""


def bench_bomb(rows: int = 3_000_000) -> dict:
    from test_fuzz import xlsx_bomb

    path = Path(os.environ["JOBLENS_DATA"]) / "bomb.xlsx"
    path.write_bytes(xlsx_bomb(rows))
    out = {"rows": rows, "file_kb": round(path.stat().st_size / 1024), "target_seconds": 5.0, "target_rss_mb": 300}
    for how in ("ingest", "upload preview"):
        code = CHILD.format(root=str(ROOT), how=how, path=str(path))
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                              env={**os.environ, "JOBLENS_DATA": os.environ["JOBLENS_DATA"]})
        got = json.loads(proc.stdout.strip().splitlines()[-1])
        got["met"] = got["error"] is not None and got["seconds"] < 5 and got["peak_rss_mb"] < 300
        out[how] = got
        print(f"bomb {how}: {got['seconds']:.2f} s, peak RSS {got['peak_rss_mb']:.0f} MB — {str(got['error'])[:90]}")
    out["met"] = out["ingest"]["met"] and out["upload preview"]["met"]
    return out


def main() -> int:
    result = {"mask_40k": bench_mask(), "slow_drip": bench_drip(), "xlsx_bomb": bench_bomb(),
              "machine": f"{os.cpu_count()} CPUs, shared; load average {os.getloadavg()[0]:.1f} at the end"}
    result["all_met"] = all(result[k]["met"] for k in ("mask_40k", "slow_drip", "xlsx_bomb"))
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {OUT} (all targets met: {result['all_met']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
