"""Re-locating anchors when a paragraph's text changes.

An anchor is (start, end, exact) in code points. After an edit we look for ``exact`` in the new
text and take the occurrence nearest to the old start; ``None`` means the words are gone, and the
caller keeps the anchor and flags it for an editor (it is never dropped).
"""


def occurrences(text, exact):
    """Yield the start offsets of every (possibly overlapping) occurrence of ``exact`` in ``text``."""
    i = text.find(exact)
    while i != -1:
        yield i
        i = text.find(exact, i + 1)


def relocate(text, exact, old_start):
    """Return (start, end) of the occurrence of ``exact`` in ``text`` nearest ``old_start``, or None."""
    if not exact:
        return None
    best = min(occurrences(text, exact), key=lambda i: (abs(i - (old_start or 0)), i), default=None)
    return None if best is None else (best, best + len(exact))


def clamp(start, end, length):
    """Clamp a span whose words vanished to a non-empty span of a text of ``length`` code points."""
    start = min(start, length - 1)
    return start, min(max(end, start + 1), length)
