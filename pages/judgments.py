"""판정: a blind queue of result lists for analysts (models hidden); marks feed the 평가·감사 page."""
from ui import page_header, sidebar_common
from ui.judgments import blind_queue_page

sidebar_common()
page_header("판정 (블라인드)", "질의마다 모든 모델의 추천을 섞어 보여 줍니다. 어느 모델의 결과인지는 숨깁니다.")
blind_queue_page()
