"""The inbox's pages, for editors and authors only (staff who may write posts): keep a link
(the bookmarklet's and the share sheet's page), paste many, the list with "into the digest",
the bookmarklet itself, and the web app manifest that makes the share sheet offer us."""

from collections import Counter
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from .forms import KeepForm, PasteForm, SendForm, SuggestForm
from .keeping import keep, keep_many, urls_in
from .models import Entry
from .placing import KINDS, NoLongerWaiting, fits, guess_kind, send_to_digest, week_digest

LIST_SIZE = 200
# What the inbox guessed, for the editor to check in the composer.
CONFIRM = {
    "quotes": " Check each speaker: it is the page's author or site.",
    "stats": " Check each figure: it is the first number in the words kept.",
}


def writers_only(view):
    """Logged in (the login page comes back here), staff, and allowed to write posts."""

    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff and user.has_perm("digest.add_post")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


def visible_entries(user):
    """Editors see everyone's entries; authors their own."""
    entries = Entry.objects.select_related("covered_by", "used_in", "kept_by")
    return entries if user.has_perm("digest.edit_others_posts") else entries.filter(kept_by=user)


@writers_only
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="60/m", method="POST", block=True)
def add(request):
    """GET: the form filled from the query (nothing is kept on a GET); POST: keep it."""
    if request.method == "POST":
        form = KeepForm(request.POST)
        if form.is_valid():
            kept = keep(
                form.cleaned_data["url"],
                request.user,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                comment=form.cleaned_data["comment"],
            )
            return render(request, "inbox/kept.html", {"kept": kept})
    else:
        initial = {name: request.GET.get(name, "")[:5000] for name in ("url", "title", "text")}
        if not initial["url"]:
            # Share sheets often put the address in the text.
            found = urls_in(initial["text"])
            initial["url"] = found[0] if found else ""
        form = KeepForm(initial=initial)
    return render(request, "inbox/add.html", {"form": form})


@writers_only
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="10/m", method="POST", block=True)
def paste(request):
    form = PasteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = keep_many(form.cleaned_data["text"], request.user, form.cleaned_data["comment"])
        return render(request, "inbox/pasted.html", {"report": report})
    return render(request, "inbox/paste.html", {"form": form})


@writers_only
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="30/m", method="POST", block=True)
def entry_list(request):
    entries = visible_entries(request.user)
    if request.method == "POST":
        # Only links still waiting: a list shown before (Back, another tab) may hold used ones.
        form = SendForm(request.POST, queryset=entries.waiting())
        if form.has_error("entries", "invalid_choice"):
            return no_longer_waiting(request)
        if not form.is_valid():
            messages.error(request, "Choose at least one link, and what to do with them.")
            return redirect("inbox:list")
        # In the order they were kept: the week's reading order.
        chosen = sorted(form.cleaned_data["entries"], key=lambda entry: (entry.created, entry.pk))
        return act(request, form.cleaned_data["action"], chosen)
    waiting = list(entries.waiting()[:LIST_SIZE])
    repeats = {}
    for entry in waiting:
        repeats.setdefault(entry.normalized_url, []).append(entry)
    rows = [
        (entry, [e for e in repeats[entry.normalized_url] if e != entry], guess_kind(entry))
        for entry in waiting
    ]
    context = {
        "rows": rows,
        "kinds": [(kind, name.capitalize()) for kind, name in KINDS.items()],
        "used": entries.filter(status=Entry.Status.USED)[:20],
        "actions": list(SendForm.ACTIONS.items()),
        "bookmarklet": bookmarklet(request),
    }
    return render(request, "inbox/list.html", context)


def act(request, action, chosen):
    if action == "archive":
        Entry.objects.filter(pk__in=[e.pk for e in chosen]).update(status=Entry.Status.ARCHIVED)
        messages.success(request, f"{len(chosen)} archived.")
        return redirect("inbox:list")
    if action == "delete":
        Entry.objects.filter(pk__in=[e.pk for e in chosen]).delete()
        messages.success(request, f"{len(chosen)} deleted.")
        return redirect("inbox:list")
    return add_to_digest(request, chosen)


def no_longer_waiting(request):
    messages.error(
        request,
        "Nothing done: some of the chosen links are no longer waiting (used, archived "
        "or deleted since the list was shown). Here is the list as it is now.",
    )
    return redirect("inbox:list")


