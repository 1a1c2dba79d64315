from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def lockout_username(request, credentials):
    """The name login lockouts count failures under (django-axes): an e-mail address and
    the username of the same account count as one, so switching between them gains nothing.
    Unknown names count as typed, lower-cased, and get exactly the same answer."""
    typed = ((credentials or {}).get("username") or "").strip().lower()
    if "@" in typed:
        user = get_user_model().objects.filter(email__iexact=typed).first()
        if user is not None:
            return user.get_username().lower()
    return typed


class EmailOrUsernameBackend(ModelBackend):
    """Sign in with the username or the e-mail address (sponsors remember their address)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            User = get_user_model()
            user = User.objects.filter(email__iexact=username.strip()).first()
            if user is None:
                # Same work as a found user, so timing does not tell which addresses exist.
                User().set_password(password)
                return None
            username = user.get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)
