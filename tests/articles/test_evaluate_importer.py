"""The importer's figures on the real-world development set may only go up (a ratchet).

Runs the same evaluation as ``manage.py evaluate_importer`` (each excerpt imported raw in a
rolled-back transaction, empty knowledge base) and compares it with ``bench/importer.json``;
a commit that raises a figure records it there (``manage.py evaluate_importer --write``).
"""

import json
from pathlib import Path

import pytest

from articles.importing.evaluation import regressions, score_story, summarize, table
from articles.management.commands.evaluate_importer import BENCH, DEFAULT_DIR, evaluate

pytestmark = pytest.mark.django_db


def test_figures_do_not_fall_below_the_recorded_ones():
    figures, misses = evaluate(DEFAULT_DIR)
    print("\n".join(table(figures)))
    recorded = json.loads(BENCH.read_text(encoding="utf-8"))["figures"]
    assert regressions(figures, recorded) == []


def test_the_development_set_is_complete_and_sourced():
    texts = sorted(DEFAULT_DIR.glob("*.txt"))
    assert len(texts) >= 40
    for path in texts:
        gold = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert gold["source"].startswith("http"), path.name
        for quote in gold["quotes"]:
            assert {"text", "speaker", "kind"} <= set(quote), path.name


def _doc(paragraphs, quotes=(), title="T", bylines=(), annotations=()):
    return {
        "article": {"title": title, "bylines": list(bylines), "sections": [],
                    "lede": [{"id": f"p{i + 1}", "type": "paragraph", "text": t} for i, t in enumerate(paragraphs)]},
        "entities": [{"id": "a", "name": "魏哲家"}, {"id": "b", "name": "張忠謀"}],
        "quotes": [{"anchor": {"exact": text}, "speaker": speaker} for text, speaker in quotes],
        "annotations": list(annotations),
    }


def test_scoring_counts_right_and_wrong_speakers_scare_quotes_and_repairs():
    gold = {
        "title": "T", "bylines": [], "sections": None,
        "quotes": [{"text": "我只是知道怎麼經營半導體", "speaker": "魏哲家", "kind": "direct"},
                   {"text": "台積電的地位會越來越重要", "speaker": "魏哲家", "kind": "indirect"}],
        "scare_quotes": ["護國神山"],
        "repairs": [{"garbled": "戰(zhàn)", "clean": "戰", "before": "大模型之", "after": "。"},
                    {"garbled": "?!", "clean": "。", "before": "好", "after": "他"}],
    }
    doc = _doc(["他說：「我只是知道怎么经营半导体。」大模型之戰。", "好?!他說台積電的地位會越來越重要"],
               quotes=[("我只是知道怎么经营半导体。", "a"), ("台積電的地位會越來越重要", "b"), ("護國神山", "a")])
    figures = summarize([score_story("x", doc, gold)])
    assert (figures["direct_quotes_right"], figures["indirect_right"], figures["wrong_speakers"]) == (1, 0, 1)
    assert figures["scare_quotes_as_speech"] == 1 and figures["not_speech"] == 1
    assert (figures["repairs_exact"], figures["repairs_missed"], figures["damage_left_unflagged"]) == (1, 1, 0)
    assert figures["structure_right"] == figures["structure_checks"] == 2


def test_a_repair_into_other_characters_is_wrong_and_an_open_flag_counts_as_flagged():
    gold = {"title": None, "bylines": None, "sections": None, "quotes": [], "scare_quotes": [],
            "repairs": [{"garbled": "笆奈濉", "clean": "十四五", "before": "進入", "after": "靠"},
                        {"garbled": "窗l", "clean": "發", "before": "什么", "after": "展"}]}
    flag = {"kind": "flag", "status": "open", "anchor": {"block": "p1", "start": 7, "end": 9}}
    doc = _doc(["進入誓五靠什么窗l展"], annotations=[flag])
    figures = summarize([score_story("x", doc, gold)])
    assert (figures["repairs_wrong"], figures["repairs_flagged"]) == (1, 1)


def test_regressions_respect_the_direction_of_each_figure():
    assert regressions({"direct_recall": 0.5, "wrong_speakers": 0}, {"direct_recall": 0.6, "wrong_speakers": 1}) == [
        "direct_recall: 0.5 (recorded 0.6)"]
    assert regressions({"wrong_speakers": 2}, {"wrong_speakers": 1}) == ["wrong_speakers: 2 (recorded 1)"]


def test_ambiguous_items_are_not_scored_and_a_speaker_may_have_two_spellings():
    gold = {"title": None, "bylines": None, "sections": None, "scare_quotes": [], "repairs": [],
            "quotes": [{"text": "我以公司為榮", "speaker": "魏哲家", "kind": "direct", "ambiguous": "no marks"},
                       {"text": "台灣是中心", "speaker": ["Ajit Manocha", "張忠謀"], "kind": "indirect"}]}
    doc = _doc(["x"], quotes=[("我以公司為榮，也為員工驕傲", "a"), ("台灣是中心，全球依賴台灣", "b")])
    figures = summarize([score_story("x", doc, gold)])
    assert figures["not_speech"] == 0 and figures["direct_quotes_total"] == 0
    assert figures["indirect_right"] == figures["indirect_total"] == 1


def test_a_long_quote_with_a_little_damage_left_under_a_flag_still_stands_for_the_gold_quote():
    from articles.importing.evaluation import texts_match

    gold = "金無足赤,人無完人,沒有一個人是十全十美的,董先生自己也有自我批評。總體講,我們認為董先生是好的!"
    damaged = gold.replace("。總體", "?傮w")
    assert texts_match(damaged, gold)
    assert not texts_match("沒有一個人是十全十美的", gold)  # a short part of it is not the quote
    assert not texts_match("今天天氣很好,我們一起去公園散步,然後回家吃飯。", gold)
