"""Session 52: the smaller items earlier sessions left open. Each test fails on the code before its fix; its
docstring says what a counselor would have seen."""
from __future__ import annotations

from tests.test_fourth_audit import corpus


def test_the_cli_says_a_seeker_s_record_holds_no_disability_information(tmp_data, capsys):
    """The page warns that a seeker whose record says nothing of a disability is listed as one without; the CLI
    printed the same list without a word, so a counselor reading it there took it as checked."""
    from core.cli import main

    corpus(tmp_data, [{"wantedAuthNo": "K1", "region": "서울 서초구"}],
           [{"id": "1", "disability_type": "", "disability_grade": ""},
            {"id": "2", "disability_type": "없음", "disability_grade": ""}])
    assert main(["recommend", "--seeker", "s:1", "--model", "tfidf"]) == 0
    assert "장애 정보가 없어" in capsys.readouterr().out
    assert main(["recommend", "--seeker", "s:2", "--model", "tfidf"]) == 0  # '없음' is said outright: no warning
    assert "장애 정보가 없어" not in capsys.readouterr().out
