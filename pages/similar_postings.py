"""유사 공고 추천: posting → similar postings."""
from ui import recommendation_page

recommendation_page("posting->posting")
