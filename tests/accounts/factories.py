import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory, Password

from accounts.models import Role, User

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    display_name = factory.Faker("name")
    password = Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


class EditorFactory(UserFactory):
    is_staff = True
    roles = factory.PostGeneration(
        lambda user, create, extracted, **kw: (
            create and user.groups.add(Group.objects.get(name=Role.EDITORS))
        )
    )


def staff(role):
    """A staff account in one role group (Role.EDITORS, Role.AUTHORS, …)."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user
