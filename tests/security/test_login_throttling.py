"""Login throttling (issue 10 item 14): per account and per address, through the real admin login form."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, TestCase
from django.urls import reverse

PASSWORD = "right-horse-battery-9"


def attempt(username, password, address="10.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("admin:login"), {"username": username, "password": password,
                                                    "next": reverse("admin:index")})
    return client, response


def logged_in(client):
    return "_auth_user_id" in client.session


class LoginThrottlingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        User = get_user_model()
        cls.editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
        cls.other = User.objects.create_user("other", password=PASSWORD, is_staff=True)

    def test_the_right_password_logs_in(self):
        client, response = attempt("editor", PASSWORD)
        assert response.status_code == 302 and logged_in(client)

    def test_thirty_wrong_passwords_then_the_right_one_is_refused(self):
        for i in range(30):
            client, response = attempt("editor", f"wrong-{i}")
            assert not logged_in(client)
        client, response = attempt("editor", PASSWORD)
        assert response.status_code == 429
        assert not logged_in(client)

    def test_an_account_is_locked_whatever_the_address(self):
        # An attacker spreading guesses over many addresses still locks the account.
        for i in range(settings.AXES_FAILURE_LIMIT):
            attempt("editor", f"wrong-{i}", address=f"10.1.0.{i + 1}")
        client, response = attempt("editor", PASSWORD, address="10.2.0.1")
        assert response.status_code == 429 and not logged_in(client)
        # Another account from a fresh address is untouched.
        client, response = attempt("other", PASSWORD, address="10.2.0.2")
        assert response.status_code == 302 and logged_in(client)

    def test_an_address_is_locked_whatever_the_account(self):
        # Spraying one password over many accounts from one address locks the address.
        for i in range(settings.AXES_FAILURE_LIMIT):
            attempt(f"user{i}", "Password1", address="10.3.0.1")
        client, response = attempt("other", PASSWORD, address="10.3.0.1")
        assert response.status_code == 429 and not logged_in(client)
        client, response = attempt("other", PASSWORD, address="10.3.0.2")
        assert response.status_code == 302 and logged_in(client)

    def test_a_few_typos_do_not_lock_and_a_success_resets_the_count(self):
        for i in range(settings.AXES_FAILURE_LIMIT - 1):
            attempt("editor", f"typo-{i}")
        client, response = attempt("editor", PASSWORD)
        assert response.status_code == 302 and logged_in(client)
        for i in range(settings.AXES_FAILURE_LIMIT - 1):
            attempt("editor", f"typo-again-{i}")
        client, response = attempt("editor", PASSWORD)
        assert response.status_code == 302 and logged_in(client)
