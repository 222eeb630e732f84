from django.http import Http404
from django.shortcuts import redirect, render

from newsroom.db import read_snapshot

from .models import Entity


@read_snapshot
def entity_detail(request, slug):
    entity, is_alias = Entity.objects.by_slug_or_alias(slug)
    if entity is None or not entity.stories.public().exists():
        # An entity named only in unpublished stories has no public page.
        raise Http404("No such entity.")
    if is_alias:
        return redirect(entity, permanent=True)
    return render(request, "entities/entity_detail.html", {
        "entity": entity,
        "aliases": list(entity.aliases.all()),
        "quotes": list(entity.quotes.public().for_entity_page()),
        "mentions": list(entity.mentions.public().for_entity_page()),
    })
