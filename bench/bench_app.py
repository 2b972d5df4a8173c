"""Dashboard timings in a real browser: cold start of a fresh server to the first ranked list, and model
switches made in the sidebar as a user makes them.

    python bench/bench_app.py          # uses data/ (run `bash run.sh` or `python -m core setup` first)
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t_server = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "serve.py", "--server.port", str(port),
                             "--server.headless", "true"], cwd=REPO, env={**os.environ, "HF_HUB_OFFLINE": "1"},
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
    body = lambda: driver.find_element(By.TAG_NAME, "body").text  # noqa: E731

    def wait_for(text: str, timeout: float = 600) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if driver.find_elements(By.CSS_SELECTOR, '[role="dialog"]'):
                raise RuntimeError("dialog shown: " + driver.find_element(By.CSS_SELECTOR, '[role="dialog"]').text[:200])
            try:
                if text in body() and not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]'):
                    return
            except Exception:  # the page may be re-rendering
                pass
            time.sleep(0.1)
        raise TimeoutError(text)

    results = {"server_ready_s": round(server_ready, 2)}
    t = time.perf_counter()
    driver.get(f"{url}/similar?model=sbert")
    wait_for("SBERT ·")
    results["cold_start_first_list_sbert_s"] = round(time.perf_counter() - t, 2)
    for label, name in (("TF-IDF", "tfidf"), ("하이브리드(RRF)", "hybrid"), ("SBERT", "sbert_again")):
        box = driver.find_element(By.CSS_SELECTOR, ".st-key-ctl_model input")
        t = time.perf_counter()
        box.click()
        box.send_keys(label)
        box.send_keys(Keys.ENTER)
        wait_for(f"{label} ·")
        results[f"switch_to_{name}_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    driver.get(f"{url}/seeker?model=tfidf")
    wait_for("TF-IDF ·")
    results["open_other_page_warm_s"] = round(time.perf_counter() - t, 2)
    driver.quit()
    proc.terminate()
    out = REPO / "bench" / "results" / "app.json"
    out.write_text(json.dumps(results, indent=2))
    for k, v in results.items():
        print(f"{k:35s} {v:>7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
