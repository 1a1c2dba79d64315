import uuid
from pathlib import PurePath

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower


class Role:
    """Names of the groups created by migration 0002; permissions hang off the groups."""

    EDITORS = "Editors"
    AUTHORS = "Authors"
    SPONSORS = "Sponsors"
    ALL = (EDITORS, AUTHORS, SPONSORS)


class UserQuerySet(models.QuerySet):
    def in_role(self, role):
        return self.filter(groups__name=role)

    def editors(self):
        return self.in_role(Role.EDITORS)

    def reviewers(self):
        """Who reviews sponsors' listings and compiles the week: active editors and
        superusers, each once."""
        editors = self.filter(models.Q(groups__name=Role.EDITORS) | models.Q(is_superuser=True))
        return self.filter(pk__in=editors.values("pk"), is_active=True)

    def authors(self):
        return self.in_role(Role.AUTHORS)

    def sponsors(self):
        return self.in_role(Role.SPONSORS)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


def avatar_path(instance, filename):
    # The server names every upload; the client's file name never reaches the disk.
    suffix = PurePath(filename).suffix.lower()[:5]
    return f"avatars/{uuid.uuid4().hex}{suffix}"


class User(AbstractUser):
    """A person who signs in: editor, author, guest author or sponsor (roles are groups)."""

    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(
        max_length=100, blank=True, help_text="Shown on posts and author pages."
    )
    bio = models.TextField(blank=True, max_length=2000)
    avatar = models.ImageField(upload_to=avatar_path, blank=True)
    website = models.URLField(blank=True)
    handle = models.CharField(
        "social handle", max_length=50, blank=True, help_text="For example @antirez."
    )
    email_verified_at = models.DateTimeField(
        "e-mail confirmed", null=True, blank=True, help_text="When the address was confirmed."
    )

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.display_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        super().save(*args, **kwargs)

    @property
    def email_verified(self):
        return self.email_verified_at is not None

    def has_role(self, role):
        return self.groups.filter(name=role).exists()
