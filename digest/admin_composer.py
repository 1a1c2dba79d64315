"""The composer's buttons and warnings on the post's change form: Publish, Schedule,
Unpublish, Submit for review and Send back write the post once, through its lifecycle verbs; a
digest whose title names another day than its publish time is pointed out, and so are the lines
the paste boxes kept loosely or left out.

The post's one write happens here (`write_post`), called by `PostAdmin.save_related` once the
parts' rows are written and rendered into the post in hand.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join

from .forms import PASTE_BOXES, PASTE_DIGEST
from .models import IllegalTransition, Post, digest_title
from .review import notify_author, notify_editors

# The buttons under the form, by the name they submit; each stays on the form afterwards.
STEPS = {
    "_publish": "Published",
    "_schedule": "Scheduled",
    "_unpublish": "Taken back to draft",
    "_submit_review": "Submitted for review",
    "_send_back": "Sent back to draft",
    "_save_draft": "",
}
EDITORS_ONLY = ("_publish", "_schedule", "_unpublish", "_send_back")
REVIEW_NOTE = STEPS["_submit_review"]
SENT_BACK_NOTE = STEPS["_send_back"]
# How the post stands after each step went through (Post.display_status, lower case).
STANDS = {
    "_publish": "published",
    "_schedule": "scheduled",
    "_unpublish": "draft",
    "_submit_review": "pending review",
    "_send_back": "draft",
}
# The editor's note to the author, kept in the revision's note after SENT_BACK_NOTE.
NOTE_MAX_CHARS = 160
DIGEST_TITLE_START = "Stuff The Internet Says On Scalability For "


def pressed(request):
    """The composer button the editor pressed, if any."""
    return next((name for name in STEPS if name in request.POST), None)


def moves(request):
    """Whether the button pressed changes where the post stands (a new post's insert did
    not take the step yet)."""
    return pressed(request) not in (None, "_save_draft")


def review_note(request):
    """The editor's note sent with a post back to its author: one line, kept short."""
    return " ".join(request.POST.get("review_note", "").split())[:NOTE_MAX_CHARS]


def write_post(request, post, can_publish):
    """Write the post once: through the verb of the button pressed, or a plain save. Returns
    the note its revision keeps. A step the post cannot take is said, and the edit is saved.
    The verbs check who may take them again (`by`): authors never publish."""
    step = pressed(request)
    if step in EDITORS_ONLY and not can_publish:
        messages.warning(
            request, "Only an editor can publish. Use “Submit for review”: editors are told."
        )
        step = None
    by = request.user
    try:
        if step == "_publish":
            post.publish(by=by)
        elif step == "_schedule":
            post.schedule(post.publish_at, by=by)
        elif step == "_unpublish":
            post.unpublish(by=by)
        elif step == "_submit_review":
            post.submit_for_review(by=by)
        elif step == "_send_back":
            post.send_back(by=by)
        else:
            post.save()
    except IllegalTransition as refusal:
        messages.warning(request, f"{refusal} Your changes are saved.")
        post.save()
        return ""
    if step == "_submit_review":
        notify_editors.enqueue(post.pk, by.pk)
    if step == "_send_back":
        note = review_note(request)
        notify_author.enqueue(post.pk, by.pk, note)
        return f"{SENT_BACK_NOTE}: {note}" if note else SENT_BACK_NOTE
    return STEPS.get(step, "") if step else ""


def step_response(model_admin, request, post):
    """After a composer button: back on the form, told what happened and when it goes live."""
    step = pressed(request)
    if step is None:
        return None
    when = formats.date_format(timezone.localtime(post.publish_at), "DATETIME_FORMAT")
    said = {
        "_publish": f"“{post}” is published: readers see it now.",
        "_schedule": f"“{post}” is scheduled: readers see it from {when}.",
        "_unpublish": f"“{post}” is a draft again; readers no longer see it.",
        "_submit_review": f"“{post}” is saved and submitted for review; the editors are told.",
        "_send_back": f"“{post}” is a draft again; its author is told.",
        "_save_draft": f"“{post}” is saved.",
    }
    done = said[step]
    if step in STANDS and post.display_status.lower() != STANDS[step]:
        done = f"“{post}” is saved; it is {post.display_status.lower()}."
    model_admin.message_user(request, done, messages.SUCCESS)
    return HttpResponseRedirect(reverse("admin:digest_post_change", args=[post.pk]))


