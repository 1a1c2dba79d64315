"""Uploads are written to storage while the form is checked, before the row that names them
is saved, so that a full or broken disk is a message on the form and no row is saved.

The price is that a new file may end up named by no row: the form failed on another field
or the transaction rolled back. `UploadCleanupMiddleware` looks at the database when the
request ends and deletes, among the files this request wrote, those no row names. A file
that was replaced or cleared is left alone here (a post's revisions may still name it, and
restoring one brings it back); `manage.py sweep_media` removes it, and what a worker killed
in the middle left behind, once nothing names it any more.
"""

import logging
from contextvars import ContextVar

from django.core.exceptions import ValidationError

from . import clean_image

log = logging.getLogger(__name__)
_touched = ContextVar("safe_images_touched", default=None)

STORAGE_FAILED = (
    "The server could not store this picture (its disk is full or cannot be written), so "
    "nothing was saved. Please try again later; we have been told."
)


def accept_upload(form, field_name, *, max_bytes, fit):
    """The cleaned value of a model form's picture field: unchanged when nothing was sent or
    the current file is kept, False when cleared, else the stored name of the checked,
    re-encoded new picture."""
    upload = form.cleaned_data.get(field_name)
    if not upload or upload == getattr(form.instance, field_name):
        return upload
    picture = clean_image(upload, max_bytes=max_bytes, fit=fit)
    return store(form.instance, field_name, picture)


def store(instance, field_name, content):
    """Write `content` for instance.<field_name> now; return the stored name for the form's
    cleaned_data. A storage failure is a ValidationError with a plain sentence."""
    field = instance._meta.get_field(field_name)
    name = field.generate_filename(instance, content.name)
    try:
        name = field.storage.save(name, content, max_length=field.max_length)
    except OSError as exc:
        raise ValidationError(STORAGE_FAILED, code="storage_failed") from exc
    _remember(instance, field_name, name)
    return name


def _remember(instance, field_name, name):
    touched = _touched.get()
    if touched is not None:
        storage = instance._meta.get_field(field_name).storage
        touched.append((instance._meta.model, field_name, storage, name))


def delete_unreferenced(touched):
    for model, field_name, storage, name in touched:
        if not model._default_manager.filter(**{field_name: name}).exists():
            try:
                storage.delete(name)
            except OSError:  # the save itself went through; sweep_media retries later
                log.exception("could not delete the unused upload %s", name)


class UploadCleanupMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _touched.set([])
        try:
            return self.get_response(request)
        finally:
            touched = _touched.get()
            _touched.reset(token)
            if touched:
                delete_unreferenced(touched)
