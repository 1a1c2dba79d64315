from datetime import datetime, time

from adminsortable2.admin import SortableAdminBase
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from . import admin_composer, admin_settings, admin_views  # noqa: F401 (admin_settings registers)
from .admin_panels import render_post_panels
from .admin_parts import PASTED, ItemInline, QuoteInline, StatInline, standing_parts
from .forms import PostAdminForm
from .models import (
    IllegalTransition,
    Post,
    Revision,
    StaleEdit,
    digest_title,
    slug_from_title,
)


class VisibilityFilter(admin.SimpleListFilter):
    """Draft, pending review, scheduled or published, by the same queryset rules readers
    are served by."""

    title = "status"
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("pending", "Pending review"),
            ("scheduled", "Scheduled"),
            ("published", "Published"),
        ]

    def queryset(self, request, queryset):
        rules = {
            "draft": queryset.drafts,
            "pending": queryset.pending,
            "scheduled": queryset.scheduled,
            "published": queryset.published,
        }
        return rules[self.value()]() if self.value() in rules else queryset


HISTORY_FIELDSET = (
    "History",
    {"classes": ("collapse",), "fields": ("created", "updated", "version", "imported")},
)
# What an import could not know of a post, as the editor is told on opening it.
IMPORT_NOTES = (
    (
        "excerpt_only",
        "only its excerpt: the feed it came from carried no more; importing a WXR export "
        "of the old site (manage.py import_wxr) fills in the full text",
    ),
    (
        "date_is_guessed",
        "a guessed date: the archive text gave none, so it sits between its neighbours "
        "until an import with its real address corrects it (or set the date here)",
    ),
)
MAIN_FIELDS = ("title", "slug", "kind", "status", "publish_at", "author", "tags", "loaded_version")


