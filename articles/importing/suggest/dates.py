"""Dates: absolute and relative dates in the text, resolved to partial ISO dates."""

from __future__ import annotations

import calendar
import datetime
import re

from newsroom.text import fold_chars

from .results import Anchor, DateMention


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_MONTH = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_DATE_RE = re.compile(
    rf"(?P<abs>(?<!\d)(?P<ay>(?:1[89]|20)\d{{2}})年(?:(?P<am>{_MONTH})月(?:(?P<ad>\d{{1,2}})[日号])?)?)"
    r"|(?P<iso>(?<!\d)(?P<iy>(?:19|20)\d{2})-(?P<im>\d{2})-(?P<id>\d{2})(?!\d))"
    rf"|(?P<rel>(?P<rw>今年|去年|前年|明年|本年)(?:(?P<rm>{_MONTH})月(?:(?P<rd>\d{{1,2}})[日号])?)?)"
    rf"|(?P<ctx>(?P<cw>这一年|这年|同年|当年|那年|该年)(?:(?P<cm>{_MONTH})月(?:(?P<cd>\d{{1,2}})[日号])?)?)"
    r"|(?P<week>(?P<wk>上周|本周|这周|下周)(?P<wd>[一二三四五六日天])?)"
    r"|(?P<mon>上个月|上月|本月|这个月|下个月|下月)"
    r"|(?P<day>昨天|昨日|前天|明天)"
    r"|(?P<bare>(?<![\d年月])(?P<bm>\d{1,2})月(?:(?P<bd>\d{1,2})[日号])?)"
)


def _month_number(token: str | None) -> int | None:
    if token is None:
        return None
    if token.isdigit():
        return int(token)
    if token.startswith("十"):
        return 10 + (_CN_DIGITS[token[1]] if len(token) > 1 else 0)
    return _CN_DIGITS.get(token)


def _partial(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not 1000 <= year <= 2999:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _week_value(story_date: datetime.date, which: str, weekday: str | None) -> str:
    offset = {"上周": -7, "本周": 0, "这周": 0, "下周": 7}[which]
    monday = story_date - datetime.timedelta(days=story_date.weekday()) + datetime.timedelta(days=offset)
    if weekday:
        index = "一二三四五六".find(weekday)
        day = monday + datetime.timedelta(days=index if index >= 0 else 6)
        return day.isoformat()
    sunday = monday + datetime.timedelta(days=6)
    if (monday.year, monday.month) == (sunday.year, sunday.month):
        return f"{monday.year:04d}-{monday.month:02d}"
    return f"{monday.year:04d}"


def _resolve_date(match: re.Match, story_date: datetime.date | None, context_year: int | None) -> str | None:
    group = match.group
    if group("abs"):
        return _partial(int(group("ay")), _month_number(group("am")), _int(group("ad")))
    if group("iso"):
        return _partial(int(group("iy")), int(group("im")), int(group("id")))
    if group("rel"):
        if story_date is None:
            return None
        shift = {"今年": 0, "本年": 0, "去年": -1, "前年": -2, "明年": 1}[group("rw")]
        return _partial(story_date.year + shift, _month_number(group("rm")), _int(group("rd")))
    if group("ctx"):
        month = _month_number(group("cm"))
        if context_year is None or (group("cw") in ("当年", "那年") and month is None):
            return None
        return _partial(context_year, month, _int(group("cd")))
    if group("week"):
        return _week_value(story_date, group("wk"), group("wd")) if story_date else None
    if group("mon"):
        if story_date is None:
            return None
        shift = {"上个月": -1, "上月": -1, "本月": 0, "这个月": 0, "下个月": 1, "下月": 1}[group("mon")]
        month_index = story_date.year * 12 + story_date.month - 1 + shift
        return _partial(month_index // 12, month_index % 12 + 1)
    if group("day"):
        if story_date is None:
            return None
        shift = {"昨天": -1, "昨日": -1, "前天": -2, "明天": 1}[group("day")]
        return (story_date + datetime.timedelta(days=shift)).isoformat()
    if group("bare"):
        month, day = int(group("bm")), _int(group("bd"))
        if context_year is not None:
            return _partial(context_year, month, day)
        if story_date is not None:
            year = story_date.year - (1 if month > story_date.month else 0)
            return _partial(year, month, day)
    return None


def _int(token: str | None) -> int | None:
    return int(token) if token else None


def find_dates(paragraphs: list[str], story_date: datetime.date | None) -> list[DateMention]:
    """Absolute and relative dates in the paragraphs, resolved to partial ISO dates."""
    return _find_dates([fold_chars(p) for p in paragraphs], paragraphs, story_date)


def _find_dates(folded_paragraphs, paragraphs, story_date) -> list[DateMention]:
    mentions: list[DateMention] = []
    context_year: int | None = None
    for block, folded in enumerate(folded_paragraphs):
        for match in _DATE_RE.finditer(folded):
            value = _resolve_date(match, story_date, context_year)
            if value is None:
                # An unresolved date ("今年4月" with no story date) is still the year the
                # text now talks about: a later "同年" must not borrow an older year.
                if not match.group("bare"):
                    context_year = None
                continue
            start, end = match.span()
            mentions.append(DateMention(Anchor(block, start, end, paragraphs[block][start:end]), value))
            context_year = int(value[:4])
    return mentions
