"""What an editor's decision carries, and what editors are warned about, for listings and
company changes alike."""

from django.contrib import messages

from ..models import ListingWeek, WeeklyPost


def seen_field(pk):
    """The name of the list's hidden field with the version of row `pk` the editor saw."""
    return f"seen-{pk}"


def seen_version(request, row):
    """The version of `row` the editor was shown, as the action's form sent it; -1 (no
    version at all) when the form did not say, so that nothing unseen is decided."""
    try:
        return int(request.POST.get(seen_field(row.pk), ""))
    except ValueError:
        return -1


def warn_lookalikes(request, name, others):
    """Warn the editor when `name` looks like the name of other sponsors (sponsors.names)."""
    if others:
        messages.warning(
            request,
            f"“{name}” looks like the name of another sponsor: {', '.join(others)}. Make sure "
            "it is not posing as them before anything of it is approved.",
        )


def warn_compiled_weeks(request, listings):
    """A compiled post is a snapshot: say which weeks need compiling again."""
    weeks = WeeklyPost.objects.filter(
        week__in=ListingWeek.objects.filter(listing__in=listings).values("week")
    ).values_list("week", flat=True)
    if weeks:
        days = ", ".join(f"{week:%B %-d}" for week in sorted(weeks))
        messages.warning(
            request,
            f"The sponsored post of the week of {days} is already compiled: compile it "
            "again to show this decision.",
        )