def title_date_warning(post):
    """A digest whose title is an issue title for another day than its publish time."""
    if post.kind != Post.Kind.DIGEST or not post.title.startswith(DIGEST_TITLE_START):
        return None
    expected = digest_title(timezone.localtime(post.publish_at).date())
    if post.title == expected:
        return None
    return format_html(
        "The title names another day than the publish time. For the publish time it would be “{}”.",
        expected,
    )


def review_request(post):
    """Where the post stands in review, for whoever opens it: who asked for a review and
    when (while it waits), or who sent it back, when and why (until it is submitted again)."""
    steps = post.revisions.saves().select_related("saved_by")
    if post.status == Post.Status.PENDING:
        asked = steps.filter(note=REVIEW_NOTE).first()
        if asked is None:
            return "This post is waiting for review: publish it, or send it back with a note."
        when = formats.date_format(timezone.localtime(asked.saved_at), "DATETIME_FORMAT")
        return (
            f"{asked.saved_by or 'An author'} submitted this post for review on {when}: "
            "publish it, or send it back to draft with a note."
        )
    last = steps.first()
    if post.status == Post.Status.DRAFT and last and last.note.startswith(SENT_BACK_NOTE):
        when = formats.date_format(timezone.localtime(last.saved_at), "DATETIME_FORMAT")
        note = last.note.removeprefix(SENT_BACK_NOTE).removeprefix(": ")
        said = f"{last.saved_by or 'An editor'} sent this post back to draft on {when}"
        return f"{said}: “{note}”" if note else f"{said}."
    return None


# The parts' fields as the inline forms show them (digest/admin_parts.py).
PART_FORM_FIELDS = {
    "stats": ("figure", "label", "on_index"),
    "quotes": ("speaker", "text", "source_url", "on_index"),
    "items": ("text", "on_index"),
}


def _comparable(value):
    if isinstance(value, bool):
        return value
    return str(value or "").replace("\r\n", "\n")


def merged_part_data(request, post, prefix, model):
    """On the save that merges a stale form (the editor chose on the conflict page), the
    part forms' data with the other save's edits taken where this editor left a part's
    field as it was when they opened the form: without this, their edits of parts this
    editor never touched would be written back to the old text. Where both changed a field,
    this editor's value stays. Returns None when there is nothing to merge."""
    data = request.POST
    if data.get("merge_version") != str(post.version) or prefix not in PART_FORM_FIELDS:
        return None
    loaded = data.get("loaded_version", "")
    opened = (
        post.revisions.saves().filter(version=int(loaded)).first() if loaded.isdigit() else None
    )
    if opened is None:
        return None
    base = {part.get("anchor"): part for part in opened.data.get(prefix, [])}
    current = {str(part.pk): part for part in model.objects.filter(post=post)}
    merged = data.copy()
    total = data.get(f"{prefix}-TOTAL_FORMS", "0")
    for index in range(int(total) if total.isdigit() else 0):
        row = current.get(data.get(f"{prefix}-{index}-id", ""))
        was = base.get(row.anchor) if row is not None else None
        if was is None:
            continue
        for field in PART_FORM_FIELDS[prefix]:
            name = f"{prefix}-{index}-{field}"
            theirs = getattr(row, field)
            mine = name in data if isinstance(theirs, bool) else data.get(name, "")
            if _comparable(mine) != _comparable(was.get(field, mine)):
                continue  # this editor changed it: theirs or not, mine stays
            if _comparable(theirs) == _comparable(was.get(field, theirs)):
                continue
            if isinstance(theirs, bool):
                if theirs:
                    merged[name] = "on"
                else:
                    merged.pop(name, None)
            else:
                merged[name] = theirs
    return merged


def paste_message(field, notes):
    """What a paste box made of the lines it kept loosely or left out, line by line."""
    if field == "paste_digest":
        label, lead = PASTE_DIGEST[0], "check these lines"
    else:
        label = PASTE_BOXES[field][1]
        lead = "every line was added; check these, kept in a looser shape"
    # Lines, not a nested list: the admin styles every <li> of a message as a message of its own.
    lines = format_html_join("", "<br>{}", ((str(note),) for note in notes))
    return format_html("{}: {}:{}", label, lead, lines)
