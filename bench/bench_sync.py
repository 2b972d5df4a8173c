"""Live sync against the local stand-in of the 고용24 API (tests/fake_apis.py): 2,000 postings, then a second
sync with 50 new, 20 changed and 10 closed; how long each takes and how soon a new posting is recommendable.

    python bench/bench_sync.py        # writes bench/results/sync.json
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import os  # noqa: E402

os.environ.setdefault("JOBLENS_DATA", tempfile.mkdtemp())

from fake_apis import FakeApis, worknet_records  # noqa: E402

from core import locations  # noqa: E402
from core.data.store import Store  # noqa: E402
from core.filters import FilterSettings  # noqa: E402
from core.models.engine import Engine  # noqa: E402
from core.settings import settings  # noqa: E402
from core.sync import sync  # noqa: E402

locations.use(locations.Locations.from_settings(settings()))  # this script is an edge
TODAY = date(2026, 11, 24)


def main() -> None:
    records = worknet_records(2080, TODAY)
    store = Store()
    out: dict = {}
    with FakeApis(records[:2000]) as srv:
        api = srv.api("worknet", page_size=100)
        first = sync(store, api, today=TODAY)
        out["first"] = {"new": first.new, "updated": first.updated, "closed": first.closed, "seconds": round(first.seconds, 2),
                        "requests": len(srv.requests)}
        engine = Engine.from_store(store)
        model = engine.model("tfidf")
        srv.records.extend(records[2000:2050])
        for r in srv.records[100:120]:
            r["title"], r["smodifyDtm"] = r["title"] + " (급여 인상)", "202611241200"
        for r in srv.records[300:310]:
            r["closeDt"], r["smodifyDtm"] = (TODAY - timedelta(days=1)).strftime("%y-%m-%d"), "202611241300"
        before = len(srv.requests)
        second = sync(store, api, today=TODAY, engine=engine)
        done = time.perf_counter()
        new = store.posting(f"worknet:{records[2000]['wantedAuthNo']}")
        found = model.recommend(replace(new, id="q"), k=10, filters=FilterSettings(distance=False, education=False,
                                                                                   career=False), target="posting")
        seen = time.perf_counter() - done
        out["second"] = {"new": second.new, "updated": second.updated, "closed": second.closed,
                         "unchanged": second.unchanged, "seconds": round(second.seconds, 2),
                         "requests": len(srv.requests) - before}
        out["new_posting_in_a_list_s"] = round(seen, 4)
        out["new_posting_found"] = new.id in [r.item_id for r in found.items]
    ids = [r[0] for r in store.query("SELECT id FROM postings")]
    out["stored"], out["duplicates"] = len(ids), len(ids) - len(set(ids))
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "sync.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    print("| sync | new | changed | closed | unchanged | requests | seconds |\n|---|---|---|---|---|---|---|")
    for name in ("first", "second"):
        r = out[name]
        print(f"| {name} | {r['new']} | {r['updated']} | {r['closed']} | {r.get('unchanged', 0)} | {r['requests']} | {r['seconds']} |")
    print(f"stored {out['stored']}, duplicates {out['duplicates']}; a new posting in a TF-IDF list "
          f"{out['new_posting_in_a_list_s'] * 1000:.0f} ms after the sync finished (found: {out['new_posting_found']})")


if __name__ == "__main__":
    main()
