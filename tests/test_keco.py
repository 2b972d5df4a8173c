from conftest import needs_shared

from core.data import keco


def test_thirteen_majors_and_112_middles_shipped():
    assert len(keco.majors()) == 13 and len(keco.middles()) == 112


@needs_shared
def test_detailed_code_maps_through_the_table_not_its_prefix():
    # 542000 경비원 is in middle 067 although it starts with 542; 029505 사무 보조원 is in 01B, not 029 (전기·전자 연구)
    assert keco.middle_of("542000") == "067" and keco.major_of("542000") == "06"
    assert keco.middle_of("029505") == "01B" and keco.major_of("029505") == "01"


def test_middle_and_major_codes():
    assert keco.middle_of("024") == "024" and keco.major_of("024") == "02"
    assert keco.major_of("01") == "01" and keco.middle_of("01") is None
    assert keco.major_of("99") is None and keco.major_name("") == "미분류"


@needs_shared
def test_demo_uses_real_detailed_codes(demo_store):
    posts = [p for p in demo_store.postings("demo") if p.jobsCd]
    assert posts and all(keco.middle_of(p.jobsCd) for p in posts)
    assert all(p.jobsCd in keco.detailed_middle() for p in posts if len(p.jobsCd) == 6)
