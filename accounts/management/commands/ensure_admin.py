import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts.models import Role

LOGIN_FILE = settings.BASE_DIR / ".admin-login"


class Command(BaseCommand):
    """Create the local admin account once and print its login on every run.

    The password is random and kept in .admin-login (git-ignored, owner-only), so a second
    `make run` prints the same credentials instead of resetting them.
    """

    help = "Create the development admin account if missing and print its credentials."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/admin/", help="Where to log in."
        )

    def handle(self, *args, username, url, **options):
        User = get_user_model()
        password = LOGIN_FILE.read_text().strip() if LOGIN_FILE.exists() else ""
        user = User.objects.filter(username=username).first()
        if user is None or not password:
            password = secrets.token_urlsafe(12)
            user = user or User(username=username, email=f"{username}@example.com")
            user.display_name = user.display_name or "Site Admin"
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=Role.EDITORS))
            LOGIN_FILE.write_text(password + "\n")
            LOGIN_FILE.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Admin login: {username} / {password}  ->  {url}"))
