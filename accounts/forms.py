from django import forms

from .models import User


class ProfileForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = User
        fields = ["display_name", "bio", "website", "handle", "avatar"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if avatar and getattr(avatar, "size", 0) > 2 * 1024 * 1024:
            raise forms.ValidationError(
                "The picture is larger than 2 MB; please send a smaller one."
            )
        return avatar
