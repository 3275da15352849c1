"""Pinyin keys for Chinese name search: '张三' → ('zhangsan', 'zs')."""

from pypinyin import Style, lazy_pinyin


def pinyin_keys(text: str) -> tuple[str, str]:
    syllables = [s.lower() for s in lazy_pinyin(text or "", errors="ignore") if s.strip()]
    full = "".join(syllables)
    initials = "".join(s[0] for s in lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="ignore") if s)
    return full, initials.lower()
