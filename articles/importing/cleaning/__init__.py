"""Repair the damage a scraper leaves in Chinese feature text, recording every change.

``clean_text`` takes one paragraph or heading line and returns a :class:`CleanResult`: the cleaned
text, the :class:`Change` list (each becomes a ``repair`` annotation), the :class:`Flag` list (open
``flag`` annotations) and :class:`ScriptSuggestion` s (never applied). ``rebuild(text, changes)`` gives
the input back byte for byte, so the file as received can always be reconstructed from the story.

How it works
------------
The input is held in a *piece table*: a list of pieces, each either verbatim input or a replacement
that remembers the input it replaced and why (rule, sure, note). Each pass looks at the current text
and returns edits (start, end, replacement) in current coordinates; applying them splits verbatim
pieces and merges with earlier replacements it touches, so passes compose without offset bookkeeping
and ``rebuild`` is exact by construction. Output is assembled from lists (linear time). A deletion
(say the gloss in ``戰(zhàn)``) is finally widened to the neighbouring character (preferably the one
before), so every change has ``end > start`` in the cleaned text. Flags raised by a pass are mapped
through the edits of later passes.

Passes, in order (the whole sequence repeats until nothing changes, at most a few rounds, which
makes the cleaner idempotent: cleaning its own output changes nothing):

1. ``unicode``: NFC (never NFKC, which would flatten full-width punctuation), chunk by chunk so a
   change is recorded where it happened. A literal NO-BREAK SPACE is treated like ``&nbsp;`` (below).
2. ``mojibake``: GBK bytes decoded one byte out of step. Re-running the damage on clean text
   reproduces the seed exactly (the tests hold that re-implementation): the decoder re-read the
   trail byte of the character before the run, so each following pair straddles two real
   characters; an invalid pair became one ``?`` and took both bytes (so ``?/span>`` lost its
   ``<``); the text was glossed with pinyin, the garbage too (``數(shù)``), and a later step lost a
   byte, turning ``數(`` into ``?``; full-width ASCII forms were flattened (``！`` -> ``!``). The
   paragraph-end ``?!?/span>`` is the same decoder after a junk byte followed the first byte of
   ``。``. The shift ends where a byte in the ASCII range lands in lead position: in the seed the
   trail bytes of traditional characters in GBK's extension area (長 ``E9 4C`` leaves ``L``, 發
   ``B0 6C`` leaves ``l``, 東 ``96 7C`` leaves ``|``), so the seed's runs were encoded from
   *traditional* GBK bytes (a simplified source gives long runs ending at ASCII punctuation; both
   are handled, and a recovered run keeps the script its bytes give).
   The inverse re-encodes the run, drops the re-read byte, lets each lost byte range over the
   values its position allows, decodes in step and keeps the most plausible reading by a
   Viterbi search over character frequency (``gbk_freq.COMMON_HANZI``), word pairs
   (``gbk_freq.COMMON_WORDS`` and pypinyin's phrase table), quote balance, sentence-final
   punctuation at paragraph end and the paragraph's script. The stray pinyin is the reading of the
   lost straddling character, whose first byte is known: it pins the lost byte. A lone ASCII letter
   or symbol equal to the trail byte of the Han character before it (``團F隊``, 團 = ``88 46``) is
   that byte read twice and is removed. Runs are found by their signature: a ``?`` or U+FFFD
   followed by a bracket-less gloss, a tag remnant or odd characters (Greek, symbols, rare Han,
   lone Latin letters among Han text), or a reading far likelier than the text as it stands;
   never by a list. Recovered words are proposals (``sure=False``): an editor confirms the
   author's words; words whose reading does not beat the next one by a clear margin (and whose
   lost byte no gloss pins) are not written at all but flagged, naming the likeliest reading (a
   wrong repair is worse than none). A decoder that drops an undecodable pair (GBK's user-defined
   rows) instead of writing ``?`` makes two real characters lose a byte without a mark: that reading
   is tried between every two garbled characters, and word pairs the paragraph prints elsewhere count
   for a reading (``“十四五”。“十四五”``), so the plain reading must beat it clearly. ``??`` pairs opening a paragraph before Chinese text are a
   lost full-width indent and are removed. A recovery made only of punctuation whose reading wins by a clear margin
   (``?!?/span>`` -> ``。”``) is ``sure=True``. Damage that cannot be recovered stays and is
   flagged, and the punctuation pass leaves it alone. The search is bounded per paragraph.
3. ``html``: tags and tag remnants whose ``<`` was lost (``/span>``), entities with or without ``&``
   (``&rdquo;``, ``rdquo;``, ``&#8221;``, ``&amp;nbsp;``). NBSP becomes a normal space, or nothing
   when it stands next to Chinese (Chinese text does not space words). Block tags (``<br>``,
   ``</p>``) become a space between Latin words and nothing elsewhere.
4. ``pinyin``: glosses ``戰(zhàn)``, ``戰（zhàn）``, ``戰(zhan4)``, ``戰(zhan)`` removed only when the
   syllable is a reading of the Han character before it (pypinyin heteronyms plus the contextual
   reading of the trailing Han run, on the text and on its t2s form). A tone-marked gloss after a
   non-Han character (``F(xiàn)acebook``) is the orphan of a lost character: removed, unsure, and
   flagged. A tone-marked gloss that is not a reading stays and is flagged; one that differs only
   in tone is removed (unsure) and flagged ``tone-mismatch``. Multi-syllable glosses are left alone.
5. ``punctuation`` (optional): ASCII ``, : ; ! ?`` become full width when the character before or
   after (looking through quotation marks) is Chinese, unless both neighbours are ASCII letters or
   digits (``1,000``, ``10:30``). Parentheses are decided per matched pair: full width when the
   content contains Han (``Scaling Law(規模定理)`` -> ``Scaling Law（規模定理）``: the parenthetical is
   Chinese text; this is the documented judgement call) or when the ``(`` follows a Chinese
   character (``蘋果（Apple）``); ``Llama 2(7B)`` and ``f(x)`` stay. Flagged mojibake is never touched.

Then, on the final text: control characters (zero-width, bidi, C0/C1) are flagged, and with
``traditional=True`` OpenCC ``s2tw`` is run over each Han run to suggest traditional forms for
simplified characters. Taiwan's accepted variants (布, 台, 占, 吃) are not suggested; characters
that are also legitimate traditional characters (里, 云, 于, 并 ...) are suggested with a note
saying so (阿里云 is a brand and may be intentional).

``clean_label`` (titles, names, slugs) only applies NFC and removes zero-width, bidi and control
characters, recording each removal; it does not touch punctuation or glosses (``李(Li)`` stays).

Modules, one job each: ``results`` (the data types and ``rebuild``), ``chars`` (character classes,
lazily built tables, shared patterns), ``scoring`` (the plausibility model), ``pieces`` (the piece
table), one module per pass (``normalize``, ``gbk_decode`` + ``mojibake``, ``markup``, ``pinyin``,
``punctuation``), ``final_scans`` and ``driver``.
"""

from .driver import clean_label, clean_text
from .results import Change, CleanResult, Flag, ScriptSuggestion, rebuild

__all__ = [
    "Change",
    "Flag",
    "ScriptSuggestion",
    "CleanResult",
    "clean_text",
    "clean_label",
    "rebuild",
]
