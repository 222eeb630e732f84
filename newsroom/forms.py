"""Form helpers shared by the apps' admin forms: URL fields, and optimistic locking of any versioned row."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

# The two hidden fields a versioned form carries (see VersionedModelForm).
VERSION_FIELDS = ("loaded_version", "overwrite_version")


def https_formfield(field, **kwargs):
    """A model field's form field, URL fields assuming https (Django 6's default, said now).

    For a ModelForm's ``Meta.formfield_callback``: the ModelForm metaclass builds the form class's
    own fields with it (the admin's ``formfield_overrides`` only reach the forms the admin builds),
    so a bare scheme-less URL is read as https and Django does not warn (RemovedInDjango60Warning).
    """
    if isinstance(field, models.URLField):
        return field.formfield(assume_scheme="https", **kwargs)
    return field.formfield(**kwargs)


def describe_user(user):
    """Who saved a row, for a refusal: their full name, else their username; nobody is an import or a script."""
    if user is None:
        return _("the importer or a script")
    return user.get_full_name() or user.get_username()


class VersionedModelForm(forms.ModelForm):
    """Optimistic locking for an admin change form or inline row: the version it was loaded at travels with it
    (issue 10, item 2).

    On save the row is locked (``lock_current``) and compared. A form without a version, or one loaded before
    someone else's save, is refused with who saved and when, and everything typed stays in the form
    (``conflict`` is the newer row, for the template's "save mine anyway" box). Ticking it (it names the version
    shown, ``overwrite_version``) overwrites on purpose (``overwrote``). An inline row the editor did not touch is
    not checked (it is not saved either). Fields the form does not edit are taken from the locked row (``locked``).

    Any model with ``version``, ``modified_by`` and ``modified_at`` fields; the admin that shows the form uses
    ``VersionedAdminMixin`` (or a template that renders ``loaded_version`` itself).
    """

    # Declared (not added in __init__) so that inline rows render them as hidden inputs too.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    overwrite_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    lock_label = None  # what a refusal calls the row ("this story"); None: "this <the model's verbose name>"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # bound too: an inline row is "changed" only by what the editor typed
            self.initial["loaded_version"] = self.instance.version
        self.conflict = self.overwrote = self.locked = None

    def lock_current(self):
        """The row as it is now, locked until the save commits; None when it was deleted meanwhile."""
        return self._meta.model.objects.select_for_update().filter(pk=self.instance.pk).first()

    def clean(self):
        cleaned = super().clean()
        self.check_version(cleaned)
        return cleaned

    def check_version(self, cleaned):
        if not self.instance.pk or (self.prefix and not self.has_changed()):
            return
        what = self._meta.model._meta.verbose_name
        current = self.lock_current()
        if current is None:
            raise ValidationError(_("This %(what)s was deleted meanwhile; nothing was saved.") % {"what": what},
                                  code="gone")
        loaded = cleaned.get("loaded_version")
        if loaded is None:
            # Every form the admin renders carries the version it was loaded at; a write without one could
            # silently overwrite someone's later save, so it is refused.
            raise ValidationError(_("Not saved: this form did not say which version of the %(what)s you loaded. "
                                    "Reload the page and make your change again.") % {"what": what},
                                  code="no_version")
        if loaded != current.version:
            if cleaned.get("overwrite_version") == current.version:
                self.overwrote = current
            else:
                self.conflict = current
                raise ValidationError(
                    _("Not saved: %(what)s was changed by %(who)s at %(when)s (now version %(version)s) "
                      "after you opened it. What you typed is kept below; tick “Save mine anyway” to replace their "
                      "changes, or reload the page to start from theirs.") % {
                        "what": self.lock_label or _("this %(thing)s") % {"thing": what},
                        "who": describe_user(current.modified_by),
                        "when": timezone.localtime(current.modified_at).strftime("%Y-%m-%d %H:%M:%S"),
                        "version": current.version},
                    code="stale")
        self.locked = current
        # Fields this form does not edit come from the locked row, not from the copy read before the lock.
        for field in self.instance._meta.concrete_fields:
            if field.name not in self.fields and not field.primary_key:
                setattr(self.instance, field.attname, getattr(current, field.attname))
        self.instance.version = current.version


class VersionedAdminMixin:
    """For a ModelAdmin whose form is a VersionedModelForm: its change form's template renders the version
    itself (and the "save mine anyway" box on a conflict), so the fieldsets leave the two hidden fields out."""

    change_form_template = "admin/versioned_change_form.html"

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f not in VERSION_FIELDS]
