"""Which language a request is served in: the reader's script edition or the editor's chosen language.

Two different things share Django's language machinery here:

- On the reader site the language IS the script edition: ``/…`` is Traditional Chinese (zh-hant),
  ``/zh-hans/…`` the simplified edition. Only these two (``READER_EDITIONS``) are editions; English is
  an interface language for editors, so ``/en/…`` is not an edition (it resolves, or 404s, as the
  traditional site would) and a reader's browser language or cookie never changes a reader page.
- The editors' site (``EDITOR_PATH_PREFIXES``: the admin, with the desk and the review queue) follows
  the language the editor chose with Django's ``set_language`` view (the language switch in the
  admin header stores it in the ``django_language`` cookie). Without a choice it is
  EDITOR_LANGUAGE_CODE (Traditional Chinese, as LANGUAGE_CODE): the browser's Accept-Language is
  deliberately not consulted, so a newsroom on English-language machines still works in Chinese
  unless an editor switches.

Django's own LocaleMiddleware cannot express this: with ``i18n_patterns(prefix_default_language=False)``
it serves every unprefixed path (the admin too) in LANGUAGE_CODE and would accept any of LANGUAGES
as a URL prefix.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, URLResolver
from django.utils import translation

READER_EDITIONS = ("zh-hant", "zh-hans")
EDITOR_PATH_PREFIXES = ("/admin/",)


def request_language(request):
    """The language code to serve ``request`` in (see the module docstring)."""
    path = request.path_info
    if path.startswith(EDITOR_PATH_PREFIXES):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen and chosen in dict(settings.LANGUAGES):
            return chosen
        return getattr(settings, "EDITOR_LANGUAGE_CODE", settings.LANGUAGE_CODE)
    edition = translation.get_language_from_path(path)
    return edition if edition in READER_EDITIONS else settings.LANGUAGE_CODE


class EditionLocaleMiddleware(LocaleMiddleware):
    """LocaleMiddleware with the choice of language above (its response handling is kept)."""

    def process_request(self, request):
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()


class EditionPrefixPattern(LocalePrefixPattern):
    """The reader URLs' language prefix: ``zh-hans/`` for the simplified edition, none otherwise.

    Django's prefix is the active language's code whatever it is, so a reader URL reversed while an
    editor's English admin is active (the desk's "live on the site" link, "view on site") would
    point at an ``/en/`` edition that does not exist; here any non-edition language reverses to the
    default edition.
    """

    @property
    def language_prefix(self):
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in READER_EDITIONS or (language == settings.LANGUAGE_CODE and not self.prefix_default_language):
            return ""
        return f"{language}/"


def edition_patterns(*urls):
    """Like ``i18n_patterns(*urls, prefix_default_language=False)``, with the editions' prefix above."""
    return [URLResolver(EditionPrefixPattern(prefix_default_language=False), list(urls))]
