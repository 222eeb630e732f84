"""Checks over the shipped edition of the Alibaba story (articles/data/alibaba-ai-2023.story.json).

Plain functions over the file and the seed it came from: no database. They hold the edition to the
desk's standard: clean published text, exact anchors, quotes attributed to people and organisations
with the titles the story prints, an entity page for everything named, and every change to the seed
recorded as a repair from which the seed can be rebuilt.
"""

import json
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from newsroom.text import HAN_CLASS
from newsroom.text import converter as text_converter

# Checks of the edition's content (its text, anchors, entities), not of the code: `-m "not edition"` skips them.
pytestmark = pytest.mark.edition

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "articles" / "data"
EDITION = DATA / "alibaba-ai-2023.story.json"
SEED = DATA / "alibaba-ai-2023.zh-Hant.txt"
SCHEMA = ROOT / "articles" / "importing" / "story-1.schema.json"

HAN = HAN_CLASS
CJK_PUNCT = "，。、；：？！“”‘’（）《》「」『』——…"
TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# a pinyin gloss: one syllable in brackets, with a tone mark or a tone digit
GLOSS_RE = re.compile(r"[(（]([a-zA-Züv" + TONE_VOWELS + r"ê]{1,6}[1-5]?)[)）]")
HTML_RE = re.compile(r"</?[a-zA-Z][^>]*>|/span>|&[a-zA-Z]+;|&#x?[0-9a-fA-F]+;|[<>]")
ASCII_PUNCT = ",:;!?()"
EXPECTED_HEADINGS = ["大模型的阿里往事", "從M6到通義千問", "輪到釘釘做“試驗田”", "模型迭代兩三事", "不為模型，為工具"]
SPEAKER_KINDS = {"person", "organization"}
PUBLIC_KINDS = {"context", "sic", "correction"}
INTERNAL_KINDS = {"note", "repair", "flag"}


@cache
def raw_text():
    return EDITION.read_text(encoding="utf-8")


def doc():
    return json.loads(raw_text())


def blocks(d):
    """(section number or None, block) in reading order."""
    out = [(None, b) for b in d["article"]["lede"]]
    for s in d["article"]["sections"]:
        out += [(s["number"], b) for b in s["blocks"]]
    return out


def paragraphs(d):
    return {b["id"]: b["text"] for _, b in blocks(d) if b["type"] == "paragraph"}


def all_anchors(d):
    for q in d["quotes"]:
        yield f"quote {q['id']}", q["anchor"]
        if q.get("attribution"):
            yield f"quote {q['id']} attribution", q["attribution"]
    for m in d["mentions"]:
        yield f"mention of {m['entity']}", m["anchor"]
    for a in d["annotations"]:
        yield f"annotation {a['id']}", a["anchor"]


def published_texts(d):
    """Every string a reader can see, with a label."""
    a = d["article"]
    yield "title", a["title"]
    if a.get("dek"):
        yield "dek", a["dek"]
    for s in a["sections"]:
        yield f"heading {s['number']}", s["heading"]
    for _, b in blocks(d):
        for key in ("text", "caption", "alt", "credit"):
            if b.get(key):
                yield f"{b['id']}.{key}", b[key]
    for e in d["entities"]:
        yield f"entity {e['id']}.name", e["name"]
        if e.get("description"):
            yield f"entity {e['id']}.description", e["description"]
        for r in e.get("roles", []):
            yield f"entity {e['id']} role", r["title"]
    for n in d["annotations"]:
        if n["public"]:
            yield f"annotation {n['id']}", n["body"]


def pinyin_glosses(text):
    """Bracketed syllables that carry a tone mark or a tone digit: what the scraper inserted."""
    return [m.group() for m in GLOSS_RE.finditer(text)
            if any(c in TONE_VOWELS for c in m.group(1)) or m.group(1)[-1].isdigit()]


