"""The composer's reader preview: the post as the form now holds it, unsaved, shown twice with
the readers' own templates — its entry on the index, cut at the folds the editor placed, and
its whole page. Built in memory from the submitted form and its parts' formsets; nothing is
read but the rows the form already loads, and nothing is written."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.template.loader import render_to_string
from django.utils import timezone
from taggit.models import Tag

from .admin_parts import PASTED
from .entries import read_more_anchor
from .models import Item, Post, Quote, SiteSettings, Stat, slug_from_title
from .models.links import TagLink

STALE_NOTE = (
    "Someone else saved this post after you opened it; saving shows what differs, field by "
    "field, before anything is overwritten."
)


def post_in_hand(model_admin, request, post):
    """The post (`post`, or a new one) and its stats, quotes and items as the POSTed form
    holds them, rendered into the post; and a note for each part of the form that had errors
    (those parts are shown as they were, or left out if they are new)."""
    change = post is not None
    # Without the files: a preview shows the lead image as saved, and a picture sent anyway
    # must not be checked, re-encoded and written to storage (accept_upload) for it.
    form = model_admin.get_form(request, post, change=change)(request.POST, instance=post)
    # Not for saving: a stale form, a missing title or a bad row still has a preview. A
    # ModelForm puts every value that cleaned into its instance, errors or not.
    form.is_valid()
    post = form.instance
    problems = [_field_problem(form, name) for name in form.errors if name != NON_FIELD_ERRORS]
    # The form's own checks, such as a stale form (someone saved the post since it was opened).
    problems += [
        STALE_NOTE if error.code == "stale" else " ".join(error.messages)
        for error in form.errors.as_data().get(NON_FIELD_ERRORS, [])
    ]
    parts = {Stat: [], Quote: [], Item: []}
    # The highest anchor of each kind's rows ticked for deletion: the save never gives it again.
    deleted = dict.fromkeys(parts, 0)
    # The same formsets as the change form (Django's own builder: inlines per permission,
    # the post's rows read once a kind by PartFormSet).
    formsets, _ = model_admin._create_formsets(request, post, change=change)
    for formset in formsets:
        if formset.model in parts:
            parts[formset.model], deleted[formset.model] = _parts_of(formset, problems)
    _add_pasted(form, post, parts, deleted)
    for kind in parts.values():
        # As the save reads them back: by position, then by row (a new row last).
        kind.sort(key=lambda part: (part.position, part.pk is None, part.pk or 0))
        for part in kind:
            part.post = post
            part.render()
    _fill_in(post, request, form)
    post.render()
    if post.kind == Post.Kind.DIGEST:
        post.render_parts(parts[Stat], parts[Quote], parts[Item])
    else:
        post.parts_index_html = post.parts_full_html = ""
    for name, model in (("stat", Stat), ("quote", Quote), ("item", Item)):
        hidden = next((p.anchor for p in parts[model] if not p.on_index), None)
        setattr(post, f"first_hidden_{name}", hidden)
    post.read_more_anchor = read_more_anchor(post)
    post.has_more = bool(post.body.strip()) or post.kind == Post.Kind.DIGEST
    tags = form.cleaned_data.get("tags")
    if tags is None:
        tags = list(post.tags.names()) if post.pk else []
    post.tag_list = _tag_links(tags)
    return post, parts, problems


def _tag_links(names):
    """The tags' links: a tag that exists links to its page; a new one to where taggit will
    most likely put it (a name with no letters gets a placeholder until it is saved)."""
    slugs = dict(Tag.objects.filter(name__in=names).values_list("name", "slug"))
    return [TagLink(name, slugs.get(name) or Tag().slugify(name) or "new-tag") for name in names]


def _field_problem(form, name):
    label = form.fields[name].label if name in form.fields else name
    return f"{label}: {' '.join(form.errors[name])} (shown as it was)"


def _parts_of(formset, problems):
    """The parts a formset holds, in hand: the kept rows with the form's values, the rows
    added; not the ones ticked for deletion or added empty. Also the highest anchor of the
    ones ticked for deletion."""
    formset.is_valid()
    noun = formset.model._meta.verbose_name
    kept, deleted = [], 0
    for number, form in enumerate(formset.forms, start=1):
        if formset.can_delete and formset._should_delete_form(form):
            deleted = max(deleted, form.instance.anchor or 0)
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        if form.errors:
            problems.append(
                f"{noun.capitalize()} {number}: "
                + "; ".join(f"{' '.join(errors)}" for errors in form.errors.values())
                + (" (shown as it was)" if form.instance.pk else " (not shown)")
            )
            if form.instance.pk is None:
                continue
        kept.append(form.instance)
    # A row added with "Add another" has no position yet: its save puts it after the others
    # (adminsortable2's save_new), and so does the preview.
    last_position = max((part.position or 0 for part in kept if part.pk), default=0)
    for part in kept:
        if part.pk is None and not (part.position or 0) > 0:
            last_position += 1
            part.position = last_position
    # Anchors for the new ones (the page's #quote-N), after the highest the form holds.
    last = max((part.anchor or 0 for part in kept), default=0)
    for part in kept:
        if part.anchor is None:
            last += 1
            part.anchor = last
    return kept, deleted


def _add_pasted(form, post, parts, deleted):
    """What the paste boxes hold, after each list's parts, as the save would add it (anchors
    after the highest given, deleted parts included: PostAdmin.add_pasted_parts)."""
    for field, model, build in PASTED:
        standing = parts[model]
        position = max((part.position for part in standing), default=-1) + 1
        anchor = max([part.anchor for part in standing] + [deleted[model]], default=0) + 1
        for n, entry in enumerate(form.pasted.get(field, [])):
            standing.append(
                model(post=post, position=position + n, anchor=anchor + n, **build(entry))
            )


def _fill_in(post, request, form):
    """What a new post has only once it is saved: an author, a date, a slug, a kind."""
    if post.author_id is None:
        post.author = request.user
    if post.publish_at is None:
        post.publish_at = timezone.now()
    if not post.slug:
        post.slug = slug_from_title(post.title or "untitled")
    if not post.kind:
        post.kind = Post.Kind.ARTICLE


def render_preview(request, post):
    """{"index": the post's entry as on the index, "page": its article as on its page}."""
    site = SiteSettings.load()
    return {
        "index": render_to_string(
            "digest/_post_excerpt.html", {"post": post, "site": site}, request=request
        ),
        "page": render_to_string(
            "digest/_post_article.html",
            {"post": post, "site": site, "tags": post.tag_list},
            request=request,
        ),
    }
