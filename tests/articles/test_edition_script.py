"""The Traditional edition of the bundled story reads in Traditional script (issue 13).

No public text of the edition has a character OpenCC s2tw would change, outside protected spans
(names of people, quoted titles, -{…}- no-convert spans) and the variant pairs Taiwan accepts; every
change made to the source's paragraphs is a recorded repair with its original.
"""

import json
from pathlib import Path

import pytest

from articles.script import ACCEPTED_VARIANTS, traditional_changes
from newsroom.text import no_convert_spans

EDITION = Path(__file__).resolve().parents[2] / "articles" / "data" / "alibaba-ai-2023.story.json"


def doc():
    return json.loads(EDITION.read_text(encoding="utf-8"))


def public_texts(d):
    """(label, text, protected spans) for every text a reader of the edition sees."""
    entities = {e["id"]: e for e in d["entities"]}
    names = {}
    for m in d["mentions"]:
        if entities[m["entity"]]["kind"] == "person":
            names.setdefault(m["anchor"]["block"], []).append((m["anchor"]["start"], m["anchor"]["end"]))
    a = d["article"]
    yield "title", a["title"], []
    yield "dek", a["dek"], []
    blocks = list(a["lede"])
    for s in a["sections"]:
        yield f"heading {s['number']}", s["heading"], []
        blocks += s["blocks"]
    for b in blocks:
        for key in ("text", "caption", "alt", "credit"):
            if b.get(key):
                yield f"{b['id']}.{key}", b[key], names.get(b["id"], []) if key == "text" else []
    for q in d["quotes"]:
        if q.get("role"):
            yield f"{q['id']}.role", q["role"], []
    for e in d["entities"]:
        yield f"{e['id']}.name", e["name"], []
        if e.get("description"):
            yield f"{e['id']}.description", e["description"], []
        for r in e.get("roles", []):
            yield f"{e['id']}.role", r["title"], []
    for n in d["annotations"]:
        if n["public"]:
            yield f"{n['id']}.body", n["body"], []


@pytest.mark.parametrize("label,text,protected", list(public_texts(doc())), ids=lambda x: x if isinstance(x, str) and len(x) < 40 else "")
def test_no_character_s2tw_would_change(label, text, protected):
    changes = traditional_changes(text, protected)
    assert not changes, f"{label}: {[(c.original, c.replacement, text[max(c.start - 4, 0):c.end + 4]) for c in changes]}"


def test_every_script_repair_records_its_original():
    import opencc

    s2tw = opencc.OpenCC("s2tw")
    repairs = [a for a in doc()["annotations"] if a["kind"] == "repair" and "s2tw" in a["body"]]
    assert len(repairs) >= 50  # 阿里云 ×8, 于 ×19, 后 ×10, 并 ×6 … in the source's paragraphs
    for a in repairs:
        assert a["original"] != a["anchor"]["exact"] and s2tw.convert(a["original"]) == a["anchor"]["exact"], a["id"]
        assert (a["original"], a["anchor"]["exact"]) not in ACCEPTED_VARIANTS


def test_accepted_variants_and_names_are_left_as_written():
    texts = {label: text for label, text, _ in public_texts(doc())}
    assert "宣布" in texts["p3.text"]  # 宣布/宣佈: both Taiwan usage
    assert any("平台" in t for t in texts.values())


def test_text_about_characters_is_kept_in_no_convert_spans():
    d = doc()
    bodies = {a["anchor"]["exact"]: a["body"] for a in d["annotations"] if a["kind"] == "context"}
    note = next(b for b in bodies.values() if "轉換為繁體時" in b)
    spans = [note[s + 2:e - 2] for s, e in no_convert_spans(note)]
    assert {"并", "于", "后", "里", "云計算"} <= set(spans)
