from django.db import models, transaction
from django.db.models import F


class ChangedSinceSeen(Exception):
    """The row changed after this copy was read: acting on it would act on what nobody saw
    (an approval of text a sponsor swapped in after the editor looked)."""


class Versioned(models.Model):
    """A row whose `version` grows by one on every save. A save from a copy read before
    another save raises ChangedSinceSeen and writes nothing; a decision made on what an
    editor was shown sets `version` to the one shown before saving."""

    version = models.PositiveIntegerField(default=0, editable=False)

    stale_message = "This was changed after it was shown to you; nothing was saved."

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            claimed = (
                type(self)
                ._default_manager.filter(pk=self.pk, version=self.version)
                .update(version=F("version") + 1)
            )
            if not claimed:
                raise ChangedSinceSeen(self.stale_message)
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            super().save(*args, **kwargs)
