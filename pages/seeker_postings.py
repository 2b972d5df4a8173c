"""구직자 맞춤 추천: seeker → postings."""
from ui import recommendation_page

recommendation_page("seeker->posting")