@admin.register(Post)
class PostAdmin(SortableAdminBase, admin.ModelAdmin):
    form = PostAdminForm
    change_form_template = "admin/digest/post/change_form.html"
    change_list_template = "admin/digest/post/change_list.html"
    list_display = ("title", "status_label", "kind", "author", "publish_at", "view_link")
    list_filter = (VisibilityFilter, "kind", "excerpt_only", "date_is_guessed", "tags", "author")
    list_select_related = ("author",)
    search_fields = ("title", "excerpt", "body", "byline")
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("created", "updated", "version", "imported")
    list_per_page = 50
    view_on_site = False  # the change form has its own "Preview" / "View on site" button

    actions = ("publish_now", "unpublish")

    # Editors only: authors never publish (the verbs check it again).
    @admin.action(description="Publish the selected posts now", permissions=("publish",))
    def publish_now(self, request, queryset):
        self.take_step(request, queryset, Post.publish, "published")

    @admin.action(description="Take the selected posts back to draft", permissions=("publish",))
    def unpublish(self, request, queryset):
        self.take_step(request, queryset, Post.unpublish, "taken back to draft")

    def has_publish_permission(self, request):
        return Post.may_publish(request.user)

    def take_step(self, request, queryset, step, done):
        """One lifecycle verb on each selected post; a post that cannot take it is named."""
        count = 0
        for post in queryset:
            try:
                step(post, by=request.user)
            except IllegalTransition as refusal:
                messages.warning(request, str(refusal))
            else:
                Revision.record(post, by=request.user, note=done.capitalize())
                count += 1
        if count:
            messages.success(request, f"{count} post{'s' if count != 1 else ''} {done}.")

    @admin.display(description="status", ordering="status")
    def status_label(self, post):
        colours = {
            "Draft": "#777",
            "Pending review": "#8250df",
            "Scheduled": "#b26b00",
            "Published": "#1a7f37",
        }
        label = post.display_status
        return format_html('<strong style="color:{}">{}</strong>', colours[label], label)

    @admin.display(description="imported from")
    def imported(self, post):
        if not post.import_ref:
            return "—"
        notes = [note for flag, note in IMPORT_NOTES if getattr(post, flag)]
        return format_html("{}{}", post.import_ref, "; " + "; ".join(notes) if notes else "")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        post = self.get_object(request, object_id) if request.method == "GET" else None
        if post is not None:
            for flag, note in IMPORT_NOTES:
                if getattr(post, flag):
                    messages.warning(request, f"This post was imported with {note}.")
            review = admin_composer.review_request(post)
            if review:
                messages.info(request, review)
            # This editor's autosaved form, offered back (composer.js), never applied by itself.
            kept = Revision.objects.autosaves().filter(post=post, saved_by=request.user).first()
            extra_context = {"autosave": kept, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["post_panels"] = render_post_panels(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def add_view(self, request, form_url="", extra_context=None):
        title = "New digest" if self.is_digest(request, None) else "New post"
        return super().add_view(request, form_url, {"title": title, **(extra_context or {})})

    def response_add(self, request, obj, post_url_continue=None):
        return admin_composer.step_response(self, request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return admin_composer.step_response(self, request, obj) or super().response_change(
            request, obj
        )

    @admin.display(description="")
    def view_link(self, post):
        if not post.is_published:
            return format_html('<a href="{}">Preview</a>', post.get_absolute_url())
        return format_html('<a href="{}">View on site</a>', post.get_absolute_url())

    def is_digest(self, request, obj):
        if obj is not None:
            return obj.kind == Post.Kind.DIGEST
        # The shape the add form was rendered with (?kind=digest), so a POST always carries
        # the inlines it expects; choosing "Digest" on a plain form adds them after the save.
        return request.GET.get("kind") == Post.Kind.DIGEST

    def get_fieldsets(self, request, obj=None):
        if self.is_digest(request, obj):
            return (
                (None, {"fields": MAIN_FIELDS}),
                (
                    "Intro and lead image",
                    {"fields": ("excerpt", "lead_image", "lead_image_caption")},
                ),
                (
                    "Paste boxes",
                    {
                        "fields": ("paste_digest", "paste_stats", "paste_quotes", "paste_items"),
                        "description": "Paste text to add stats, quotes and items below in one "
                        "go: a whole digest in the first box, or each kind in its own.",
                    },
                ),
                ("After the items", {"classes": ("collapse",), "fields": ("body", "byline")}),
                HISTORY_FIELDSET,
            )
        return (
            (None, {"fields": MAIN_FIELDS}),
            ("Lead image", {"fields": ("lead_image", "lead_image_caption")}),
            ("Text", {"fields": ("byline", "excerpt", "body")}),
            HISTORY_FIELDSET,
        )

    def changelist_view(self, request, extra_context=None):
        # The date drill-down parameters are passed to the database unchecked by Django; a
        # year like 99999 would be a server error rather than "no such date".
        for key in ("publish_at__year", "publish_at__month", "publish_at__day"):
            value = request.GET.get(key)
            if value is not None and not (
                value.isascii() and value.isdigit() and 0 < int(value) < 9000
            ):
                return HttpResponseRedirect(request.path + "?e=1")
        return super().changelist_view(request, extra_context)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "POST" and obj is not None and obj.pk:
            merged = admin_composer.merged_part_data(request, obj, prefix, inline.model)
            if merged is not None:
                kwargs["data"] = merged
        return kwargs

    def get_inlines(self, request, obj):
        return [StatInline, QuoteInline, ItemInline] if self.is_digest(request, obj) else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        author = form.base_fields.get("author")
        if author is not None:
            # A plain choice of writers: the user admin's add/change/delete icons beside it
            # would leave the post half-written for another page.
            for ability in ("add", "change", "delete", "view"):
                setattr(author.widget, f"can_{ability}_related", False)
        if self.is_digest(request, obj):
            form.base_fields["excerpt"].label = "Intro"
            form.base_fields["excerpt"].help_text = "The line under the title. Markdown."
        return form

    def edits_everything(self, request):
        """Editors see and change every post; Authors only their own, and no sponsored posts."""
        return request.user.has_perm("digest.edit_others_posts")

    def get_queryset(self, request):
        posts = super().get_queryset(request)
        return posts if self.edits_everything(request) else posts.filter(author=request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Authors never publish: they submit for review, and an editor publishes.
        return fields if self.edits_everything(request) else (*fields, "author", "status")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # Staff and people who have written here (guest authors); never sponsors, and
            # no need to let editors browse every account to pick one.
            User = get_user_model()
            writers = Q(is_staff=True) | Q(pk__in=Post.objects.values("author"))
            kwargs["queryset"] = User.objects.filter(writers).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind" and not self.edits_everything(request):
            kwargs["choices"] = [c for c in Post.Kind.choices if c[0] != Post.Kind.SPONSORED]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = {"author": request.user.pk, **super().get_changeform_initial_data(request)}
        if request.GET.get("kind") == Post.Kind.DIGEST:
            # "New digest": the coming issue (next week's once this week's is out), Friday
            # 09:00, tagged like the last one.
            day = Post.objects.coming_issue_day()
            title = digest_title(day)
            last = Post.objects.published().filter(kind=Post.Kind.DIGEST).first()
            initial.update(
                title=title,
                slug=slug_from_title(title),
                kind=Post.Kind.DIGEST,
                publish_at=timezone.make_aware(datetime.combine(day, time(9, 0))),
                tags=", ".join(sorted(last.tags.names())) if last else "",
            )
        return initial

    def save_model(self, request, obj, form, change):
        """A new post is inserted here, since its parts need its row; a changed one is saved
        once, with its parts, by `save_related`."""
        if not self.edits_everything(request) and not change:
            obj.author = request.user
        if "publish_at" in form.changed_data:
            obj.date_is_guessed = False  # the editor's date is a real one
        if not change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """The parts' rows first (the formsets, then the paste boxes), then the post once, with
        its digest rendered from the parts in hand, then its revision."""
        post = form.instance
        if not change or "tags" in form.changed_data:
            form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        parts = None
        if self.is_digest(request, post):
            parts = self.add_pasted_parts(post, *standing_parts(formsets, post), form.pasted)
            post.render_parts(*parts)
        # A new post was inserted by save_model; it is written again only for parts it got or
        # a lifecycle button pressed.
        note = ""
        if change or (parts is not None and any(parts)) or admin_composer.moves(request):
            note = admin_composer.write_post(request, post, self.edits_everything(request))
        Revision.record(
            post, by=request.user, note=note, parts=parts, tags=form.cleaned_data.get("tags")
        )
        # Saved: this editor's autosave is in the post now (or was theirs to leave).
        Revision.discard_autosave(post, request.user)
        warning = admin_composer.title_date_warning(post)
        if warning:
            messages.warning(request, warning)
        for field, notes in form.paste_notes.items():
            if notes:
                messages.warning(request, admin_composer.paste_message(field, notes))

    def add_pasted_parts(self, post, standing, highest, pasted):
        """Add what the paste boxes hold after the parts already there, in one write a kind;
        returns the stats, quotes and items as they now stand."""
        result = []
        for parts, deleted, (field, model, build) in zip(standing, highest, PASTED, strict=True):
            last = parts[-1] if parts else None
            position = last.position + 1 if last else 0
            anchor = max([part.anchor for part in parts] + [deleted], default=0) + 1
            added = [
                model(post=post, position=position + n, anchor=anchor + n, **build(entry))
                for n, entry in enumerate(pasted.get(field, []))
            ]
            for part in added:
                part.render()
            model.objects.bulk_create(added)
            result.append([*parts, *added])
        return result

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit as error:
            # Someone saved between the form's check and our write: nothing was written.
            messages.error(request, f"{error} Nothing was overwritten; here is their version.")
            return HttpResponseRedirect(request.path)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:post_id>/revisions/",
                wrap(admin_views.revisions(self)),
                name="digest_post_revisions",
            ),
            path(
                "<int:post_id>/revisions/<int:revision_id>/",
                wrap(admin_views.compare_revisions(self)),
                name="digest_post_revision",
            ),
            path(
                "<int:post_id>/revisions/<int:revision_id>/restore/",
                wrap(admin_views.restore_revision(self)),
                name="digest_post_restore",
            ),
            path(
                "<int:post_id>/covered-links/",
                wrap(admin_views.covered_links(self)),
                name="digest_post_covered_links",
            ),
            path(
                "<int:post_id>/autosave/",
                wrap(admin_views.autosave(self)),
                name="digest_post_autosave",
            ),
            path(
                "reader-preview/",
                wrap(admin_views.reader_preview(self)),
                name="digest_post_reader_preview",
            ),
            path(
                "<int:post_id>/reader-preview/",
                wrap(admin_views.reader_preview(self)),
                name="digest_post_reader_preview",
            ),
            path(
                "markdown-preview/",
                wrap(admin_views.markdown_preview(self)),
                name="digest_markdown_preview",
            ),
            path(
                "<int:post_id>/preview-link/",
                wrap(admin_views.preview_link(self)),
                name="digest_post_preview_link",
            ),
            *super().get_urls(),
        ]
