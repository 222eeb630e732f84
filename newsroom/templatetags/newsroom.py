"""Site-wide template helpers of the reader pages: script editions, canonical URLs, dates, JSON-LD."""

from django import template
from django.urls import translate_url
from django.utils import translation

from newsroom import text
from newsroom.html import json_ld_script, no_convert
from newsroom.text import first_sentence, strip_no_convert

register = template.Library()
register.filter("no_convert", no_convert)  # -{…}- spans of note bodies and descriptions
register.filter("strip_no_convert", strip_no_convert)  # the same, for attributes and plain text
register.filter("first_sentence", first_sentence)  # entity cards end at a full sentence

EDITIONS = (("zh-hant", "zh-Hant", "繁體中文", "zh_TW"), ("zh-hans", "zh-Hans", "简体中文", "zh_CN"))


def bcp47():
    return text.bcp47(translation.get_language())


@register.simple_tag
def html_lang():
    """The BCP 47 tag of the edition being served (zh-Hant or zh-Hans)."""
    return bcp47()


@register.simple_tag
def og_locale():
    return "zh_CN" if translation.get_language() == "zh-hans" else "zh_TW"


@register.simple_tag(takes_context=True)
def editions(context):
    """Both script editions of the current page: code, tag, label, URL, absolute URL, current."""
    request = context.get("request")
    current = translation.get_language()
    path = request.get_full_path() if request else "/"
    out = []
    for code, tag, label, locale in EDITIONS:
        url = translate_url(path, code)
        out.append({"code": code, "tag": tag, "label": label, "url": url, "locale": locale,
                    "absolute": request.build_absolute_uri(url) if request else url,
                    "current": code == current})
    return out


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The absolute URL of this page without its query string, but with its page number."""
    request = context["request"]
    page = request.GET.get("page")
    suffix = f"?page={int(page)}" if page and page.isdigit() and int(page) > 1 else ""
    return request.build_absolute_uri(request.path) + suffix


@register.simple_tag(takes_context=True)
def absolute(context, url):
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL's query string with another page number (filters and the search query kept)."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.filter
def partial_date(value):
    """'2023' -> 2023年, '2023-10' -> 2023年10月, '2023-10-31' -> 2023年10月31日."""
    if not value:
        return ""
    parts = str(value).split("-")
    labels = ("年", "月", "日")
    return "".join(f"{int(p)}{label}" if i else f"{p}{label}" for i, (p, label) in enumerate(zip(parts, labels)))


@register.filter
def json_ld(data):
    """A JSON-LD script; ``<``, ``>`` and ``&`` are escaped so that no text can close the tag."""
    return json_ld_script(data)
