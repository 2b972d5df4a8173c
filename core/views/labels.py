"""Korean names and a one-line 설명 for every list-agreement figure a page shows, in one place, so no page puts
'overlap@10' or 'RBO' in front of a counselor and every table header can carry its explanation."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    label: str  # the column or heading
    help: str  # one line: what the number means and which way is better


def overlap(k: int) -> Metric:
    return Metric(f"상위 {k}건 겹침",
                  f"두 목록의 상위 {k}건 중 같은 항목의 비율 (1 = 같은 항목, 0 = 하나도 겹치지 않음)")


RBO = Metric("순위 유사도",
             "두 목록이 위에서부터 얼마나 같은 순서인지 (위쪽 순위에 무게; 1 = 같은 목록, 0 = 전혀 다름)")
UNIQUE = Metric("★ 단독 항목", "이 모델만 찾은 항목: 다른 어느 모델의 목록에도 없습니다")
