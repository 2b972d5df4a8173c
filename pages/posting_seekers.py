"""인재 추천: posting → seekers."""
from ui import recommendation_page

recommendation_page("posting->seeker")
