"""Re-anchoring on story-format documents (used when a changed version of a story is imported)."""

from articles.anchoring import clamp, relocate


def block_texts(article):
    """{block id: text} for the paragraphs of a story-format article, in reading order."""
    blocks = list(article["lede"])
    for section in article["sections"]:
        blocks += section["blocks"]
    return {b["id"]: b["text"] for b in blocks if b["type"] == "paragraph"}


def relocate_anchor(anchor, texts):
    """Find ``anchor``'s exact words in ``texts``: same block first (nearest the old offset), then the
    nearest other block. Returns (new anchor, None), or (a clamped anchor, the lost words)."""
    exact, key = anchor["exact"], anchor["block"]
    keys = list(texts)
    if key in texts:
        found = relocate(texts[key], exact, anchor["start"])
        if found:
            return {"block": key, "start": found[0], "end": found[1], "exact": exact}, None
    here = keys.index(key) if key in texts else 0
    for other in sorted(keys, key=lambda k: abs(keys.index(k) - here)):
        found = relocate(texts[other], exact, 0)
        if found:
            return {"block": other, "start": found[0], "end": found[1], "exact": exact}, None
    target = key if key in texts else keys[0]
    text = texts[target]
    start, end = clamp(anchor["start"], anchor["end"], len(text))
    return {"block": target, "start": start, "end": end, "exact": text[start:end]}, exact
