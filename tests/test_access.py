"""Issue #17 item 12: the dashboard listens on localhost by default; once it is shared, or accounts exist,
nothing shows before a login, and corrections and judgments carry the signed-in account."""
import tomllib
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from core.access import hash_password, login_required, sign_in, verify

REPO = Path(__file__).resolve().parent.parent
USERS = {"상담사1": hash_password("correct horse", salt="a" * 32)}


def test_password_hashes_verify_and_never_hold_the_password():
    assert verify(USERS["상담사1"], "correct horse") and not verify(USERS["상담사1"], "wrong horse")
    assert "correct horse" not in USERS["상담사1"]
    assert sign_in(USERS, "상담사1", "correct horse") == "상담사1"
    assert sign_in(USERS, "상담사1", "x") is None and sign_in(USERS, "없는사람", "correct horse") is None
    assert not verify("garbage", "x") and not verify("md5$1$a$b", "x")
    with pytest.raises(ValueError):
        hash_password("short")


def test_login_is_required_when_shared_or_when_accounts_exist():
    assert not login_required("127.0.0.1", {})
    assert login_required("0.0.0.0", {}) and login_required("", {}) and login_required("127.0.0.1", USERS)
    shipped = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert shipped["server"]["address"] == "127.0.0.1"


@pytest.fixture()
def app(demo_store):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    at.secrets["auth"] = {"users": USERS}
    return at


def test_no_page_content_before_login_and_the_start_page_after(app):
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.metric and app.title[0].value == "JobLens 로그인"
    app.text_input[0].set_value("상담사1")
    app.text_input[1].set_value("wrong password")
    app.button[0].click().run()
    assert any("맞지 않습니다" in e.value for e in app.error) and not app.metric
    app.text_input[0].set_value("상담사1")
    app.text_input[1].set_value("correct horse")
    app.button[0].click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.metric and app.session_state["user"] == "상담사1"


def test_a_shared_server_without_accounts_refuses_to_show_anything(demo_store, monkeypatch):
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
        at.run()
    finally:
        config.set_option("server.address", before)
    assert any("계정이 없습니다" in e.value for e in at.error) and not at.metric


def test_corrections_are_recorded_under_the_signed_in_account(demo_store):
    from core.models.engine import Engine

    pid = sorted(Engine.from_store(demo_store).corpus.postings)[3]
    at = AppTest.from_file(str(REPO / "pages" / "suitability_review.py"), default_timeout=180)
    at.query_params["posting"] = pid
    at.session_state["user"] = "상담사1"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "확인자" not in [t.label for t in at.text_input]  # no typed name to impersonate someone
    next(r for r in at.radio if r.label == "판정").set_value("unsuitable")  # no verdict is chosen for the counselor
    form_button = next(b for b in at.button if b.label == "저장")
    form_button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert demo_store.corrections(pid)[-1]["who"] == "상담사1"


def test_judgments_are_recorded_under_the_signed_in_account(demo_store):
    from core.evaluation import judgments as jd
    from core.models.engine import Engine

    pid = sorted(Engine.from_store(demo_store).corpus.postings)[7]
    at = AppTest.from_file(str(REPO / "pages" / "similar_postings.py"), default_timeout=180)
    at.query_params.update({"posting": pid, "model": "tfidf", "k": "5"})
    at.session_state["user"] = "상담사1"
    at.run()
    assert "analyst" not in [t.key for t in at.text_input]
    at.radio(key="posting_posting_mark_1").set_value("관련")
    at.button[[b.label for b in at.button].index("판정 저장")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert {j.analyst for j in jd.load(demo_store) if j.query_id == pid} == {"상담사1"}
