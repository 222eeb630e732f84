import pytest
from django.core.cache import caches
from django.utils import translation


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Manifest storage needs collectstatic; tests use plain storage whatever DJANGO_ENV says.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _editors_read_english(settings):
    # Tests assert the admin's, desk's and services' messages as written (the English msgids): their
    # editors have chosen English, and code run outside a request (services, models) speaks it too.
    # Reader pages keep their edition's language (the middleware sets it per request). The default,
    # Traditional Chinese, is tested in tests/test_i18n.py.
    settings.EDITOR_LANGUAGE_CODE = "en"
    translation.activate("en")
    yield
    translation.deactivate()  # a request's language stays active in its thread; the next test starts afresh


def pytest_configure(config):
    # One PBKDF2 hash costs ~1.3 s on this machine and tests create and log in users hundreds of
    # times (setUpTestData included, so this is set before any test runs). MD5 is for tests only.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_caches():
    # A page cached by one test must not answer another's request.
    for cache in caches.all():
        cache.clear()
    from newsroom.public_pages import forget_validations

    forget_validations()  # and the page states this process remembers (a test's rows are rolled back)
    yield
