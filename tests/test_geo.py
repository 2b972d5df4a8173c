import pytest

from core.geo import GeoError, haversine_km, radius_for, resolve


@pytest.mark.parametrize("text, sido, sigungu", [
    ("서울 강남구", "서울특별시", "강남구"),
    ("서울특별시 강남구 테헤란로 516", "서울특별시", "강남구"),
    ("경기 수원시 장안구", "경기도", "수원시 장안구"),
    ("경기 고양시 덕양구", "경기도", "고양시 덕양구"),
    ("경기 여주시", "경기도", "여주시"),
    ("전라북도 전주시 완산구", "전북특별자치도", "전주시 완산구"),
    ("전북특별자치도 군산시", "전북특별자치도", "군산시"),
    ("강원도 춘천시", "강원특별자치도", "춘천시"),
    ("강원특별자치도 원주시", "강원특별자치도", "원주시"),
    ("세종", "세종특별자치시", "세종시"),
    ("인천 미추홀구", "인천광역시", "미추홀구"),
    ("대구 군위군", "대구광역시", "군위군"),
    ("부산 중구", "부산광역시", "중구"),
    ("경남 고성군", "경상남도", "고성군"),
    ("강원 고성군", "강원특별자치도", "고성군"),
    ("서울 노원구", "서울특별시", "노원구"),
    ("경남 창원시 진해구 등", "경상남도", "창원시 진해구"),
])
def test_region_resolves_to_right_sido(text, sido, sigungu):
    p = resolve(text)
    assert p.sido == sido
    assert p.sigungu == sigungu
    assert 33 < p.lat < 39 and 124 < p.lon < 132  # inside Korea, never (0, 0)


def test_emd_is_more_precise_than_sigungu():
    gu = resolve("서울 강남구")
    dong = resolve("서울 강남구 역삼동")
    assert dong.level == "emd" and dong.emd == "역삼동"
    assert 0 < haversine_km(gu.lat, gu.lon, [dong.lat], [dong.lon])[0] < 8


def test_same_name_districts_are_kept_apart():
    a, b = resolve("부산 중구"), resolve("서울 중구")
    assert haversine_km(a.lat, a.lon, [b.lat], [b.lon])[0] > 300


@pytest.mark.parametrize("text", ["서울 없는구", "화성", "", "아시아·중동"])
def test_unknown_region_raises_with_reason(text):
    with pytest.raises(GeoError) as e:
        resolve(text)
    assert e.value.reason


def test_capital_rule():
    assert resolve("경기 수원시").capital and resolve("인천 남동구").capital
    assert not resolve("부산 해운대구").capital
    assert radius_for("경기도") == 20 and radius_for("부산광역시") == 40


def test_haversine_known_distance():
    # 서울시청 → 부산시청 ≈ 325 km
    d = haversine_km(37.5663, 126.9779, [35.1798], [129.0750])[0]
    assert 320 < d < 330
