from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible


@deconstructible
class MaxFileSize:
    """Refuse files larger than `limit` bytes, saying how large they may be."""

    def __init__(self, limit):
        self.limit = limit

    def __call__(self, file):
        if file.size > self.limit:
            raise ValidationError(
                f"This file is {filesizeformat(file.size)}; the largest allowed is "
                f"{filesizeformat(self.limit)}."
            )

    def __eq__(self, other):
        return isinstance(other, MaxFileSize) and other.limit == self.limit
