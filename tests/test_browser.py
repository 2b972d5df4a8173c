"""Real browser: Debian chromium + chromedriver (installed by scripts/setup.sh) drive the running app.

Loads every page on localhost once at 1280 px, waits for the map canvas and the table, checks the console and the
wording, clicks a result row, and saves screenshots to artifacts/screenshots/. Fails on a Streamlit exception or a
missing map.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium/chromedriver not installed (run as root: scripts/setup.sh)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served_wbert(tmp_path_factory) -> Path:
    """The folder the server's W-BERT lives in (JOBLENS_WBERT)."""
    return tmp_path_factory.mktemp("models") / "wbert-static"


@pytest.fixture(scope="module")
def server(demo_store, served_wbert):
    import dataclasses

    from core import locations
    from core.models.engine import Engine
    from core.models.wbert import ensure_static

    # as `python -m core setup` does for the default run: the static W-BERT is built by set-up's own step (here
    # in a folder of this test, named by JOBLENS_WBERT), and the SBERT and W-BERT vectors of the corpus go into
    # the store's cache, so the pages time loading and ranking, not encoding on a shared CPU
    wbert_dir = served_wbert
    previous = locations.use(dataclasses.replace(locations.here(), wbert=wbert_dir))
    try:
        assert ensure_static("demo") is not None and (wbert_dir / "card.json").exists()
        engine = Engine.from_store(demo_store)
        engine.model("sbert"), engine.model("wbert")
    finally:
        locations.use(previous)
    port = _free_port()
    env = {**os.environ, "JOBLENS_DATA": str(demo_store.path.parent), "HF_HUB_OFFLINE": "1", "JOBLENS_WBERT": str(wbert_dir)}
    # serve.py, as run.sh does; this fresh server's first request is a page's own URL (/evaluation), where a
    # 'Page not found' notice fails _no_exception
    proc = subprocess.Popen([sys.executable, str(REPO / "serve.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 240  # generous: CI machines can be heavily shared
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not become healthy: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1500,1900", "--lang=ko-KR", "--use-gl=angle", "--use-angle=swiftshader",
                 "--enable-unsafe-swiftshader"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, read by _console_errors
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


def _wait(driver, css: str, timeout: float = 240):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def _idle(driver, timeout: float = 240) -> None:
    """Wait until Streamlit has finished running the script: its app root reports the script state
    'notRunning' (not 'initial', 'running' or 'rerunRequested') and no status widget says running."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="stApp"][data-test-script-state="notRunning"]')
        and not d.find_elements(By.CSS_SELECTOR, '[data-testid^="stStatusWidgetRunning"]'))


def _until(driver, condition, timeout: float = 30, poll: float = 0.25):
    """WebDriverWait for any condition of the driver; returns its value (raises TimeoutException)."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=poll).until(condition)


def _into_view(driver, element) -> None:
    """Scroll the element to the middle of the window and wait until it is there."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    _until(driver, lambda d: d.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.bottom > 0 && r.top < window.innerHeight;", element))


def _settled(driver, element=None, timeout: float = 60, still: int = 4) -> bytes:
    """Wait until `still` screenshots a second apart are all the same (deck.gl draws its polygons as their data
    arrives, over the next animation frames, and its labels once their font atlas is built: a loaded machine
    can pause between those); returns the settled screenshot (of the element, or the window). An element that
    never settles fails the test; a whole window may hold something that always moves (a caret), so after
    `timeout` its last screenshot is returned."""
    from selenium.common.exceptions import TimeoutException

    shots: list[bytes] = []

    def same(d) -> bytes | None:
        shots.append(element.screenshot_as_png if element is not None else d.get_screenshot_as_png())
        return shots[-1] if len(shots) >= still and len(set(shots[-still:])) == 1 else None
    try:
        return _until(driver, same, timeout, poll=1.0)
    except TimeoutException:
        if element is not None:
            raise
        return shots[-1]


def _no_exception(driver, name: str) -> None:
    """No Streamlit exception and no error dialog (e.g. 'Page not found' for a deep link)."""
    from selenium.webdriver.common.by import By

    errors = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    assert not errors, f"{name}: Streamlit exception shown: {errors[0].text[:500]}"
    dialogs = driver.find_elements(By.CSS_SELECTOR, '[role="dialog"]')
    assert not dialogs, f"{name}: dialog shown: {dialogs[0].text[:300]}"


TABLE, LINK = '[data-testid="stDataFrame"]', '[data-testid="stPageLink"]'
WIDE = SHOTS / "1280"


def _open(browser, server, path: str, query: str = "", width: int = 1280, height: int = 800) -> None:
    browser.set_window_size(width, height)
    browser.get(f"{server}/{'' if path == 'home' else path}{query}")
    _wait(browser, '[data-testid="stMainBlockContainer"]')
    _idle(browser)
    _no_exception(browser, path)


def _console_errors(browser) -> list[str]:
    """The browser console's errors since the last call (reading the log drains it): deck.gl's failed layers
    ('initialization of TextLayer ... function is not iterable'), React errors, failed requests."""
    return [entry["message"] for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE" and not STREAMLIT_PATH_PROBE.search(entry["message"])]


# Streamlit's own start-up on a page URL (/seeker): it first asks /seeker/_stcore/health and /host-config to learn
# whether the app is served under a path prefix, gets a 404, then uses the root. Expected, and nothing of ours.
STREAMLIT_PATH_PROBE = re.compile(r"/[^/\s]+/_stcore/(health|host-config) - Failed to load resource: "
                                  r"the server responded with a status of 404")


def _canvas_pixels(browser, css: str):
    """The drawn pixels of a deck.gl map (its WebGL canvas as the page shows it), as an RGB array."""
    import io

    import numpy as np
    from PIL import Image
    from selenium.webdriver.common.by import By

    _wait(browser, f"{css} canvas")
    chart = browser.find_element(By.CSS_SELECTOR, css)
    _into_view(browser, chart)
    return np.asarray(Image.open(io.BytesIO(_settled(browser, chart))).convert("RGB")).astype(int)


def _label_pixels(pixels):
    """Pixels of the map's place names: dark and neutral (grey to black text; white outline around it). Nothing
    else on the map is: polygons are light grey, points and the radius blue, the origin red."""
    import numpy as np

    dark = (pixels.max(axis=2) < 120) & (np.ptp(pixels, axis=2) < 30)
    return dark


def _the_seeker_map_draws_place_names(browser) -> None:
    """The names are drawn, not only sent: dark text pixels in several separate places of the map canvas."""
    from scipy import ndimage

    pixels = _canvas_pixels(browser, ".st-key-seeker_posting_map")
    browser.save_screenshot(str(WIDE / "seeker-map.png"))
    text = _label_pixels(pixels)
    blobs, n = ndimage.label(ndimage.binary_dilation(text, iterations=3))  # one blob per drawn name
    sizes = ndimage.sum(text, blobs, range(1, n + 1))
    names = int((sizes >= 25).sum())
    assert text.mean() > 0.002 and names >= 3, f"no place names drawn: dark share {text.mean():.4f}, {names} names"


def _the_overview_draws_its_choropleth(browser) -> None:
    import numpy as np

    pixels = _canvas_pixels(browser, ".st-key-ov_choropleth")
    shaded = ((pixels[..., 2] - pixels[..., 0] > 25) & (pixels.min(axis=2) < 245)).mean()  # blue shades of counts
    grey = (np.abs(pixels - np.array([226, 229, 233])).sum(axis=2) <= 24).mean()  # 시군구 with no value
    assert shaded > 0.02 and shaded + grey > 0.1, f"choropleth not drawn: shaded {shaded:.3f}, grey {grey:.3f}"


def _model_compare_lists_are_wide_enough(browser) -> None:
    """모델 비교 at 1280 px: two lists a row, each wide enough for a posting title (four in a row cut them)."""
    from selenium.webdriver.common.by import By

    _wait(browser, TABLE)
    lists = [g for g in browser.find_elements(By.CSS_SELECTOR, TABLE) if g.size["width"] > 0][:4]
    assert len(lists) >= 4
    assert min(g.size["width"] for g in lists) >= 380, [g.size["width"] for g in lists]


def _click_a_row(browser, name: str, list_key: str) -> None:
    """Click a row in the row-selection column at the grid's left edge: the page says what was selected (the first
    click may only focus the canvas grid, so try the first rows in turn)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    grid = browser.find_element(By.CSS_SELECTOR, f'.st-key-{list_key}_table [data-testid="stDataFrame"]')
    _into_view(browser, grid)
    for row in (1, 2, 3):
        ActionChains(browser).move_to_element(grid).pause(0.3).move_to_element_with_offset(
            grid, -grid.size["width"] // 2 + 16, -grid.size["height"] // 2 + 18 + 36 * row).pause(0.3).click().perform()
        _idle(browser)
        try:
            _until(browser, lambda d: "선택:" in d.find_element(By.TAG_NAME, "body").text, timeout=20)
            break
        except TimeoutException:
            continue  # that click only focused the grid: the next row
    assert "선택:" in browser.find_element(By.TAG_NAME, "body").text, f"{name}: clicking a row selected nothing"
    _no_exception(browser, name)


# ---------------------------------------------------------------- #28: 평가·감사 ready on first open, analyst agreement
# before the tour of every page below: that tour then finds the report this first open wrote, instead of the
# evaluation running a second time
def test_evaluation_opens_with_a_table_and_shows_three_analysts_agreement(server, browser, demo_store, tmp_path):
    """A fresh set-up (no report yet) opens 평가·감사 to a table, not an empty state; judgments seeded from three
    analysts give the agreement section (Cohen per pair, Fleiss, Krippendorff) and a disagreement list."""
    from selenium.webdriver.common.by import By

    from core.evaluation import judgments as jd

    reports = demo_store.path.parent / "reports"
    aside = tmp_path / "reports-aside"
    aside.mkdir()
    for old in reports.glob("evaluation*"):  # what earlier tests wrote: this test is the first open
        old.rename(aside / old.name)
    seekers, postings = sorted(demo_store_ids(demo_store, "seekers"))[:3], sorted(demo_store_ids(demo_store, "postings"))
    grades = {"김분석": [2, 2, 1, 0, 0, 1, 2, 0], "이분석": [2, 1, 1, 0, 0, 1, 2, 1], "박분석": [2, 2, 1, 0, 1, 1, 2, 0]}
    seeded = [jd.Judgment(who, "seeker->posting", s, postings[7 * n + i], g, jd.BLIND)
              for n, s in enumerate(seekers) for who, gs in grades.items() for i, g in enumerate(gs)]
    jd.record(demo_store, seeded)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        browser.set_window_size(1500, 1900)
        browser.get(f"{server}/evaluation")
        _wait(browser, '[data-testid="stMainBlockContainer"]')
        _wait(browser, TABLE, timeout=600)
        _idle(browser, timeout=600)
        _no_exception(browser, "evaluation")
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "아직 평가 보고서가 없습니다" not in body and "지표 (k = 5" in body, body[:500]
        assert any(reports.glob("evaluation*.json"))
        deadline = time.time() + 300
        while time.time() < deadline and "Krippendorff" not in browser.find_element(By.TAG_NAME, "body").text:
            time.sleep(1)
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "분석가 간 일치도" in body and "Fleiss" in body and "Krippendorff" in body, body[-1500:]
        assert "불일치 판정" in body and "결정을 기다리는 불일치가 없습니다" not in body
        heading = next(e for e in browser.find_elements(By.CSS_SELECTOR, "h3") if "분석가 간 일치도" in e.text)
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'});", heading)
        time.sleep(1.5)
        shot = SHOTS / "evaluation-agreement.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        with demo_store.tx() as con:  # leave the session's store as the other tests expect it
            con.execute("DELETE FROM judgments WHERE analyst IN ('김분석', '이분석', '박분석')")


# (url path, query, element that shows the page is drawn, key of the ranked list or None, what else to check on
# the same load). One load a page: a map page costs the browser ~15 s of CPU in software WebGL on two cores.
EVERY_PAGE = [
    ("similar", "?model=tfidf&k=10", TABLE, "posting_posting", None),
    ("seeker", "?model=tfidf&k=8", TABLE, "seeker_posting", _the_seeker_map_draws_place_names),
    ("talent", "?model=tfidf&k=10&dist=0", TABLE, "posting_seeker", None),
    # W-BERT is ready in all three directions with no prompt to train (set-up built it)
    ("similar", "?model=wbert&k=8", TABLE, "posting_posting", None),
    ("seeker", "?model=wbert&k=8", TABLE, "seeker_posting", None),
    ("talent", "?model=wbert&k=8&dist=0", TABLE, "posting_seeker", None),
    ("compare", "?k=5", TABLE, None, _model_compare_lists_are_wide_enough),
    ("overview", "", ".st-key-ov_choropleth canvas", None, _the_overview_draws_its_choropleth),
    ("corpus", "", TABLE, None, None),
    ("evaluation", "", TABLE, None, None),
    ("judge", "", TABLE, None, None),  # the blind 판정 queue (#13)
    ("suitability", "", "h1", None, None),
    ("wbert", "", "h1", None, None),
    ("home", "", LINK, None, None),  # 시작, the root
]


@pytest.mark.parametrize("name, query, ready, list_key, extra", EVERY_PAGE,
                         ids=[f"{n}{q}" for n, q, *_ in EVERY_PAGE])
def test_every_page_at_1280(server, browser, name, query, ready, list_key, extra):
    """Every page, deep-linked at 1280 px: it draws with an empty browser console (#26: a broken map layer only
    showed there), keeps the app navigation, shows no particle slip, English metric name, internal name or path
    (the pattern of tests/test_wording.py); a ranked list has its map, and clicking a row selects it."""
    from selenium.webdriver.common.by import By

    from tests.test_wording import FORBIDDEN

    WIDE.mkdir(parents=True, exist_ok=True)
    _console_errors(browser)  # drain what earlier pages left
    _open(browser, server, name, query)
    _wait(browser, "h1")  # every page has its title: the script has run (a fresh server's first page is slow)
    _wait(browser, ready)
    _idle(browser)
    if list_key:  # the ranked list itself (the query's record card above it is a table too) and its map
        _wait(browser, f'.st-key-{list_key}_table [data-testid="stDataFrame"]')
        chart = _wait(browser, '[data-testid="stDeckGlJsonChart"]')
        _wait(browser, '[data-testid="stDeckGlJsonChart"] canvas')
        assert chart.size["height"] > 100
        _idle(browser)
    _no_exception(browser, name)
    body = browser.find_element(By.TAG_NAME, "body").text
    if "model=wbert" in query:
        assert "학습되지 않았습니다" not in body and "W-BERT 정적 임베딩" in body, f"{name}: W-BERT not ready: {body[:300]}"
    nav = browser.find_element(By.CSS_SELECTOR, '[data-testid="stSidebarNav"]').text
    assert "인재 추천" in nav and "코퍼스 현황" in nav, f"{name}: deep link lost the app navigation: {nav[:200]}"
    _settled(browser, timeout=15, still=2)
    stem = f"{name}{'-wbert' if 'model=wbert' in query else ''}"
    shot = WIDE / f"{stem}.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    body = browser.find_element(By.TAG_NAME, "body").text  # the settled page's words
    slips = sorted({m.group(0) for m in FORBIDDEN.finditer(body)})
    assert not slips, f"{name}: {slips} on the page"
    if extra:
        extra(browser)
    if list_key:
        _click_a_row(browser, name, list_key)
        SHOTS.mkdir(parents=True, exist_ok=True)
        selected = SHOTS / f"{stem}-selected.png"
        browser.save_screenshot(str(selected))
        assert selected.stat().st_size > 10_000
    errors = _console_errors(browser)
    assert not errors, f"{name}: browser console errors: {errors[:5]}"


def _font_px(browser, element) -> float:
    return browser.execute_script("return parseFloat(getComputedStyle(arguments[0]).fontSize)", element)


def _grid_font_px(browser, grid) -> float:
    """The font the data grid draws its cells with: it paints on a canvas, from the font it publishes as the
    CSS variable --gdg-base-font-style ('400 19.6px') on its own element."""
    import re

    style = browser.execute_script(
        "const el = arguments[0].querySelector('[style*=\"--gdg-base-font-style\"]') || arguments[0];"
        "return getComputedStyle(el).getPropertyValue('--gdg-base-font-style');", grid)
    match = re.search(r"([\d.]+)px", style or "")
    assert match, f"no grid font published: {style!r}"
    return float(match.group(1))


def test_large_text_mode_at_1280(server, browser):
    """큰 글씨 reaches the table cells, the pickers, the legend and the map's names (≥ 18 px), not only text."""
    from selenium.webdriver.common.by import By

    WIDE.mkdir(parents=True, exist_ok=True)
    _open(browser, server, "seeker", "?model=tfidf&k=8")
    grid = _wait(browser, '.st-key-seeker_posting_table [data-testid="stDataFrame"]')
    normal = _grid_font_px(browser, grid)
    _open(browser, server, "seeker", "?model=tfidf&k=8&a11y=1")
    _wait(browser, '[data-testid="stDeckGlJsonChart"] canvas')
    size = _font_px(browser, browser.find_element(By.CSS_SELECTOR, ".joblens-legend"))
    assert size >= 18, f"legend font {size}px in 큰 글씨 mode"
    grid = _wait(browser, '.st-key-seeker_posting_table [data-testid="stDataFrame"]')
    cells = _grid_font_px(browser, grid)
    assert cells >= 18 and cells > normal, f"table cells {cells}px in 큰 글씨 mode ({normal}px without)"
    picker = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMainBlockContainer"] [data-testid="stSelectbox"]')
    sizes = browser.execute_script(  # every piece of text in the picker: its label and the chosen seeker
        "return [...arguments[0].querySelectorAll('*')].filter(e => [...e.childNodes].some("
        "n => n.nodeType === 3 && n.textContent.trim())).map(e => parseFloat(getComputedStyle(e).fontSize));", picker)
    assert sizes and min(sizes) >= 18, f"picker text {sizes}px in 큰 글씨 mode"
    _settled(browser, timeout=15, still=2)
    browser.save_screenshot(str(WIDE / "seeker-large-text.png"))
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'});", grid)  # the table and the map's names
    _settled(browser, timeout=15, still=2)  # names hidden where they would overlap fade out over a few frames
    browser.save_screenshot(str(WIDE / "seeker-large-text-table.png"))


def test_overview_at_1920_is_large_with_legend_and_names(server, browser):
    """The projector layout: at 1920×1080 the overview map is big, has its legend and 시도 names drawn."""
    from scipy import ndimage
    from selenium.webdriver.common.by import By

    (SHOTS / "1920").mkdir(parents=True, exist_ok=True)
    _console_errors(browser)
    _open(browser, server, "overview", width=1920, height=1080)
    chart = _wait(browser, ".st-key-ov_choropleth canvas")
    assert chart.size["height"] >= 600 and chart.size["width"] >= 900, chart.size
    legend = browser.find_element(By.CSS_SELECTOR, ".st-key-ov_choropleth .joblens-legend").text
    assert "자료 없음" in legend and "공고" in legend, legend
    pixels = _canvas_pixels(browser, ".st-key-ov_choropleth")
    text = _label_pixels(pixels)
    blobs, n = ndimage.label(ndimage.binary_dilation(text, iterations=3))
    names = int((ndimage.sum(text, blobs, range(1, n + 1)) >= 25).sum())
    assert names >= 8, f"시도 names drawn: {names}"
    browser.save_screenshot(str(SHOTS / "1920" / "overview.png"))
    assert not _console_errors(browser)


def test_map_is_filled_and_the_table_fits_at_1280(server, browser, demo_store):
    import numpy as np
    from selenium.webdriver.common.by import By

    from core.models.engine import Engine

    corpus = Engine.from_store(demo_store).corpus
    # an inland seeker: the map has no sea background, so a coastal view is white where the sea is
    inland = ("충청북도", "대전광역시", "세종특별자치시", "서울특별시")
    seeker = min((s for s in corpus.seekers.values() if s.place.sido in inland),
                 key=lambda s: (inland.index(s.place.sido), s.id))
    _open(browser, server, "seeker", f"?seeker={seeker.id}&model=tfidf&k=50")
    pixels = _canvas_pixels(browser, ".st-key-seeker_posting_map")
    from core.geo.mapdata import FILL

    # the 시군구 or 시도 fill (which one depends on the view's zoom), radius tint aside
    near_fill = max((np.abs(pixels - np.array(fill[:3])).sum(axis=2) <= 12).mean() for fill in FILL.values())
    blue_tint = ((pixels[..., 2] > pixels[..., 0] + 8) & (pixels[..., 2] > 200)).mean()
    white = (pixels.min(axis=2) >= 250).mean()
    assert near_fill + blue_tint > 0.35, f"polygons not filled: fill {near_fill:.2f}, tinted {blue_tint:.2f}"
    assert 0.003 < white < 0.5, f"borders: white share {white:.3f}"
    grid = browser.find_element(By.CSS_SELECTOR, '.st-key-seeker_posting_table [data-testid="stDataFrame"]')
    scroll, client = browser.execute_script(
        "const s = arguments[0].querySelector('.dvn-scroller') || arguments[0];"
        "return [s.scrollWidth, s.clientWidth];", grid)
    assert scroll <= client + 1, f"the result table scrolls sideways at 1280 px: {scroll} > {client}"


def test_pdf_sheet_downloads_with_the_listed_titles_and_no_identifier(server, browser, demo_store, tmp_path):
    """The sheet carries the items above the relevance floor, in the page's order, and says how many it left out;
    the seeker is one whose list holds postings of their own 직종 (a list of only other 직종 prints none)."""
    from pypdf import PdfReader
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    from core.filters import FilterSettings
    from core.models.engine import Engine
    from core.views.frames import result_frame, split_at_floor

    engine = Engine.from_store(demo_store)
    model = engine.model("tfidf")
    for seeker in sorted(engine.corpus.seekers.values(), key=lambda s: s.id):
        result = model.recommend(seeker, k=8, filters=FilterSettings(), target="posting")
        above, below = split_at_floor(result_frame(engine.corpus, result, "posting", "seeker->posting", seeker))
        if len(above) >= 3:
            break
    else:
        raise AssertionError("no seeker of the test corpus has three postings above the floor")
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    _open(browser, server, "seeker", f"?seeker={seeker.id}&model=tfidf&k=8")
    button = _wait(browser, ".st-key-seeker_pdf button")
    _into_view(browser, button)
    _until(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, ".st-key-seeker_pdf button"))).click()
    pdfs = _until(browser, lambda d: list(tmp_path.glob("*.pdf")), timeout=60)  # the download finished
    text = "\n".join(page.extract_text() for page in PdfReader(str(pdfs[0])).pages)
    shown = [engine.corpus.postings[i].title for i in above["id"]]
    assert all(title[:12] in text for title in shown), (shown, text[:500])
    assert f"공고 {len(above)}건" in text.replace("\n", " ")
    if len(below):
        assert f"다른 직종 공고 {len(below)}건은 싣지 않았습니다" in text.replace("\n", " ")
    assert seeker.id.split(":")[-1] not in text and "구직자" not in text.split("\n")[0]


def demo_store_ids(store, table: str) -> list[str]:
    return [r[0] for r in store.query(f"SELECT id FROM {table}")]


def test_a_wbert_built_by_an_older_recipe_says_so_on_its_page(server, browser, served_wbert):
    """Last in this file: it rewrites the served card (a new card makes a running engine refit W-BERT). An install
    upgraded from before the n-grams keeps its W-BERT; the page says how its recipe differs and how to rebuild."""
    import json

    from selenium.webdriver.common.by import By

    from tests.test_wording import FORBIDDEN

    card_file = served_wbert / "card.json"
    original = card_file.read_bytes()
    card = json.loads(original)
    card["config"] = {k: v for k, v in card["config"].items() if k not in ("char_ngram_max", "neutral_share",
                                                                            "token_dropout")} | {"lr_embedding": 0.02}
    try:
        card_file.write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
        _open(browser, server, "wbert")
        note = _until(browser, lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, '[data-testid="stAlert"]')
                                          if "지금과 다른 방식" in e.text], timeout=120)[0]
        assert "문자 n-그램 최대 길이 없음 → 3" in note.text and "다시 학습" in note.text, note.text
        assert not FORBIDDEN.search(note.text), note.text
        _into_view(browser, note)
        WIDE.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(WIDE / "wbert-older-recipe.png"))
        assert (WIDE / "wbert-older-recipe.png").stat().st_size > 10_000
    finally:
        card_file.write_bytes(original)
