from django import forms
from django.utils import timezone

from .models import Post


class PostAdminForm(forms.ModelForm):
    """The admin's post form; it remembers which version of the post the editor opened.

    If someone else saved the post in between, the save is refused with a message and
    nothing is overwritten (Post.save enforces the same rule for a save that races this check).
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Post
        fields = [
            "title",
            "slug",
            "kind",
            "status",
            "publish_at",
            "author",
            "tags",
            "lead_image",
            "lead_image_caption",
            "byline",
            "excerpt",
            "body",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None:
            current = Post.objects.filter(pk=self.instance.pk).values("version", "updated").first()
            if current and current["version"] != loaded:
                saved_at = timezone.localtime(current["updated"]).strftime("%H:%M")
                raise forms.ValidationError(
                    f"Someone else saved this post at {saved_at}, after you opened it. "
                    "Nothing was overwritten. Copy your changes, reload the page to see "
                    "their version, and apply your changes again."
                )
            self.instance.version = loaded
        return cleaned
