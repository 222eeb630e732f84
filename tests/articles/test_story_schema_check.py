"""The fast schema check (fastjsonschema) says yes exactly when jsonschema does: it decides alone
whether a document is walked again for an error message, so a disagreement would let a bad file in."""

import copy
import json
from pathlib import Path

import pytest

from articles.importing.story import StoryFormatError, fast_schema_check, schema_validator, validate_story

SEED = Path(__file__).resolve().parents[2] / "articles" / "data" / "alibaba-ai-2023.story.json"
WRONG = (None, 5, "x", [], {}, "", -1, 1.5, True, "2023-13-99", "DELETE", "EXTRA")


def paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:2]):
            yield from paths(value, (*path, i))


def mutated(doc, path, value):
    out = copy.deepcopy(doc)
    node = out
    for key in path[:-1]:
        node = node[key]
    if value == "DELETE":
        del node[path[-1]]
    elif value == "EXTRA":
        if not isinstance(node[path[-1]], dict):
            return None
        node[path[-1]]["zz_unknown"] = 1
    else:
        node[path[-1]] = value
    return out


def trimmed(node):
    """The seed with every list cut to two items: still valid for the schema, quick to walk."""
    if isinstance(node, dict):
        return {key: trimmed(value) for key, value in node.items()}
    if isinstance(node, list):
        return [trimmed(value) for value in node[:2]]
    return node


def test_the_fast_check_agrees_with_jsonschema_on_the_seed_and_its_mutants():
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    fast, full = fast_schema_check(), schema_validator()
    assert fast(seed) and full.is_valid(seed)
    doc = trimmed(seed)
    checked = refused = 0
    for path in list(paths(doc))[1:]:
        for value in WRONG:
            bad = mutated(doc, path, value)
            if bad is None:
                continue
            valid = full.is_valid(bad)
            checked += 1
            refused += not valid
            assert fast(bad) == valid, (path, value)
    assert checked > 1000 and refused > 600  # the mutants do reach the schema's rules


def test_a_refused_document_still_gets_jsonschemas_message_and_path():
    doc = json.loads(SEED.read_text(encoding="utf-8"))
    doc["article"]["title"] = 5
    try:
        validate_story(doc)
    except StoryFormatError as error:
        assert "article.title" in str(error) and "5 is not of type 'string'" in str(error)
    else:
        raise AssertionError("a title that is a number was accepted")


@pytest.mark.django_db
def test_an_imported_published_story_has_a_live_edition_equal_to_its_working_copy():
    # The live edition is written from the document in memory, not from the working copy read back.
    from articles.services import export_story, story_import

    doc = json.loads(SEED.read_text(encoding="utf-8"))
    result = story_import(doc=doc)
    assert result.action == "created" and "live edition created" in result.changes
    assert export_story(result.article.live_edition) == export_story(result.article)
    assert story_import(doc=json.loads(SEED.read_text(encoding="utf-8"))).action == "unchanged"