def add_to_digest(request, chosen):
    """Each chosen link into this week's digest as what its row says."""
    kinds = [(entry, request.POST.get(f"as-{entry.pk}") or guess_kind(entry)) for entry in chosen]
    if any(kind not in KINDS for _, kind in kinds):
        messages.error(request, "Each link goes into the digest as an item, a quote or a stat.")
        return redirect("inbox:list")
    placed = [(entry, kind) for entry, kind in kinds if fits(entry, kind)]
    left = [entry for entry, kind in kinds if (entry, kind) not in placed]
    if left:
        lengths = ", ".join(str(len(entry.url)) for entry in left)
        messages.error(
            request,
            f"1 left in the inbox: its address is too long for a stat ({lengths} characters); "
            "add it as an item."
            if len(left) == 1
            else f"{len(left)} left in the inbox: their addresses are too long for a stat "
            f"({lengths} characters); add them as items.",
        )
    if not placed:
        # No digest is made for links that all stay in the inbox.
        return redirect("inbox:list")
    try:
        with transaction.atomic():  # no new draft is left behind if the links were taken
            post, created = week_digest(request.user)
            if post.author_id != request.user.pk and not request.user.has_perm(
                "digest.edit_others_posts"
            ):
                messages.error(
                    request, f"“{post}” is another author's; an editor adds links to it."
                )
                return redirect("inbox:list")
            send_to_digest(placed, request.user, post)
    except NoLongerWaiting:
        return no_longer_waiting(request)
    counts = Counter(kind for _, kind in placed)
    parts = ", ".join(
        f"{counts[kind]} {kind if counts[kind] > 1 else KINDS[kind]}"
        for kind in ("stats", "quotes", "items")
        if counts[kind]
    )
    checks = "".join(CONFIRM[kind] for kind in ("stats", "quotes") if counts[kind])
    messages.success(
        request,
        f"{len(placed)} added to “{post}”{' (a new draft)' if created else ''}: {parts}.{checks}",
    )
    return redirect(reverse("admin:digest_post_change", args=[post.pk]))


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="5/h", method="POST", block=True)
def suggest(request):
    """ "Suggest a link", as the original site asked its registered readers: kept in the inbox
    marked as a suggestion with who sent it; the reader sees nothing of the inbox itself."""
    form = SuggestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        keep(
            form.cleaned_data["url"],
            request.user,
            comment=form.cleaned_data["comment"],
            is_suggestion=True,
        )
        messages.success(request, "Thank you: the editors will read it.")
        return redirect("inbox:suggest")
    return render(request, "inbox/suggest.html", {"form": form})


def bookmarklet(request):
    """The bookmarklet: it opens our add page in a small window with the page's address,
    title and selection. Nothing runs on the visited page but reading those three, so its
    CSP is no obstacle, and the window carries the editor's login, not a token."""
    add_url = settings.SITE_URL + reverse("inbox:add")
    # Each part is cut once encoded, so the whole address stays under the 8 KB query that
    # digest.middleware allows, whatever the script of the selection (a cut escape is dropped).
    return (
        "javascript:(function(){var d=document,e=function(v,n){return encodeURIComponent(v)"
        ".slice(0,n).replace(/%[0-9A-F]?$/i,'')},s=String(window.getSelection?"
        "window.getSelection():'');"
        f"window.open('{add_url}?url='+e(location.href,2100)+'&title='+e(d.title,900)+"
        "'&text='+e(s,4500),'scalepress_inbox','width=560,height=620');})();"
    )


def manifest(request):
    """The web app manifest: installing the site on a phone makes its share sheet offer
    "keep in the inbox" (Web Share Target), which opens the add page. Browsers install only a
    manifest with icons and an app-like display, hence both."""
    data = {
        "name": settings.SITE_NAME,
        "short_name": settings.SITE_NAME[:12],
        "start_url": "/",
        "display": "minimal-ui",
        "icons": [
            {
                "src": static(f"img/app-icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
        "share_target": {
            "action": reverse("inbox:add"),
            "method": "GET",
            "params": {"title": "title", "text": "text", "url": "url"},
        },
    }
    return JsonResponse(data, content_type="application/manifest+json")