def seed_structure():
    """The seed as (kind, payload) items: ('p', line) / ('fig', None) / ('section', (number, heading))."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if re.fullmatch(r"\d\d", line):
            out.append(("section", (line, lines[i + 1])))
            i += 2
        elif line == "圖片":
            out.append(("fig", None))
            i += 1
        elif line:
            out.append(("p", line))
            i += 1
        else:
            i += 1
    return out


def position(d):
    order = {b["id"]: n for n, (_, b) in enumerate(blocks(d))}
    return lambda anchor: (order[anchor["block"]], anchor["start"], anchor["end"])


# --- the format ------------------------------------------------------------------------------

def test_validates_against_the_story_schema():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema).iter_errors(doc()), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_file_is_in_canonical_form():
    d = doc()
    assert list(d) == ["format", "article", "entities", "quotes", "mentions", "annotations"]
    assert raw_text() == json.dumps(d, ensure_ascii=False, indent=2) + "\n"
    assert unicodedata.normalize("NFC", raw_text()) == raw_text()

    required_empty_ok = {"entities", "quotes", "mentions", "annotations", "lede", "sections", "blocks"}

    def walk(obj, path):
        if isinstance(obj, dict):
            for key, value in obj.items():
                if key not in required_empty_ok:
                    assert value not in (None, "", [], {}), f"{path}.{key} is empty: leave it out"
                walk(value, f"{path}.{key}")
        elif isinstance(obj, list):
            for i, value in enumerate(obj):
                walk(value, f"{path}[{i}]")

    walk(d, "")
    for m in d["mentions"]:
        assert "id" not in m


def test_ids_are_unique_and_in_sequence():
    d = doc()
    block_ids = [b["id"] for _, b in blocks(d)]
    assert len(block_ids) == len(set(block_ids))
    paras = [i for i in block_ids if i.startswith("p")]
    assert paras == [f"p{n}" for n in range(1, len(paras) + 1)]
    assert [i for i in block_ids if i.startswith("f")] == ["f1", "f2"]
    assert set(block_ids) == set(paras) | {"f1", "f2"}
    assert [q["id"] for q in d["quotes"]] == [f"q{n}" for n in range(1, len(d["quotes"]) + 1)]
    assert [a["id"] for a in d["annotations"]] == [f"a{n}" for n in range(1, len(d["annotations"]) + 1)]
    entity_ids = [e["id"] for e in d["entities"]]
    assert len(entity_ids) == len(set(entity_ids))


def test_arrays_are_in_reading_order():
    d = doc()
    pos = position(d)
    for key in ("quotes", "mentions", "annotations"):
        keys = [pos(x["anchor"]) for x in d[key]]
        assert keys == sorted(keys), key
    first = {}
    for m in d["mentions"]:
        first.setdefault(m["entity"], pos(m["anchor"]))
    assert [e["id"] for e in d["entities"]] == sorted(first, key=first.get)


# --- the text --------------------------------------------------------------------------------

def test_article_fields():
    a = doc()["article"]
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", a["slug"])
    assert a["language"] == "zh-Hant"
    assert a["status"] == "published"
    assert a["bylines"] == ["鋅產業"]
    assert a["source"]["name"] == "鋅產業"
    assert a["source"]["entity"] in {e["id"] for e in doc()["entities"]}
    assert "url" not in a["source"]
    assert re.fullmatch(r"2023-11-\d\d", a["source"]["published_on"])
    for key in ("publish_at", "published_at"):
        assert a[key].startswith(a["source"]["published_on"] + "T") and a[key].endswith("+08:00")
    assert a["title"] and a.get("dek")


def test_title_and_dek_are_traditional_script():
    converter = text_converter("s2tw")
    accepted = {("台", "臺"), ("布", "佈")}
    for text in (doc()["article"]["title"], doc()["article"]["dek"]):
        changed = {(a, b) for a, b in zip(text, converter.convert(text)) if a != b}
        assert changed <= accepted, (text, changed)


def test_lede_and_sections_match_the_seed():
    d = doc()
    a = d["article"]
    assert len(a["lede"]) == 5 and all(b["type"] == "paragraph" for b in a["lede"])
    assert [s["number"] for s in a["sections"]] == ["01", "02", "03", "04", "05"]
    assert [s["heading"] for s in a["sections"]] == EXPECTED_HEADINGS
    seed_headings = [payload[1] for kind, payload in seed_structure() if kind == "section"]
    full_width = str.maketrans({",": "，", ":": "：", ";": "；"})
    assert [h.translate(full_width) for h in seed_headings] == EXPECTED_HEADINGS


def test_block_structure_follows_the_seed():
    d = doc()
    got = []
    for number, b in blocks(d):
        got.append("fig" if b["type"] == "figure" else "p")
    expected = [kind for kind, _ in seed_structure() if kind != "section"]
    assert got == expected
    per_section = {}
    for kind, payload in seed_structure():
        if kind == "section":
            current = payload[0]
        elif kind == "fig":
            per_section.setdefault(current, 0)
            per_section[current] += 1
    assert per_section == {"01": 1, "04": 1}


def test_the_two_figure_slots_say_what_was_lost():
    d = doc()
    figures = [(n, b) for n, b in blocks(d) if b["type"] == "figure"]
    assert [(n, b["id"]) for n, b in figures] == [("01", "f1"), ("04", "f2")]
    for _, b in figures:
        assert not b.get("image")
        assert b.get("alt") and b.get("caption")
        assert "遺失" in b["caption"]


@pytest.mark.parametrize("label_text", list(published_texts(doc())), ids=lambda lt: lt[0])
def test_no_scraper_damage_in_published_text(label_text):
    label, text = label_text
    assert not pinyin_glosses(text), f"pinyin gloss in {label}: {pinyin_glosses(text)}"
    assert not HTML_RE.search(text), f"HTML debris in {label}: {HTML_RE.search(text).group()!r}"
    assert "\ufffd" not in text
    assert not re.search(r"[\u0370-\u03ff\u0400-\u04ff]", text), f"stray Greek/Cyrillic (mojibake) in {label}"
    assert not re.search(rf"[{HAN}{CJK_PUNCT}][?|_]|[?|_][{HAN}{CJK_PUNCT}]", text), f"mojibake signature in {label}"


def test_no_pinyin_gloss_anywhere_in_paragraphs():
    for bid, text in paragraphs(doc()).items():
        assert not pinyin_glosses(text), bid
        # and no Han character directly followed by a bracketed Latin syllable of any kind
        assert not re.search(rf"[{HAN}][(（][a-zü{TONE_VOWELS}]{{1,6}}[1-5]?[)）]", text), bid


def test_no_ascii_punctuation_in_chinese_prose():
    cjk = re.compile(rf"[{HAN}{CJK_PUNCT}]")
    for bid, text in paragraphs(doc()).items():
        for i, ch in enumerate(text):
            if ch in ASCII_PUNCT:
                before = text[i - 1] if i else ""
                after = text[i + 1] if i + 1 < len(text) else ""
                assert not (cjk.match(before or " ") or cjk.match(after or " ")), (bid, text[max(0, i - 5):i + 5])


# --- repairs: every change to the seed is recorded ---------------------------------------------

def test_every_repair_has_its_original_and_is_internal():
    for a in doc()["annotations"]:
        if a["kind"] == "repair":
            assert a.get("original"), a["id"]
            assert a["original"] != a["anchor"]["exact"], a["id"]
            assert a["public"] is False and a["status"] == "resolved", a["id"]


def test_the_seed_can_be_rebuilt_from_the_repairs():
    d = doc()
    repairs = {}
    for a in d["annotations"]:
        if a["kind"] == "repair":
            repairs.setdefault(a["anchor"]["block"], []).append(a)
    seed_paragraphs = [payload for kind, payload in seed_structure() if kind == "p"]
    texts = paragraphs(d)
    assert len(seed_paragraphs) == len(texts)
    for (bid, text), received in zip(texts.items(), seed_paragraphs):
        spans = sorted(repairs.get(bid, []), key=lambda a: a["anchor"]["start"])
        for left, right in zip(spans, spans[1:]):
            assert left["anchor"]["end"] <= right["anchor"]["start"], (bid, left["id"], right["id"])
        rebuilt = text
        for a in reversed(spans):
            rebuilt = rebuilt[:a["anchor"]["start"]] + a["original"] + rebuilt[a["anchor"]["end"]:]
        assert rebuilt == received, bid


# --- anchors -----------------------------------------------------------------------------------

def test_every_anchor_matches_its_paragraph():
    d = doc()
    texts = paragraphs(d)
    for label, anchor in all_anchors(d):
        assert anchor["block"] in texts, f"{label}: {anchor['block']} is not a paragraph"
        text = texts[anchor["block"]]
        assert 0 <= anchor["start"] < anchor["end"] <= len(text), label
        assert text[anchor["start"]:anchor["end"]] == anchor["exact"], label


# --- entities --------------------------------------------------------------------------------

def test_entities_are_complete_and_linked():
    d = doc()
    ids = {e["id"] for e in d["entities"]}
    kinds = {"person", "organization", "product", "event", "place", "concept", "publication"}
    names = set()
    for e in d["entities"]:
        assert e["kind"] in kinds
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", e["id"])
        assert e.get("description"), e["id"]
        assert e["name"] not in names, e["name"]
        names.add(e["name"])
        texts = [x["text"] for x in e.get("aliases", [])]
        assert len(texts) == len(set(texts)), e["id"]
        assert e["name"] not in texts, e["id"]
        for r in e.get("roles", []):
            assert e["kind"] == "person"
            assert r.get("organization") in ids
            if r.get("start") and r.get("end"):
                assert r["start"] <= r["end"]
        for r in e.get("relations", []):
            assert r["object"] in ids and r["object"] != e["id"]
            assert r["predicate"] in {"developed_by", "part_of", "acquired", "successor_of", "product_of",
                                      "subsidiary_of", "founded_by", "held_at", "based_on"}
        if e.get("wikidata"):
            assert re.fullmatch(r"Q[1-9][0-9]*", e["wikidata"])


def test_every_entity_has_a_confirmed_mention():
    d = doc()
    confirmed = Counter(m["entity"] for m in d["mentions"] if m["status"] == "confirmed")
    missing = [e["id"] for e in d["entities"] if not confirmed[e["id"]]]
    assert not missing
    assert {m["entity"] for m in d["mentions"]} <= {e["id"] for e in d["entities"]}


def test_mentions_name_their_entity_and_do_not_overlap():
    d = doc()
    entities = {e["id"]: e for e in d["entities"]}
    texts = paragraphs(d)
    sic_spans = {(a["anchor"]["block"], a["anchor"]["start"], a["anchor"]["end"])
                 for a in d["annotations"] if a["kind"] == "sic"}
    by_block = {}
    for m in d["mentions"]:
        a = m["anchor"]
        e = entities[m["entity"]]
        forms = {e["name"]} | {x["text"] for x in e.get("aliases", [])}
        # a form the source misspells is marked sic at the same span
        assert a["exact"] in forms or (a["block"], a["start"], a["end"]) in sic_spans, (m["entity"], a["exact"])
        text = texts[a["block"]]
        if re.match(r"[A-Za-z0-9]", a["exact"][0]) and a["start"] > 0:
            assert not re.match(r"[A-Za-z0-9]", text[a["start"] - 1]), (m["entity"], a)
        if re.match(r"[A-Za-z0-9]", a["exact"][-1]) and a["end"] < len(text):
            assert not re.match(r"[A-Za-z0-9]", text[a["end"]]), (m["entity"], a)
        by_block.setdefault(a["block"], []).append(a)
    for bid, spans in by_block.items():
        spans.sort(key=lambda a: a["start"])
        for left, right in zip(spans, spans[1:]):
            assert left["end"] <= right["start"], (bid, left, right)


# --- quotes ----------------------------------------------------------------------------------

def held_on(role, day):
    if not day:
        return True
    return ((not role.get("start") or role["start"][:len(day)] <= day)
            and (not role.get("end") or day[:len(role["end"])] <= role["end"]))


def test_quotes_are_attributed_to_people_and_organisations():
    d = doc()
    entities = {e["id"]: e for e in d["entities"]}
    pos = position(d)
    for q in d["quotes"]:
        speaker = entities[q["speaker"]]
        assert speaker["kind"] in SPEAKER_KINDS, q["id"]
        if q.get("event"):
            assert entities[q["event"]]["kind"] == "event", q["id"]
        if q["status"] != "verified":
            assert q["status"] == "confirmed" and q.get("note"), f"{q['id']}: say why it is not verified"
        attribution = q.get("attribution")
        if attribution:
            forms = {speaker["name"]} | {x["text"] for x in speaker.get("aliases", [])}
            assert any(f in attribution["exact"] for f in forms), q["id"]
            assert pos(attribution)[0] <= pos(q["anchor"])[0], q["id"]


def test_quote_roles_belong_to_the_speaker():
    d = doc()
    entities = {e["id"]: e for e in d["entities"]}
    texts = paragraphs(d)
    for q in d["quotes"]:
        if not q.get("role"):
            continue
        roles = [r for r in entities[q["speaker"]].get("roles", []) if r["title"] == q["role"]]
        assert roles, f"{q['id']}: {q['role']!r} is not one of {q['speaker']}'s roles"
        assert any(held_on(r, q.get("said_on")) for r in roles), q["id"]
        # the role is printed where the quote is attributed
        where = q.get("attribution") or q["anchor"]
        assert q["role"] in texts[where["block"]], q["id"]


def test_quoted_words_sit_inside_the_quotation_marks():
    d = doc()
    texts = paragraphs(d)
    for q in d["quotes"]:
        a = q["anchor"]
        text = texts[a["block"]]
        inside = a["start"] > 0 and text[a["start"] - 1] == "“" and text[a["end"]:].startswith(("”", "。”"))
        if q["kind"] == "indirect":
            assert "“" not in a["exact"] and not inside, q["id"]
        else:
            assert inside, f"{q['id']}: direct quotes and fragments are the words inside “…”"


def test_the_known_quotes_are_there():
    quotes = {(q["speaker"], q["kind"]): q for q in doc()["quotes"]}
    by_text = {q["anchor"]["exact"]: q for q in doc()["quotes"]}
    assert by_text["阿里是唯一一家主動宣布大模型開源的大公司"]["speaker"] == "zhou-jingren"
    assert by_text["阿里是唯一一家主動宣布大模型開源的大公司"]["role"] == "阿里雲CTO"  # s2tw repair (issue 13)
    assert by_text["M6-OFA正是通義大模型的底座"]["kind"] == "indirect"
    assert by_text["圍繞Scalling Law做技術探索"]["kind"] == "fragment"
    assert by_text["國內第一個將大模型規模落地的應用"]["speaker"] == "alibaba"
    assert ("zhang-yong", "direct") in quotes and ("ye-jun", "direct") in quotes


# --- annotations -----------------------------------------------------------------------------

def test_annotation_kinds_and_visibility():
    d = doc()
    kinds = Counter(a["kind"] for a in d["annotations"])
    assert kinds["sic"] and kinds["context"] and kinds["repair"] and kinds["note"]
    for a in d["annotations"]:
        assert a["body"].strip(), a["id"]
        if a["kind"] in PUBLIC_KINDS:
            assert a["public"] is True, a["id"]
        if a["kind"] in INTERNAL_KINDS:
            assert a["public"] is False, a["id"]
        if a["kind"] != "repair":
            assert "original" not in a, a["id"]


def test_source_errors_are_marked_sic_not_corrected():
    d = doc()
    texts = paragraphs(d)
    sics = {a["anchor"]["exact"] for a in d["annotations"] if a["kind"] == "sic"}
    for wrong in ("Scalling Law", "迅國內速", "到到", "在在", "清晰規則"):
        assert wrong in sics, wrong
        assert any(wrong in t for t in texts.values()), f"{wrong} must stay as printed"


def test_the_date_is_explained_in_a_newsroom_note():
    notes = [a for a in doc()["annotations"] if a["kind"] == "note" and a["anchor"]["exact"] == "上周的雲棲大會"]
    assert len(notes) == 1 and not notes[0]["public"]
    assert doc()["article"]["source"]["published_on"] in notes[0]["body"]
