"""articles/script.py: what OpenCC s2tw would change in a Traditional text, and what it must leave."""

from articles.script import Change, apply_changes, quoted_titles, to_edition_script, traditional_changes


def test_simplified_leftovers_are_found_with_their_originals():
    text = "阿里云CTO周靖人說，并且基于自家的框架，一年后上線。"
    changes = traditional_changes(text)
    assert [(c.original, c.replacement) for c in changes] == [("云", "雲"), ("并", "並"), ("于", "於"), ("后", "後")]
    assert all(text[c.start:c.end] == c.original for c in changes)
    assert apply_changes(text, changes) == "阿里雲CTO周靖人說，並且基於自家的框架，一年後上線。"


def test_phrase_level_keeps_words_where_the_character_is_right():
    # 皇后 keeps 后 (s2tw works on phrases); never s2twp's vocabulary (軟件 stays 軟件)
    assert traditional_changes("皇后與軟件") == []


def test_accepted_variants_stay_as_written():
    assert traditional_changes("宣布、台灣、占比、好吃、上周") == []


def test_protected_spans_and_quoted_titles_stay():
    text = "于先生讀《后宫》後說"
    assert quoted_titles(text) == [(4, 8)]
    assert traditional_changes(text, protected=[(0, 3)]) == []
    assert [c.original for c in traditional_changes(text)] == ["于"]  # unprotected, the surname would change


def test_adjacent_changes_merge_and_lengths_never_change():
    assert traditional_changes("在这里面") == [Change(1, 3, "这里", "這裡")]
    text = "几个月后，关系复杂。"
    assert len(to_edition_script(text)) == len(text)
    assert to_edition_script(to_edition_script(text)) == to_edition_script(text)  # idempotent


def test_empty_text():
    assert traditional_changes("") == [] and to_edition_script("") == ""
