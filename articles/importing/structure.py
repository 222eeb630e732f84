"""Find the structure of a scraped Chinese feature given as raw text.

The input is the text of a story as scraped (ideally already cleaned of
pinyin glosses and mojibake): one paragraph per line, blank lines between
them or not.  This module turns it into a :class:`RawStory` -- title,
bylines, lede and numbered sections of paragraph and figure blocks -- without
touching the database, so the importer can build its rows (and its repair
annotations) from it.

Line by line, after stripping surrounding whitespace (ASCII, U+3000 and a
leading BOM), each non-blank line is one of:

* a **section marker**.  Two styles are recognised and may be mixed:

  - a line holding only a two-digit number ("01" ... "99", ASCII or
    full-width digits); the next non-blank line is the heading;
  - a line beginning with a number and ". ", "．" or "、" ("01. 大模型", "1、大模型")
    with the heading on the same line, when it continues the numbering (else it is an
    enumerated paragraph);
  - a line beginning with a Chinese numeral and "、" ("一、大模型的阿里往事",
    "十二、…"); the rest of the line is the heading.  To keep enumerated
    paragraphs ("一、為創業公司提供算力；") out, the rest must look like a
    heading: at most :data:`MAX_NUMERAL_HEADING` characters and not ending in
    a comma, semicolon, colon or full stop.

  Section numbers must start at 01 and rise by one; a duplicate, a gap or a
  marker with no heading raises :class:`StructureError` naming the lines.
* a **figure slot**: the line "圖片" or "图片" (optionally in brackets, "[圖片]").
  The block keeps the placeholder as printed in ``text`` (it is not a
  caption) so the file can be rebuilt from the structure.
* a **byline line**: nothing but credits "ROLE SEP NAME" such as
  "文|張三 編|李四", "作者｜王五", "文 / 張三", "編輯：趙六", where ROLE is a
  known credit word (文, 編, 作者, 編輯, 攝影, 責編 …) and SEP one of
  ``| ｜ / ／ : ：``.  Each credit is kept as printed but normalised to
  ``ROLE|NAME`` (the separator becomes one ASCII "|", spaces around it go):
  "文 ／ 張三" -> "文|張三".  Byline lines are never paragraphs, wherever
  they stand.  Also bylines: a credit line in brackets or with the publisher's
  pinyin glosses ("(責(zé)任編輯:王五)"), "ROLE NAME" with a space ("責編 王五"),
  and reporter lines ("編譯王五／即時報導", "某報 特派記者王五/上海報導").  A wire
  dateline opening the lede ("(中央社記者王五台北27日電)", "〔記者王五／台北報導〕",
  "…電(記者 王五)") names the reporter too; that paragraph keeps its text.
* the **title**: the first content line, when it is short (at most
  :data:`MAX_TITLE_LENGTH` characters), is not a photo caption ("(圖/…)",
  "…攝)", "▲…"), does not end like a sentence (a question or exclamation
  without a comma in it may: headlines ask)
  (。！？…；：，, or a closing quote right after one of those), is not itself
  one quotation, and something follows it.  A first line that ends with "。"
  is the first sentence of the lede, not a title.
* otherwise a **paragraph**.

Paragraphs (and figures) before the first section marker form the lede.  A
file without a single paragraph is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsroom.text import HAN_CLASS, fold_chars

from .cleaning.chars import _ANNOT_RE
from .suggest.vocabulary import _SURNAMES

__all__ = [
    "MAX_NUMERAL_HEADING",
    "MAX_TITLE_LENGTH",
    "RawBlock",
    "RawSection",
    "RawStory",
    "StructureError",
    "parse_raw",
]

#: A first line longer than this is never taken for a title.
MAX_TITLE_LENGTH = 40
#: A "一、…" line whose rest is longer than this is a paragraph, not a heading.
MAX_NUMERAL_HEADING = 30


class StructureError(ValueError):
    """The raw text cannot be given a structure; the message names the lines."""

    def __init__(self, message: str, lines: tuple[int, ...] = ()):
        super().__init__(message)
        self.lines = lines


@dataclass
class RawBlock:
    kind: str  # "paragraph" | "figure"
    text: str
    line: int  # 1-based line number in the input


@dataclass
class RawSection:
    number: str  # "01"
    heading: str
    line: int  # line of the marker
    blocks: list[RawBlock] = field(default_factory=list)


@dataclass
class RawStory:
    title: str | None
    title_line: int | None
    bylines: list[str]
    lede: list[RawBlock]
    sections: list[RawSection]

    def paragraphs(self) -> list[RawBlock]:
        """Return every paragraph block, lede first, in reading order."""
        blocks = list(self.lede)
        for section in self.sections:
            blocks.extend(section.blocks)
        return [b for b in blocks if b.kind == "paragraph"]


# --------------------------------------------------------------------------
# Line classification

_WHITESPACE = " \t\r\n\f\v\u3000\u00a0\ufeff"

_TWO_DIGIT_MARKER = re.compile(r"^[0-9０-９]{2}$")
_CHINESE_NUMERAL = "零〇一二兩两三四五六七八九十"
_NUMERAL_MARKER = re.compile(rf"^([{_CHINESE_NUMERAL}]{{1,3}})[、､]\s*(.+)$")
_FIGURE = re.compile(r"^[\[【（(]?\s*(?:圖片|图片)\s*[\]】）)]?$")

# Credit words, traditional and simplified; longest first in the alternation.
_CREDIT_ROLES = sorted(
    {
        "文", "圖", "图", "編", "编", "攝", "摄", "譯", "译", "撰",
        "作者", "撰文", "編輯", "编辑", "責編", "责编", "主編", "主编", "美編", "美编",
        "責任編輯", "责任编辑", "記者", "记者", "攝影", "摄影", "設計", "设计",
        "校對", "校对", "審校", "审校", "監製", "监制", "出品", "出品人", "策劃", "策划",
        "統籌", "统筹", "翻譯", "翻译", "口述", "整理", "採訪", "采访", "視覺", "视觉",
        "插畫", "插画", "製圖", "制图", "圖片", "图片", "視頻", "视频", "運營", "运营",
    },
    key=len,
    reverse=True,
)
_CREDIT_SEPARATORS = "|｜/／:："
_CREDIT = re.compile(
    r"(?P<role>" + "|".join(map(re.escape, _CREDIT_ROLES)) + r")"
    rf"\s*[{re.escape(_CREDIT_SEPARATORS)}]\s*"
    rf"(?P<name>[^\s{re.escape(_CREDIT_SEPARATORS)}，,。；;！!？?]{{1,16}})"
)

_ROLE_ALTERNATION = "|".join(map(re.escape, _CREDIT_ROLES))
_NAME = rf"[{HAN_CLASS}·．]{{2,4}}"
_BARE_NAME = re.compile(rf"^[{HAN_CLASS}]{{2,3}}$")
# A publisher's pinyin gloss after a Han character: 責(zé)
_GLOSS = re.compile(rf"(?<=[{HAN_CLASS}])" + _ANNOT_RE.pattern)
_BRACKETED = re.compile(r"^[(（〔【\[]\s*(.+?)\s*[)）〕】\]]$")
_SPACED_CREDIT = re.compile(rf"^(?P<role>{_ROLE_ALTERNATION})[ \u3000]+(?P<name>{_NAME})$")
# "編譯盧思綸／即時報導", "聯合報 特派記者陳宥菘/上海即時報導", "记者 张三/北京报道"
_REPORTER_LINE = re.compile(
    r"^(?:[^\s/／]{1,8}[ \u3000]+)?(?:特派|駐[^\s/／]{1,4}|驻[^\s/／]{1,4})?(?P<role>記者|记者|編譯|编译)"
    rf"[ \u3000]*(?P<name>{_NAME})[ \u3000]*[/／][^/／]{{0,8}}(?:報導|報道|报道)$"
)
# "新華社記者 徐群 劉剛", "半島記者 婁花 報道": an outlet's reporters, spaced, perhaps "reported"
_AGENCY_REPORTERS = re.compile(
    rf"^(?P<role>[^\s/／|｜:：，,。]{{0,8}}(?:記者|记者))[ \u3000]+(?P<names>{_NAME}(?:[ \u3000、]+{_NAME}){{0,3}})"
    r"(?:[ \u3000]+(?:報導|報道|报道))?$"
)
# A character lost before a credit line, read back as '?' ("? 半島記者 婁花 報道")
_LOST_MARK = re.compile(r"^[?？\ufffd]+[ \u3000]*(?=\S)")
# A wire dateline opening the lede: "(中央社記者江明晏台北27日電)", "〔記者方韋傑／台北報導〕",
# or a reporter credit in brackets early in it: "中評社新竹10月23日電(記者 盧誠輝)".
_DATELINE = re.compile(
    r"^(?:[^，,。()（）]{0,16}?[電电])?\s*[(（〔【]\s*[^()（）〔〕【】]{0,8}?(?:記者|记者)[ \u3000]*"
    r"(?P<rest>[^()（）〔〕【】]{2,16}?)\s*[)）〕】]"
)
_DATELINE_PLACE_END = re.compile(r"(?:[/／].*|[0-9０-９]+日?[電电].*|(?:報導|報道|报道|電|电))$")

_SENTENCE_END = "。．.！!？?…⋯；;：:，,、"
_CLOSERS = "”’」』）)》〉】]\"'"
_OPENERS = "“‘「『"


def _strip(line: str) -> str:
    return line.strip(_WHITESPACE)


def _two_digit_number(line: str) -> int | None:
    if _TWO_DIGIT_MARKER.match(line):
        return int(line.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    return None


def _chinese_numeral_value(numeral: str) -> int | None:
    """Value of a Chinese numeral from 1 to 99 ("一" .. "九十九"), else None."""
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if numeral in digits:
        return digits[numeral] or None
    if "十" in numeral:
        tens, _, units = numeral.partition("十")
        if "十" in units or (tens and tens not in digits) or (units and units not in digits):
            return None
        value = (digits[tens] if tens else 1) * 10 + (digits[units] if units else 0)
        return value if 10 <= value <= 99 else None
    return None


def _numeral_marker(line: str) -> tuple[int, str] | None:
    match = _NUMERAL_MARKER.match(line)
    if not match:
        return None
    value = _chinese_numeral_value(match.group(1))
    heading = _strip(match.group(2))
    if (
        value is None
        or not heading
        or len(heading) > MAX_NUMERAL_HEADING
        or heading[-1] in "，,；;：:。"
    ):
        return None
    return value, heading


def _credits(line: str) -> list[str] | None:
    """The credits of a byline line, normalised to "ROLE|NAME"; None if not one.

    Also a credit line in brackets ("(責任編輯:王炬鵬)"), with the publisher's pinyin glosses
    ("責(zé)編"), with a space for separator ("責編 尹華祿", "記者 王五"), or a reporter line
    ("編譯盧思綸／即時報導", "聯合報 特派記者陳宥菘/上海即時報導")."""
    line = _GLOSS.sub("", line)
    line = _LOST_MARK.sub("", line)
    bracketed = _BRACKETED.match(line)
    if bracketed:
        line = bracketed.group(1)
    reporter = _REPORTER_LINE.match(line)
    if reporter:
        return [f"{reporter.group('role')}|{reporter.group('name')}"]
    agency = _AGENCY_REPORTERS.match(line)
    if agency:
        names = [n for n in re.split(r"[ \u3000、]+", agency.group("names")) if n not in ("報導", "報道", "报道")]
        return [f"{agency.group('role')}|{name}" for name in names]
    spaced = _SPACED_CREDIT.match(line)
    if spaced:
        return [f"{spaced.group('role')}|{spaced.group('name')}"]
    credits, position = [], 0
    for match in _CREDIT.finditer(line):
        if _strip(line[position:match.start()]) not in ("", "、", "，", ","):
            return None
        credits.append(f"{match.group('role')}|{match.group('name')}")
        position = match.end()
    if not credits or _strip(line[position:]):
        return None
    return credits


_DIGIT_MARKER = re.compile(r"^([0-9０-９]{1,2})\s*[.．、]\s*(\S.*)$")


def _digit_marker(line: str) -> tuple[int, str] | None:
    """(number, heading) of a "01. 標題" / "1、標題" line whose rest looks like a heading."""
    match = _DIGIT_MARKER.match(line)
    if not match:
        return None
    value = int(match.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    heading = _strip(match.group(2))
    if not 1 <= value <= 99 or len(heading) > MAX_NUMERAL_HEADING or heading[-1] in "，,；;：:。.":
        return None
    if re.fullmatch(r"[0-9０-９.．%％\s]+", heading):
        return None  # "1. 5%": a number, not a heading
    return value, heading


def _continues(sections: list[RawSection], value: int) -> bool:
    return value == (int(sections[-1].number) + 1 if sections else 1)


def _is_figure(line: str) -> bool:
    return bool(_FIGURE.match(line))


def _ends_like_sentence(line: str) -> bool:
    stripped = line.rstrip(_CLOSERS)
    if stripped != line:  # a closing quote/bracket ends a sentence only after punctuation
        return not stripped or stripped[-1] in _SENTENCE_END
    return line[-1] in _SENTENCE_END


def _is_one_quotation(line: str) -> bool:
    return line[0] in _OPENERS and line[-1] in _CLOSERS


# --------------------------------------------------------------------------
# Parsing


@dataclass
class _Line:
    number: int
    text: str


def parse_raw(text: str) -> RawStory:
    """Parse raw story text into title, bylines, lede and sections."""
    lines = [
        _Line(number, stripped)
        # Only CR/LF end a line (not str.splitlines' form feeds, U+2028 …), so that
        # line numbers in errors match what an editor's text editor shows.
        for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1)
        if (stripped := _strip(raw))
    ]

    title, title_line = None, None
    bylines: list[str] = []
    lede: list[RawBlock] = []
    sections: list[RawSection] = []
    current: list[RawBlock] = lede

    if len(lines) > 1 and _looks_like_title(lines[0].text):
        title, title_line = lines[0].text, lines[0].number
        lines = lines[1:]
        if (len(lines) > 1 and _BARE_NAME.match(lines[0].text) and fold_chars(lines[0].text[0]) in _SURNAMES
                and not _looks_like_title(lines[1].text)):
            # "陳大義" alone on the line under the headline, before the text: the writer's name
            bylines.append(f"作者|{lines[0].text}")
            lines = lines[1:]

    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1

        number = _two_digit_number(line.text)
        if number is not None:
            heading_line = lines[index] if index < len(lines) else None
            if heading_line is None:
                raise StructureError(
                    f"line {line.number}: section marker {line.text} at the end of the file "
                    "has no heading",
                    (line.number,),
                )
            if (
                _two_digit_number(heading_line.text) is not None
                or _numeral_marker(heading_line.text)
                or _is_figure(heading_line.text)
                or _credits(heading_line.text)
            ):
                raise StructureError(
                    f"line {line.number}: section marker {line.text} has no heading "
                    f"(line {heading_line.number} is not a heading)",
                    (line.number, heading_line.number),
                )
            index += 1
            section = RawSection(f"{number:02d}", heading_line.text, line.number, [])
            _check_sequence(sections, section)
            sections.append(section)
            current = section.blocks
            continue

        numeral = _numeral_marker(line.text)
        if numeral is not None:
            value, heading = numeral
            section = RawSection(f"{value:02d}", heading, line.number, [])
            _check_sequence(sections, section)
            sections.append(section)
            current = section.blocks
            continue

        digits = _digit_marker(line.text)
        if digits is not None and _continues(sections, digits[0]):
            # "01. 標題", "1、標題": a heading on the marker's line. Out of sequence it is an
            # enumerated line of the text, not an error (real copy numbers lists this way too).
            value, heading = digits
            section = RawSection(f"{value:02d}", heading, line.number, [])
            sections.append(section)
            current = section.blocks
            continue

        if _is_figure(line.text):
            current.append(RawBlock("figure", line.text, line.number))
            continue

        credits = _credits(line.text)
        if credits is not None:
            bylines.extend(credits)
            continue

        current.append(RawBlock("paragraph", line.text, line.number))

    # A wire dateline opens the lede, after a date line or a photo caption at most.
    for block in [b for b in lede if b.kind == "paragraph"][:3]:
        reporter = dateline_reporter(block.text)
        if reporter:
            if reporter not in bylines:
                bylines.append(reporter)  # the paragraph keeps its dateline as printed
            break
    story = RawStory(title, title_line, bylines, lede, sections)
    if not story.paragraphs():
        raise StructureError("the file has no paragraphs")
    return story


def dateline_reporter(paragraph: str) -> str | None:
    """The reporter named in a wire dateline near the start of a lede paragraph, as "記者|NAME"."""
    match = _DATELINE.search(paragraph[:60])
    if not match or re.search(r"[攝摄]\s*[)）〕】]$|[圖图]\s*[/／]", match.group(0)):
        return None
    rest = _DATELINE_PLACE_END.sub("", _strip(match.group("rest")))
    if len(rest) in (4, 5) and not re.search(r"[\s·．]", rest):
        rest = rest[:-2]  # "江明晏台北": a name of two or three characters, then the place
    if not re.fullmatch(_NAME, rest):
        return None
    role = "記者" if "記者" in match.group(0) else "记者"
    return f"{role}|{rest}"


# A photo caption or credit: "(圖/記者汤兴汉摄)", "（記者方韋傑攝）", "▲台积电董事长魏哲家。"
_CAPTION = re.compile(r"[(（]\s*(?:圖|图|照片|相片|攝影|摄影)\s*[/／:：]|[攝摄][)）]\s*$|資料畫面|资料画面|^[▲△▼►]")


_SAID_HEADLINE = re.compile(rf"^[{HAN_CLASS}A-Za-z·．]{{2,6}}[:：](?!\s*$)")


def _looks_like_title(line: str) -> bool:
    # A headline may ask or exclaim ("這家企業用40年證明了什么?"); a lede sentence that ends so has commas.
    # "魏建军:电动车不叫新能源,网友:卖不过就掀桌子?": a headline that opens with who said it
    question = line[-1:] in "?？!！" and (not re.search(r"[，,；;]", line) or bool(_SAID_HEADLINE.match(line)))
    return (
        len(line) <= MAX_TITLE_LENGTH
        and (question or not _ends_like_sentence(line))
        and not _CAPTION.search(line)
        and not _is_one_quotation(line)
        and _two_digit_number(line) is None
        and _numeral_marker(line) is None
        and _digit_marker(line) is None
        and not _is_figure(line)
        and _credits(line) is None
    )


def _check_sequence(sections: list[RawSection], section: RawSection) -> None:
    number = int(section.number)
    if not sections:
        if number != 1:
            raise StructureError(
                f"line {section.line}: the first section is {section.number}; "
                "numbers must start at 01",
                (section.line,),
            )
        return
    previous = sections[-1]
    expected = int(previous.number) + 1
    if number == expected:
        return
    seen = next((s for s in sections if s.number == section.number), None)
    if seen is not None:
        raise StructureError(
            f"line {section.line}: section {section.number} repeats {seen.number} "
            f"(line {seen.line}); numbers must rise by one",
            (seen.line, section.line),
        )
    raise StructureError(
        f"line {section.line}: section {section.number} follows {previous.number} "
        f"(line {previous.line}); numbers must rise by one",
        (previous.line, section.line),
    )
