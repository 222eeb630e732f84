"""The known entities as the suggesters look them up, built once for many files.

A raw import asks the knowledge base the same questions at every file: which names occur in this
text (an Aho–Corasick automaton of every folded name and alias), which known name ends this clause
(speakers), which entities share a name, which event has this name. Built from the whole knowledge
base for every file, that cost grew with the knowledge base (20,000 entities at 100,000 stories),
not with the file. A ``KnownIndex`` is built once (``articles.services.importing.KnowledgeBase``
holds one per command run) and answers in the order a list of the same entities would have:

- it is a stack of layers, each built from a list of ``KnownEntity`` (the first the knowledge
  base as read, the next the entities learned since, then a file's own new speakers), and every
  answer is the one the concatenated list gives: a name held by entities of two layers belongs to
  the earlier layer's first holder, as it did to the list's first;
- ``learned`` adds entities after all it knows (new keys only; a changed entity's names are a
  different list: build the index again): the last layer is rebuilt, which costs what the learned
  entities cost, and all layers are merged into one when the learned outgrow a quarter of the rest
  (and 64).

Pure Python, no database: the knowledge base reads the entities and passes them in.
"""

from __future__ import annotations

from collections.abc import Iterable

from newsroom.text import fold_chars

from .names import _Name, _SpeakerNames, folded_name
from .results import KnownEntity


LEARNED_LAYER = 64  # learned entities kept in a layer of their own, at least (a quarter of the rest if more)


class _Layer:
    """The lookups of one list of entities; names already held by ``earlier`` layers stay theirs."""

    def __init__(self, entities: list[KnownEntity], earlier: list[_Layer]):
        import ahocorasick

        self.entities = entities
        self.names_of: dict[str, tuple[str, ...]] = {}
        self.holders: dict[str, set[str]] = {}  # fold_chars(name) -> keys of the entities that have it
        self.event_names: set[str] = set()  # folded names and aliases of events
        self.event_by_name: dict[str, str] = {}  # a name or alias as written -> the first event with it
        keys_of: dict[str, list[str]] = {}  # folded_name(name) -> keys, each once, in the list's order
        seen = set()
        speakers: dict[str, _Name] = {}
        taken = [layer.speakers.by_folded for layer in earlier]
        for entity in entities:
            self.names_of[entity.key] = entity.names
            for name in entity.names:
                folded = folded_name(name)
                if folded and (folded, entity.key) not in seen:
                    seen.add((folded, entity.key))
                    keys_of.setdefault(folded, []).append(entity.key)
                self.holders.setdefault(fold_chars(name), set()).add(entity.key)
                if entity.kind == "event":
                    self.event_names.add(fold_chars(name))
                    self.event_by_name.setdefault(name, entity.key)
                if entity.kind in ("person", "organization") and len(folded) >= 2 and folded not in speakers \
                        and not any(folded in t for t in taken):
                    speakers[folded] = _Name(folded, entity.key, entity.kind)
        self.speakers = _SpeakerNames(speakers)
        self.automaton = None
        if keys_of:
            self.automaton = ahocorasick.Automaton()
            for name, keys in keys_of.items():
                self.automaton.add_word(name, (len(name), keys))
            self.automaton.make_automaton()

    def matches(self, folded: str):
        """(start, end, keys) of every occurrence of a name of this layer in ``folded``."""
        if self.automaton is None:
            return
        for last, (length, keys) in self.automaton.iter(folded):
            yield last - length + 1, last + 1, keys


class KnownIndex:
    """The suggesters' lookups over a list of known entities (see the module's docstring)."""

    def __init__(self, known: Iterable[KnownEntity] = (), *, layers: list[_Layer] | None = None):
        self.layers = layers if layers is not None else [_Layer(list(known), [])]

    @property
    def entities(self) -> list[KnownEntity]:
        return [e for layer in self.layers for e in layer.entities]

    def extended(self, more: Iterable[KnownEntity]) -> KnownIndex:
        """This index and ``more`` after it, for one file (this index is unchanged)."""
        more = list(more)
        return KnownIndex(layers=[*self.layers, _Layer(more, self.layers)]) if more else self

    def learned(self, more: Iterable[KnownEntity]) -> KnownIndex:
        """This index with ``more`` (entities with new keys) known after all it knows."""
        more = list(more)
        if not more:
            return self
        base, added = self.layers[0], [e for layer in self.layers[1:] for e in layer.entities] + more
        if len(added) > max(LEARNED_LAYER, len(base.entities) // 4):
            return KnownIndex(base.entities + added)
        return KnownIndex(layers=[base, _Layer(added, [base])])

    # -- the questions ------------------------------------------------------

    def named_in(self, folded: str) -> set[str]:
        """Keys of the entities a name of which occurs in ``folded`` (a folded text)."""
        return {key for layer in self.layers for _s, _e, keys in layer.matches(folded) for key in keys}

    def mention_candidates(self, folded: str):
        """(start, end, key) of every occurrence of every name, each layer's in text order, layer after layer
        (a stable sort by span then gives a span's keys in the order of the entities)."""
        for layer in self.layers:
            for start, end, keys in layer.matches(folded):
                for key in keys:
                    yield start, end, key

    def names_of(self, key: str) -> tuple[str, ...] | None:
        for layer in reversed(self.layers):  # a later list entry of the same key wins, as in a dict
            names = layer.names_of.get(key)
            if names is not None:
                return names
        return None

    def holders(self, folded: str) -> int:
        """How many entities have a name that folds (fold_chars) to ``folded``."""
        return len(set().union(*(layer.holders.get(folded, ()) for layer in self.layers)))

    def event_named(self, name: str) -> str | None:
        """The first event whose name or an alias is ``name`` (as written)."""
        for layer in self.layers:
            key = layer.event_by_name.get(name)
            if key is not None:
                return key
        return None

    def is_event_name(self, folded: str) -> bool:
        return any(folded in layer.event_names for layer in self.layers)

    @property
    def speaker_layers(self) -> list[_SpeakerNames]:
        return [layer.speakers for layer in self.layers]
