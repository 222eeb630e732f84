"""Suggest speech quotes, speakers, entity mentions and dates in cleaned paragraphs.

Everything here is pure Python over a list of cleaned paragraph strings (no
database); offsets are Unicode code points into those strings, end exclusive,
and every :class:`Anchor` satisfies ``exact == paragraphs[block][start:end]``.
The results are *suggestions* for an editor to confirm, never facts.

How it works
------------
**Folding.**  Each paragraph is folded once with ``newsroom.text.fold_chars``, character by character, with
OpenCC ``t2s`` (one converter per process) plus full-width digits to ASCII.
Folding one character at a time keeps the folded text exactly as long as the
original, so every pattern below is written once, in simplified characters,
and a match in the folded text is a match at the same offsets in the original
(traditional, simplified or mixed) text.

**Quotes and sentences.**  Quotation marks “…”, 「…」, 『…』 (and paired ASCII
``"``) are matched with a stack; only top-level quotations are candidates,
and an opening mark never closed runs to the end of the paragraph (the
Chinese convention for a quotation that continues in the next paragraph).
A *masked* copy of the folded paragraph has the quoted words replaced by a
placeholder, so sentence splitting (。！？!?) and attribution cues never look
inside a quotation.

**Attribution cues**, tried in this order for each quotation (the first that
names a speaker wins; confidence falls down the list):

1. *speaker and verb before it in the sentence* -- the masked text up to the
   opening mark ends with a speech verb (说 称 笑称 透露 表示 指出 认为 解释
   官宣 口中 所说的 坦言 强调 …) and at most a short tail (道, 的那样, a
   comma or colon).  Words that only look like a verb are excluded by their
   neighbours (小说, 据说, 可以说, 堪称, 号称, 称为, 被认为 …);
2. *speaker named right after it* -- “…”某某说 / “…”某某给…定调;
3. *a colon-ended paragraph* whose last clause has a speaker and a speech or
   statement verb (解释 明确 提出 …) introduces the next paragraph: a
   quotation there is a direct quote, an unquoted statement an indirect one
   (unless it starts an enumeration such as 第一，…);
4. *a quotation right after another attributed one* in the same sentence, or
   continuing an unclosed one from the paragraph before;
5. *a speaker and verb earlier in the sentence* that a substantial quotation
   (10+ characters or a sentence of its own) ends: 某某宣布…，“……。”;
6. *an unattributed quotation paragraph* after a paragraph that names
   exactly one person, known or printed after a title, and no "两人/双方"
   (lower confidence);
7. *a colon ending a sentence opened by one person* (某某……金句频出：“……”);
8. *a quotation opening a sentence* after sentences of the same paragraph that
   report one person's words (某某表示，……。他说，……。“……”).

When the clause before the verb does not end with the speaker, the speaker is
*the one person the sentence names before the verb* (董事长某某受邀出席表示，
总裁某某昨看完发布会，清晨发文表示“……”): a known person or a name after a title,
not inside brackets (datelines, photo credits); two different people there give
no speaker.  Besides the verbs above, 告诉…：, 某某的话“……”, 喊话, 回答 and 回复
introduce a quote, and 表示/指出/认为/强调/透露/坦言/直言 take a reported clause
without a comma (，表示半导体是……); a semicolon ends one speaker's clause.

A quotation with none of these cues is a scare quote or a term and is not
suggested -- unless it repeats a large part of an earlier quote, in which case
it is a ``fragment`` of that quote's speaker.  A quote with a cue that repeats
part of an earlier quote by the same speaker is also a ``fragment``.  A
statement reported without quotation marks right after a speaker and a
speech verb and a comma (``周靖人称，M6-OFA正是…``) is ``indirect``; its anchor
is the reported clause to the end of the sentence, without final punctuation.

**Speakers.**  From the clause before the verb, adverbials are peeled off the
right end (在…上/时, 正式, 也, 这样, dates, 对记者 …).  What remains ends with
the speaker: first a known entity's name or alias (person or organization,
compared on folded text), else a pronoun (他/她, resolved to the person last
named before the quote), else an unknown person name: a Latin "First Last" or
"名·姓" / "名．姓" name, a run of 2-4 Han characters right after a title whatever
its origin (执行长基辛格, CEO库克: no surname needed), or 2-3 Han characters
starting with a common surname (single or compound), whose preceding text ends on
a word boundary (nothing, punctuation
or Latin, 的, a title such as 总裁/CTO/负责人, or a connector such as 据/就像).
That boundary test is what cuts 钉钉总裁|叶军 and 阿里云CTO|周靖人 correctly;
when only one length starts with a surname at all, it is taken without the
boundary (蔚来|李斌).  Anonymous and plural sources (业内人士, 高管, 他们) give
no speaker, and the quotation is not suggested.
Names found this way in a first pass join the known names for a second pass,
so later pronouns and unattributed paragraphs can find them.  The role is the
title printed before the name (时任/原/前/曾任 mark a past role and are not part
of it; 的 is dropped); it is kept only when it ends like a title.

**Dates** are absolute (2018年10月, 2023年4月11日, 2019年, ISO) or relative:
今年/去年/明年 (+month/day) and 上周/上个月/昨天 against ``story_date``
(skipped without one); 这年/同年/这一年 (+month) and a bare month (4月, 4月11日)
against the year of the last date resolved before them in the text (a bare
month falls back to ``story_date``).  A quote's ``said_on`` is the date
nearest before it in its sentence or attribution sentence (outside any
quotation), else the year in its event name.  **Events** are "在X上/期间/现场"
where X ends like an event (大会, 发布会, 峰会, 论坛 …) or is "WAIC 2022"-like;
a demonstrative one (这场发布会) is the last event named before it.

**Mentions** match every name and alias of every known entity on the folded
text, longest first without overlaps, Latin names only on word boundaries
(``BERT`` is not found in ``structBERT``, ``RoBERTa`` or ``BERT-2``).

Confidence: 0.9 for a verb cue next to the quotation, 0.85 for a colon
paragraph, 0.75/0.7 for a chained or continued quotation, 0.65 (0.6 after a colon) for indirect
speech, 0.6 for a verb earlier in the sentence or a bare repetition, 0.5 for a
quotation paragraph after one named person; minus 0.15 when the speaker is a
pronoun and 0.1 when the speaker is a proposed (unknown) person.

Known limits: names are found by dictionary and a surname heuristic, not by a
segmenter (jieba 0.42.1's part-of-speech names were measured on the real-world
development set: alone they gave 15/41 direct quotes with 24 wrong speakers against
27/41 with 2, and tried before the heuristics they added 3 indirect statements but
3 wrong speakers, so the heuristics stay); a speaker with no surname on the list and no known entity is
missed, and an organisation speaks only when it is a known entity; pronouns
resolve to the person named last (no gender or number check beyond 他们/她们);
multi-sentence reported speech is cut at the first sentence end; Latin names
match case-sensitively.

Modules, one job each: ``results`` (the public data types), ``vocabulary`` (cue words, surnames,
titles), ``paragraphs`` (quotations, masking, sentences), ``names``, ``dates``, ``events``, ``cues``
(speakers and attribution cues), ``quotes`` (the quote finder) and ``mentions``.
"""

from .dates import find_dates
from .index import KnownIndex
from .mentions import suggest_mentions
from .quotes import suggest_quotes
from .results import Anchor, DateMention, KnownEntity, MentionSuggestion, QuoteSuggestion

__all__ = [
    "Anchor",
    "DateMention",
    "KnownEntity",
    "KnownIndex",
    "MentionSuggestion",
    "QuoteSuggestion",
    "find_dates",
    "suggest_mentions",
    "suggest_quotes",
]
