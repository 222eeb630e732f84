"""Invisible characters that make text read differently from how it is stored (issue 10, item 13).

Bidi embedding, override and isolate controls (U+202A-202E, U+2066-2069; "Trojan Source",
CVE-2021-42574) are removed from titles and names by ``cleaning.clean_label``; in a paragraph, a section heading, a
figure's caption, alt text or credit, or an entity's description they might be meant (rarely), so the
import keeps them and leaves an open flag for an editor, which the publish gate asks about. Text
outside a paragraph cannot carry an anchor, so its flag sits on the first character of the nearest
paragraph (the section's first, else the story's first) and names where the control is. Pure: a story-format document in, the same with
flags added out (the flag ids are fixed by position, so importing the same file twice adds nothing).
"""

import re

BIDI_CONTROLS_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
FLAG_PREFIX = "bidi-"


def _paragraphs(doc):
    article = doc["article"]
    for block in [*article.get("lede", []), *(b for s in article.get("sections", []) for b in s.get("blocks", []))]:
        if block.get("type", "paragraph") == "paragraph" and block.get("text"):
            yield block


def flag_bidi_controls(doc):
    """Return ``doc`` with an open, private flag on each bidi control in a paragraph, and one (on the
    first paragraph's first character) for each entity whose description has them."""
    annotations = list(doc.get("annotations", []))
    ids = {a.get("id") for a in annotations}
    flagged = {(a["anchor"]["block"], a["anchor"]["start"]) for a in annotations
               if a.get("kind") == "flag" and a.get("anchor")}
    added = []

    def add(key, block, start, end, body, by_position=True):
        # A paragraph's control is flagged once at its place; text elsewhere has its own key.
        if key in ids or (by_position and (block["id"], start) in flagged):
            return
        ids.add(key)
        if by_position:
            flagged.add((block["id"], start))
        added.append({"id": key, "kind": "flag", "public": False, "status": "open", "body": body,
                      "anchor": {"block": block["id"], "start": start, "end": end,
                                 "exact": block["text"][start:end]}})

    def hidden(where, text, key, paragraph):
        found = BIDI_CONTROLS_RE.search(text or "")
        if found and paragraph is not None:
            add(f"{FLAG_PREFIX}{key}"[:100], paragraph, 0, 1,
                f"bidi-control: {where} contains an invisible U+{ord(found.group()):04X}, which can make it "
                "read differently from how it is stored. Remove it unless it is meant.", by_position=False)

    paragraphs = list(_paragraphs(doc))
    first_paragraph = paragraphs[0] if paragraphs else None
    article = doc["article"]
    for number, section in enumerate(article.get("sections", [])):
        own = next((b for b in section.get("blocks", []) if b in paragraphs), first_paragraph)
        hidden(f"the heading of section {section.get('number', number + 1)}", section.get("heading"),
               f"heading-{number}", own)
    for section in [{"blocks": article.get("lede", [])}, *article.get("sections", [])]:
        own = next((b for b in section.get("blocks", []) if b in paragraphs), first_paragraph)
        for block in section.get("blocks", []):
            if block.get("type") == "figure":
                for field in ("caption", "alt", "credit"):
                    hidden(f"the {field} of figure {block.get('id')}", block.get(field),
                           f"{block.get('id')}-{field}", own)
    for block in paragraphs:
        for match in BIDI_CONTROLS_RE.finditer(block["text"]):
            add(f"{FLAG_PREFIX}{block['id']}-{match.start()}", block, match.start(), match.end(),
                f"bidi-control: an invisible U+{ord(match.group()):04X} here can make the text read differently "
                "from how it is stored. Remove it unless it is meant.")
    if paragraphs:
        first = paragraphs[0]
        for entity in doc.get("entities", []):
            found = BIDI_CONTROLS_RE.search(entity.get("description", ""))
            if found:
                add(f"{FLAG_PREFIX}entity-{entity['id']}"[:100], first, 0, 1,
                    f"bidi-control: the description of the entity {entity['id']} contains an invisible "
                    f"U+{ord(found.group()):04X}, which can make it read differently from how it is stored. "
                    "Check it in the knowledge base.", by_position=False)
    if not added:
        return doc
    return {**doc, "annotations": annotations + added}
