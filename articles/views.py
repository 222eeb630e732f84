from django.shortcuts import get_object_or_404, render

from newsroom.db import read_snapshot

from .models import Article
from .rendering import Span, render_text


def story_parts(article):
    """Group a prefetched article's blocks by section and render each paragraph with its spans."""
    spans = {}
    for quote in article.quotes.all():
        spans.setdefault(quote.block_id, []).append(Span(quote.start, quote.end, "quote", quote))
    for mention in article.mentions.all():
        spans.setdefault(mention.block_id, []).append(Span(mention.start, mention.end, "mention", mention))
    for note in article.public_annotations:
        spans.setdefault(note.block_id, []).append(Span(note.start, note.end, "annotation", note))
    quotes_by_block = {}
    for quote in article.quotes.all():
        quotes_by_block.setdefault(quote.block_id, []).append(quote)
    lede, by_section = [], {}
    for block in article.blocks.all():
        block.html = render_text(block.text, spans.get(block.pk, [])) if block.kind == "paragraph" else ""
        block.quote_list = quotes_by_block.get(block.pk, [])
        (lede if block.section_id is None else by_section.setdefault(block.section_id, [])).append(block)
    sections = list(article.sections.all())
    for section in sections:
        section.block_list = by_section.get(section.pk, [])
    return lede, sections


def story_context(article):
    """The template context of the story page for a prefetched article (``for_story_page()``).

    Shared by the reader page and the editors' preview, so a preview is exactly what readers get.
    """
    lede, sections = story_parts(article)
    return {"article": article, "lede": lede, "sections": sections}


@read_snapshot
def story_detail(request, slug):
    article = get_object_or_404(Article.objects.public().for_story_page(), slug=slug)
    return render(request, "articles/article_detail.html", story_context(article))
