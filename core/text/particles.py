"""Korean particles (조사) after an interpolated noun: '공고가 없습니다', '구직자가 없습니다', '모델을 불러올 수 없습니다'.

Which form follows a word depends on whether its last sound ends in a consonant (받침): 공고 → 가, 공고문 → 이.
The one place every message that puts a noun before a particle goes through, so no '이(가)' or '공고이' reaches a
user. Words ending in a digit or a Latin letter are read as Koreans say them (3 삼 → 이, 2 이 → 가, L 엘 → 이).
"""
from __future__ import annotations

# (form after a final consonant, form after a vowel); '으로/로' also takes 로 after ㄹ (서울로, 1로 = 일로)
PAIRS = {"이/가": ("이", "가"), "을/를": ("을", "를"), "은/는": ("은", "는"), "과/와": ("과", "와"),
         "으로/로": ("으로", "로"), "이나/나": ("이나", "나"), "이라/라": ("이라", "라")}
_DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "2": "", "3": "ㅁ", "4": "", "5": "", "6": "ㄱ", "7": "ㄹ", "8": "ㄹ", "9": ""}
_ZERO_UNITS = ["ㅂ", "ㄱ", "ㄴ", "ㄴ"]  # 십 백 천 만
_LATIN_FINAL = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "r": "ㄹ"}  # 엘 엠 엔 알; the other letters' names end in a vowel
_FINALS = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ", "ㅁ", "ㅂ", "ㅄ",
           "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]
_SKIP = set(" '\"‘’“”)]}>」』.,·…%")  # trailing quotes, brackets and marks: the particle follows the word inside


def final_consonant(word: object) -> str | None:
    """The last sound's final consonant ('' for a vowel), or None when the word ends in nothing readable."""
    text = str(word or "").rstrip()
    while text and text[-1] in _SKIP:
        text = text[:-1]
    if not text:
        return None
    last = text[-1]
    if "가" <= last <= "힣":
        return _FINALS[(ord(last) - 0xAC00) % 28]
    if last.isdigit() and last in _DIGIT_FINAL:
        zeros = len(text) - len(text.rstrip("0"))
        if last == "0" and zeros < len(text.replace(",", "")):  # 10 십, 100 백, 1,000 천, 10,000 만: the last unit
            return _ZERO_UNITS[min(zeros, len(_ZERO_UNITS)) - 1]
        return _DIGIT_FINAL[last]
    if last.isascii() and last.isalpha():
        return _LATIN_FINAL.get(last.lower(), "")
    return None


def particle(word: object, pair: str) -> str:
    """`word` followed by the right form of `pair` ('이/가', '을/를', '은/는', '과/와', '으로/로', ...):
    particle('공고', '이/가') == '공고가', particle('구직자', '이/가') == '구직자가', particle('공고문', '을/를') == '공고문을'.
    An unreadable ending (a symbol) keeps the vowel form, which reads naturally after a quoted value."""
    with_final, without = PAIRS[pair]
    final = final_consonant(word)
    if pair == "으로/로":
        use_final = bool(final) and final != "ㄹ"
    else:
        use_final = bool(final)
    return f"{word}{with_final if use_final else without}"
