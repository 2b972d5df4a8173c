"""Dashboard timings in a real browser: cold start of a fresh server to the first ranked list, and model
switches made in the sidebar as a user makes them (until the table and the map are drawn); then the same
switches with no browser, to show how much of each figure is the server and how much is drawing.

    python bench/bench_app.py                          # uses data/ (run `bash run.sh` or `python -m core setup` first)
    python bench/bench_app.py --before /tmp/before     # also an older checkout, on the same data, in the same run

`--before` takes a checkout of an earlier commit (e.g. `git worktree add /tmp/before 473eb51`); its server runs
on a copy of this checkout's data (`--before-data`) with the same Python, so the two columns differ only in the
code. Each column is a fresh server whose indexes are already built (`python -m core setup`).
"""
from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def server_side() -> dict[str, float]:
    """The same page and switches with no browser (streamlit.testing's AppTest runs the script in this
    process): what the server spends, so the browser figures can be read as server + drawing."""
    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(REPO))
    out = {}
    t = time.perf_counter()
    at = AppTest.from_file(str(REPO / "pages" / "similar_postings.py"), default_timeout=600)
    at.query_params["model"] = "sbert"
    at.run()
    out["server_first_run_sbert_s"] = round(time.perf_counter() - t, 2)
    for name in ("tfidf", "hybrid", "sbert"):
        times = []
        for _ in range(3):
            at.selectbox(key="ctl_model").set_value("tfidf" if name != "tfidf" else "sbert").run()
            t = time.perf_counter()
            at.selectbox(key="ctl_model").set_value(name).run()
            times.append(time.perf_counter() - t)
        out[f"server_switch_to_{name}_median_s"] = round(statistics.median(times), 2)
    return out


def browser_side(repo: Path, data: Path) -> dict[str, float]:
    """A fresh server of the checkout at `repo`: cold start to the first list, switches, another page."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t_server = time.perf_counter()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "JOBLENS_DATA": str(data)}
    proc = subprocess.Popen([sys.executable, "serve.py", "--server.port", str(port),
                             "--server.headless", "true"], cwd=repo, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.2)
    server_ready = time.perf_counter() - t_server
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1500,1900",
                 "--disable-background-networking", "--no-first-run"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)

    def wait_for(text: str, timeout: float = 600) -> None:
        """Until the run is over and drawn: the model's line, the ranked table and the map canvas, no stale
        element from the previous run and no running indicator. A dialog (error, page not found) aborts."""
        probe = """const q = s => !!document.querySelector(s);
            return [document.body.innerText.includes(arguments[0]), q('[data-testid^="stStatusWidgetRunning"]'),
                    q('[data-stale="true"]'), q('[data-testid="stDeckGlJsonChart"] canvas'),
                    q('[data-testid="stDataFrame"]'), q('[role="dialog"]')]"""
        deadline = time.time() + timeout
        while time.time() < deadline:
            has_text, running, stale, canvas, table, dialog = driver.execute_script(probe, text)
            if dialog:
                raise RuntimeError("dialog shown: " + driver.find_element(By.CSS_SELECTOR, '[role="dialog"]').text[:200])
            if has_text and canvas and table and not running and not stale:
                return
            time.sleep(0.05)
        raise TimeoutError(text)

    results = {"server_ready_s": round(server_ready, 2)}
    t = time.perf_counter()
    driver.get(f"{url}/similar?model=sbert")
    wait_for("SBERT ·")
    results["cold_start_first_list_sbert_s"] = round(time.perf_counter() - t, 2)
    results["server_start_to_first_list_s"] = round(time.perf_counter() - t_server, 2)
    switches: dict[str, list[float]] = {}
    for _ in range(3):  # three rounds; the median of each switch is reported
        for label, name in (("TF-IDF", "tfidf"), ("하이브리드(RRF)", "hybrid"), ("SBERT", "sbert")):
            box = driver.find_element(By.CSS_SELECTOR, ".st-key-ctl_model input")
            t = time.perf_counter()
            box.click()
            box.send_keys(label)
            box.send_keys(Keys.ENTER)
            wait_for(f"{label} ·")
            switches.setdefault(name, []).append(time.perf_counter() - t)
    for name, times in switches.items():
        results[f"browser_switch_to_{name}_median_s"] = round(statistics.median(times), 2)
    t = time.perf_counter()
    driver.get(f"{url}/seeker?model=tfidf")
    wait_for("TF-IDF ·")
    results["open_other_page_warm_s"] = round(time.perf_counter() - t, 2)
    driver.quit()
    proc.terminate()
    proc.wait()
    return results


def commit_of(repo: Path) -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--before", type=Path, help="a checkout of an earlier commit, measured first")
    ap.add_argument("--before-data", type=Path, help="its data folder: a copy of data/, so neither run rewrites "
                                                       "the other's index files (default: data/ itself)")
    args = ap.parse_args()
    data = Path(os.environ.get("JOBLENS_DATA", REPO / "data"))
    runs = {}
    if args.before:
        runs["before"] = {"commit": commit_of(args.before), **browser_side(args.before, args.before_data or data)}
    runs["after"] = {"commit": commit_of(REPO), **browser_side(REPO, data), **server_side()}
    out = REPO / "bench" / "results" / "app.json"
    out.write_text(json.dumps(runs if args.before else runs["after"], indent=2))
    keys = list(runs["after"])
    print(f"{'':35s} " + " ".join(f"{name:>12s}" for name in runs))
    for k in keys:
        cells = [runs[name].get(k) for name in runs]
        print(f"{k:35s} " + " ".join(f"{c!s:>12}" if isinstance(c, str) or c is None else f"{c:>11.2f}s" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
