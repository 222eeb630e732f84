"""Form helpers shared by the apps' admin forms."""

from django.db import models


def https_formfield(field, **kwargs):
    """A model field's form field, URL fields assuming https (Django 6's default, said now).

    For a ModelForm's ``Meta.formfield_callback``: the ModelForm metaclass builds the form class's
    own fields with it (the admin's ``formfield_overrides`` only reach the forms the admin builds),
    so a bare scheme-less URL is read as https and Django does not warn (RemovedInDjango60Warning).
    """
    if isinstance(field, models.URLField):
        return field.formfield(assume_scheme="https", **kwargs)
    return field.formfield(**kwargs)
