"""Who gets what: every pattern of the URL conf, walked as every kind of visitor.

The walk enumerates the root URL conf (admin included), fills each pattern's parameters with
real objects (a published post, a draft, sponsor A's and sponsor B's companies and listings,
one row of every model the admin shows…), and requests each URL as anonymous, sponsor A,
sponsor B, an author, an editor and a superuser, with GET, with POST carrying a CSRF token, and
with POST without one. The tests below each assert one rule over the recorded answers.

Each role walks a fresh copy of the same data (a savepoint rolled back after it), so what one
role's POSTs change cannot hide what another role may do.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from taggit.models import Tag

from accounts import lockout, verification
from accounts.models import Role, User
from comments import notifications as comment_notifications
from comments.models import CommentSettings, Thread, ThreadSubscription
from digest.models import Post, Revision, SiteSettings
from newsletter import tokens as newsletter_tokens
from newsletter.models import Issue
from newsletter.tasks import tick
from sponsors.forms import bookable_weeks
from sponsors.models import (
    Click,
    Listing,
    ListingWeek,
    Sponsor,
    SponsorChange,
    WeeklyPost,
    this_week,
)
from tests.accounts.factories import UserFactory, staff
from tests.comments.factories import CommentFactory
from tests.digest.factories import PostFactory, QuoteFactory
from tests.newsletter.factories import SubscriberFactory
from tests.sponsors.factories import ListingFactory, SponsorFactory, SponsorUserFactory

ROLES = ("anonymous", "sponsor_a", "sponsor_b", "author", "editor", "superuser")
NON_STAFF = ("anonymous", "sponsor_a", "sponsor_b")
# Roles that own none of sponsor B's rows and may not edit them: B's data must not change.
OUTSIDERS = ("anonymous", "sponsor_a", "author")
GET, POST, POST_NO_TOKEN = "GET", "POST", "POST without token"
# Admin models an author works with; every other model's admin is closed to authors.
AUTHOR_MODELS = {("digest", "post"), ("taggit", "tag")}
REGISTERED = {(model._meta.app_label, model._meta.model_name) for model in admin.site._registry}
# The sponsor URL that is public on purpose: the click redirect of an approved listing.
PUBLIC_WITH_IDS = {"sponsors:go"}
# Endpoints that take POSTs with no CSRF token on purpose (their docstrings say why): the
# subscribe form on cached pages, and RFC 8058 one-click unsubscribe from mail clients.
# One-click unsubscribes (RFC 8058: mail clients POST them with no cookie) and the
# subscribe form of cached pages.
CSRF_EXEMPT = {"newsletter:subscribe", "newsletter:unsubscribe", "comments:thread-unsubscribe"}
ADMIN_LOGIN = reverse("admin:login")


# --- The URL conf -------------------------------------------------------------------------------


def join_route(prefix, route):
    # As django.urls.URLResolver._join_route: a nested regex loses its leading ^.
    return prefix + route.removeprefix("^") if prefix else route


def url_patterns(patterns=None, prefix="", namespace=""):
    """(full route, "namespace:name") of every URL pattern, following includes."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from url_patterns(pattern.url_patterns, route, inner)
        else:
            yield route, f"{namespace}:{pattern.name or ''}"


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def fill(route, values):
    """The path of `route` with its parameters replaced by `values`."""
    path = PARAMETER.sub(lambda m: str(values[m.group(1) or m.group(2)]), route)
    return "/" + path.removeprefix("^").removesuffix("$")


def parameters(route):
    return [a or b for a, b in PARAMETER.findall(route)]


# --- The data the walk fills patterns with ------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One concrete URL: the pattern it fills, a label for reports, whose data it carries."""

    route: str
    name: str
    path: str
    label: str
    carries: str = ""  # "a" or "b" when the URL holds sponsor A's or B's ids

    @property
    def is_admin(self):
        return self.route.startswith("admin/")


def build_world():
    """Everything the walk needs, made with the project's factories."""
    writer = staff(Role.AUTHORS)
    author = staff(Role.AUTHORS)
    editor = staff(Role.EDITORS)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    user_a = SponsorUserFactory(email="manager@sponsor-a.example")
    user_b = SponsorUserFactory(email="manager@sponsor-b.example")
    newcomer = UserFactory(email_verified_at=None)

    published = PostFactory(author=writer, tags=["architecture"])
    quote = QuoteFactory(post=PostFactory(digest=True, author=writer, tags=["architecture"]))
    draft = PostFactory(author=author, draft=True)
    draft.make_preview_token()
    sponsored = PostFactory(author=editor, kind=Post.Kind.SPONSORED)
    revisions = {post.pk: Revision.record(post, by=post.author) for post in (published, draft)}

    sponsors, listings, approved, changes = {}, {}, {}, {}
    for owner, user in (("a", user_a), ("b", user_b)):
        sponsors[owner] = SponsorFactory(managers=[user])
        listings[owner] = ListingFactory(
            sponsor=sponsors[owner], text=f"Unannounced plan of sponsor {owner.upper()}."
        )
        approved[owner] = ListingFactory(
            sponsor=sponsors[owner], approved=True, weeks=[this_week()]
        )
        Click.objects.create(listing=approved[owner], day=timezone.localdate(), visitor="0" * 32)
        # A company change waiting for review: readers and other sponsors must not see it.
        changes[owner] = SponsorChange.objects.create(
            sponsor=sponsors[owner],
            name=f"Unannounced rename of sponsor {owner.upper()}",
            website=sponsors[owner].website,
            description=sponsors[owner].description,
            submitted_by=user,
        )
    weekly = WeeklyPost.objects.create(week=this_week(), post=sponsored)
    site_settings, _ = SiteSettings.objects.get_or_create(pk=1)

    axes_row = {
        "username": "someone",
        "ip_address": "192.0.2.1",
        "user_agent": "walker",
        "http_accept": "*/*",
        "path_info": "/accounts/login/",
    }
    attempt = AccessAttempt.objects.create(
        **axes_row, get_data="", post_data="", failures_since_start=1
    )
    access_log = AccessLog.objects.create(**axes_row)
    failure_log = AccessFailureLog.objects.create(**axes_row, locked_out=False)
    tag = Tag.objects.get(slug="architecture")
    subscriber = SubscriberFactory()
    issue = Issue.objects.create(post=published, send=False)
    job = tick.enqueue()
    comment = CommentFactory(post=published)
    thread = Thread.objects.create(post=published)
    comment_settings = CommentSettings.objects.get_or_create(pk=1)[0]
    following = ThreadSubscription.objects.create(post=published, email="reader@example.net")

    admin_objects = {
        ("auth", "group"): [("editors", Group.objects.get(name=Role.EDITORS).pk, "")],
        ("taggit", "tag"): [("tag", tag.pk, "")],
        ("axes", "accessattempt"): [("attempt", attempt.pk, "")],
        ("axes", "accesslog"): [("log", access_log.pk, "")],
        ("axes", "accessfailurelog"): [("failure", failure_log.pk, "")],
        ("accounts", "user"): [("writer", writer.pk, ""), ("user-b", user_b.pk, "b")],
        ("digest", "post"): [("writer-post", published.pk, ""), ("own-draft", draft.pk, "")],
        ("digest", "sitesettings"): [("settings", site_settings.pk, "")],
        ("sponsors", "sponsor"): [("A", sponsors["a"].pk, "a"), ("B", sponsors["b"].pk, "b")],
        ("sponsors", "listing"): [("A", listings["a"].pk, "a"), ("B", listings["b"].pk, "b")],
        ("sponsors", "sponsorchange"): [("A", changes["a"].pk, "a"), ("B", changes["b"].pk, "b")],
        ("sponsors", "weeklypost"): [("week", weekly.pk, "")],
        ("newsletter", "subscriber"): [("subscriber", subscriber.pk, "")],
        ("newsletter", "issue"): [("issue", issue.pk, "")],
        ("django_tasks_database", "dbtaskresult"): [("job", job.id, "")],
        ("comments", "comment"): [("comment", comment.pk, "")],
        ("comments", "thread"): [("thread", thread.pk, "")],
        ("comments", "commentsettings"): [("settings", comment_settings.pk, "")],
    }
    local = timezone.localtime(published.publish_at)
    draft_day = timezone.localtime(draft.publish_at)
    post_date = {"year": local.year, "month": local.month, "day": local.day}
    return {
        "users": {
            "anonymous": None,
            "sponsor_a": user_a,
            "sponsor_b": user_b,
            "author": author,
            "editor": editor,
            "superuser": superuser,
        },
        "sponsors": sponsors,
        "user_b": user_b,
        # What only a sponsor's own managers (and editors) may ever see of it.
        "secrets": {
            owner: (listings[owner].text, user.email, changes[owner].name)
            for owner, user in (("a", user_a), ("b", user_b))
        },
        "admin_objects": admin_objects,
        "values": {
            "post-detail": [
                ("published", {**post_date, "slug": published.slug}, ""),
                (
                    "draft",
                    {
                        "year": draft_day.year,
                        "month": draft_day.month,
                        "day": draft_day.day,
                        "slug": draft.slug,
                    },
                    "",
                ),
            ],
            "archive": {"year": local.year, "month": local.month},
            "tag": tag,
            "username": writer.username,
            "speaker": quote.speaker_key,
            "preview": draft.preview_token,
            "posts": [
                ("writer-post", published.pk, revisions[published.pk].pk),
                ("own-draft", draft.pk, revisions[draft.pk].pk),
            ],
            "post_type": ContentType.objects.get_for_model(Post).pk,
            "verify": verification.make_token(newcomer, next_url=reverse("accounts:profile")),
            "reset": (
                urlsafe_base64_encode(force_bytes(newcomer.pk)),
                default_token_generator.make_token(newcomer),
            ),
            "unlock": (
                urlsafe_base64_encode(force_bytes(newcomer.pk)),
                lockout.unlock_tokens.make_token(newcomer),
            ),
            "newsletter": {
                "confirm": newsletter_tokens.make(subscriber, newsletter_tokens.CONFIRM),
                "manage": newsletter_tokens.make(subscriber, newsletter_tokens.MANAGE),
                "issue": issue.pk,
            },
            "comment": comment.pk,
            "thread": {
                "confirm": newsletter_tokens.make(following, comment_notifications.CONFIRM),
                "manage": newsletter_tokens.make(following, comment_notifications.MANAGE),
            },
            "listings": [
                ("A-pending", listings["a"].pk, "a"),
                ("A-approved", approved["a"].pk, "a"),
                ("B-pending", listings["b"].pk, "b"),
                ("B-approved", approved["b"].pk, "b"),
            ],
        },
    }


ADMIN_OBJECT = re.compile(r"^admin/(\w+)/(\w+)/<path:object_id>/")


def targets_for(route, name, world):
    """The concrete URLs that fill one pattern: (label, parameter values, owner) each."""
    values = world["values"]
    params = parameters(route)
    if not params:
        return [("", {}, "")]
    if match := ADMIN_OBJECT.match(route):
        return [
            (label, {"object_id": pk}, owner)
            for label, pk, owner in world["admin_objects"][match.groups()]
        ]
    if params == ["content_type_id", "object_id"]:
        return [
            (
                "post",
                {"content_type_id": values["post_type"], "object_id": values["posts"][0][1]},
                "",
            )
        ]
    if params == ["id"]:  # the user admin's password form
        return [
            (label, {"id": pk}, owner)
            for label, pk, owner in world["admin_objects"][("accounts", "user")]
        ]
    if params == ["post_id"]:
        return [(label, {"post_id": pk}, "") for label, pk, _rev in values["posts"]]
    if params == ["post_id", "revision_id"]:
        return [
            (label, {"post_id": pk, "revision_id": rev}, "") for label, pk, rev in values["posts"]
        ]
    if params == ["app_label"]:
        labels = re.search(r"\(\?P<app_label>([^)]*)\)", route).group(1).split("|")
        return [(label, {"app_label": label}, "") for label in labels]
    if params == ["url"]:
        return [("missing", {"url": "no/such/page/"}, "")]
    if name == "accounts:verify":
        return [("newcomer", {"token": values["verify"]}, "")]
    if name == "accounts:password_reset_confirm":
        uidb64, token = values["reset"]
        return [("newcomer", {"uidb64": uidb64, "token": token}, "")]
    if name == "accounts:unlock":
        uidb64, token = values["unlock"]
        return [("newcomer", {"uidb64": uidb64, "token": token}, "")]
    if name == "sponsors:company":
        return [(owner.upper(), {"pk": s.pk}, owner) for owner, s in world["sponsors"].items()]
    if name.startswith("sponsors:listing-") or name == "sponsors:go":
        return [(label, {"pk": pk}, owner) for label, pk, owner in values["listings"]]
    if name == "digest:post-detail":
        return values["post-detail"]
    if name in ("digest:archive-year", "digest:archive-month"):
        wanted = {key: values["archive"][key] for key in params}
        return [("with-posts", wanted, "")]
    if name == "digest:tag-detail" or name == "digest:tag-feed":
        return [("architecture", {"slug": values["tag"].slug}, "")]
    if params == ["name"]:
        return [("category", {"name": values["tag"].name}, "")]
    if params == ["item_id"]:  # /blog/recommend/<id>, with and without its slash
        return [("old-id", {"item_id": "21836478"}, "")]
    if name == "digest:author-detail":
        return [("writer", {"username": values["username"]}, "")]
    if name == "digest:quote-speaker":
        return [("speaker", {"key": values["speaker"]}, "")]
    if name == "digest:secret-preview":
        return [("draft", {"token": values["preview"]}, "")]
    if name == "newsletter:confirm":
        return [("subscriber", {"token": values["newsletter"]["confirm"]}, "")]
    if name.startswith("newsletter:"):
        return [("subscriber", {"token": values["newsletter"]["manage"]}, "")]
    if name in ("comments:edit", "comments:delete"):
        return [("comment", {"pk": values["comment"]}, "")]
    if name == "comments:thread-confirm":
        return [("follower", {"token": values["thread"]["confirm"]}, "")]
    if name == "comments:thread-unsubscribe":
        return [("follower", {"token": values["thread"]["manage"]}, "")]
    if name == "admin:newsletter_issue_progress":
        return [("issue", {"pk": values["newsletter"]["issue"]}, "")]
    if name == "digest:sitemap-section":
        return [(section, {"section": section}, "") for section in ("pages", "posts")]
    raise LookupError(f"The walk has no values for {route!r} ({name}): add them to targets_for().")


def all_targets(world):
    targets = []
    for route, name in url_patterns():
        for label, values, owner in targets_for(route, name, world):
            path = fill(route, values)
            if route.startswith("admin/autocomplete"):
                path += "?" + urlencode(
                    {"app_label": "digest", "model_name": "post", "field_name": "author"}
                )
            targets.append(Target(route, name, path, label, owner))
    # By pattern and label, not path: the order must not depend on the primary keys.
    return sorted(targets, key=lambda target: (target.route, target.label))


# What a POST with a valid token sends to the sponsor forms that take ids: a complete, valid
# form, so that only the ownership check can stop it.
def post_data(target):
    if target.name == "sponsors:company":
        return {"name": "Taken Over Inc", "website": "https://taken.example", "description": "x"}
    if target.name == "sponsors:listing-edit":
        return {
            "section": Listing.Section.PRODUCT,
            "text": "Rewritten by someone else.",
            "link_url": "https://taken.example/",
            "link_label": "Click",
            "weeks": [bookable_weeks()[0].isoformat()],
        }
    return {}


# --- The walk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    role: str
    method: str
    target: Target
    status: int
    location: str
    error: str
    shows: frozenset  # whose secrets ("a", "b") the body holds


def sponsor_rows(sponsor, user):
    """Everything of one sponsor that another account could try to read or change. Clicks
    are left out: anyone who follows an approved listing's public link adds one."""
    return {
        "sponsor": list(Sponsor.objects.filter(pk=sponsor.pk).values()),
        "managers": sorted(sponsor.managers.values_list("pk", flat=True)),
        "listings": list(Listing.objects.filter(sponsor=sponsor).order_by("pk").values()),
        "changes": list(SponsorChange.objects.filter(sponsor=sponsor).order_by("pk").values()),
        "weeks": list(ListingWeek.objects.filter(listing__sponsor=sponsor).order_by("pk").values()),
        "account": list(
            User.objects.filter(pk=user.pk).values("email", "password", "is_active", "is_staff")
        ),
    }


def walk_role(role, user, targets, secrets):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if user:
        client.force_login(user)
    client.get(reverse("accounts:password_reset"))  # a form page: sets the CSRF cookie
    answers = []

    def record(method, target, response):
        error = repr(response.exc_info[1]) if getattr(response, "exc_info", None) else ""
        body = b"" if response.streaming else response.content
        shows = frozenset(
            owner
            for owner, markers in secrets.items()
            if any(marker.encode() in body for marker in markers)
        )
        location = response.get("Location", "")
        answers.append(Answer(role, method, target, response.status_code, location, error, shows))

    for target in targets:
        record(GET, target, client.get(target.path))
    for target in targets:
        record(POST_NO_TOKEN, target, client.post(target.path, post_data(target)))
    for target in targets:
        token = client.cookies[settings.CSRF_COOKIE_NAME].value
        # The token travels in the header, so a POST meant to be empty stays empty (an admin
        # delete page takes any non-empty POST as the confirmation).
        response = client.post(target.path, post_data(target), HTTP_X_CSRFTOKEN=token)
        record(POST, target, response)
        if user and "_auth_user_id" not in client.session:
            client.force_login(user)  # a logout URL was walked
    return answers


# The walk below is a module fixture: the tests that use it must still ask for the test
# database, or pytest-django would set none up when only they are selected (-k), and the walk
# would run against the real database.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """Build the data once, walk it as every role, and keep only the answers (plain data)."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        targets = all_targets(world)
        answers, b_changed = [], {}
        before = sponsor_rows(world["sponsors"]["b"], world["user_b"])
        for role in ROLES:
            for cache in caches.all(initialized_only=False):
                cache.clear()
            with transaction.atomic():
                answers += walk_role(role, world["users"][role], targets, world["secrets"])
                after = sponsor_rows(world["sponsors"]["b"], world["user_b"])
                b_changed[role] = before != after
                transaction.set_rollback(True)
        transaction.set_rollback(True)
    for cache in caches.all(initialized_only=False):
        cache.clear()
    return {"targets": targets, "answers": answers, "b_changed": b_changed}


def where(walk, role=None, method=None, **target_fields):
    return [
        answer
        for answer in walk["answers"]
        if (role is None or answer.role in ([role] if isinstance(role, str) else role))
        and (method is None or answer.method == method)
        and all(getattr(answer.target, key) == value for key, value in target_fields.items())
    ]


def show(answers):
    return [
        f"{a.role} {a.method} {a.target.path} [{a.target.label}] → {a.status} {a.location} "
        f"{a.error}".strip()
        for a in answers
    ]


# --- The rules ----------------------------------------------------------------------------------


def test_every_pattern_of_the_url_conf_is_walked_by_every_role_and_method(walk, capsys, request):
    routes = {route for route, _name in url_patterns()}
    walked = {target.route for target in walk["targets"]}
    for target in walk["targets"]:
        assert resolve(urlsplit(target.path).path).route == target.route, target

    assert walked == routes
    assert len(walk["answers"]) == len(walk["targets"]) * len(ROLES) * 3
    by_status = Counter(answer.status for answer in walk["answers"])
    with capsys.disabled():
        print(
            f"\nURL walk: {len(routes)} patterns → {len(walk['targets'])} URLs × "
            f"{len(ROLES)} roles × 3 methods = {len(walk['answers'])} requests; "
            f"answers {dict(sorted(by_status.items()))}"
        )
        if request.config.get_verbosity() > 0:
            print(summary_table(walk))


def summary_table(walk):
    """One line per URL: the GET and POST (with token) status for each role."""
    cells = defaultdict(dict)
    for answer in walk["answers"]:
        if answer.method != POST_NO_TOKEN:
            cells[(answer.target.path, answer.target.label)][(answer.role, answer.method)] = (
                answer.status
            )
    header = f"{'URL':<64} " + " ".join(f"{role[:9]:>9}" for role in ROLES)
    lines = [header, f"{'':<64} " + " ".join(f"{'GET/POST':>9}" for _ in ROLES)]
    for (path, label), statuses in sorted(cells.items()):
        shown = (path if len(path) <= 50 else path[:47] + "…") + (f" [{label}]" if label else "")
        lines.append(
            f"{shown[:64]:<64} "
            + " ".join(f"{statuses[(r, GET)]:>5}/{statuses[(r, POST)]:<3}" for r in ROLES)
        )
    return "\n".join(lines)


def test_no_request_answers_a_server_error(walk):
    errors = [answer for answer in walk["answers"] if answer.status >= 500]

    assert show(errors) == []


def test_non_staff_never_get_an_admin_page(walk):
    wrong = [
        answer
        for answer in where(walk, role=NON_STAFF)
        if answer.target.is_admin
        and answer.target.name not in ("admin:login", "admin:logout")
        and answer.method != POST_NO_TOKEN
        and not (answer.status == 302 and answer.location.startswith(f"{ADMIN_LOGIN}?next="))
    ]

    assert show(wrong) == []


def test_the_admin_login_and_logout_pages_show_no_admin_data_to_non_staff(walk):
    # The admin sends anyone who may not enter from its logout URL to its index, which sends
    # them on to the admin login.
    for answer in where(walk, role=NON_STAFF, name="admin:logout"):
        if answer.method != POST_NO_TOKEN:
            assert (answer.status, answer.location) == (302, reverse("admin:index")), answer
    for answer in where(walk, role="sponsor_a", name="admin:login", method=GET):
        assert answer.status == 200  # the login form, saying this account may not enter


def closed_to_authors(target):
    """Whether the URL is the admin of a model (or app) authors have no business in."""
    if target.name == "admin:app_list":
        apps = {app for app, _model in AUTHOR_MODELS}
        return target.path.strip("/").split("/")[-1] not in apps
    model = re.match(r"admin/(\w+)/(\w+)/", target.route)
    return bool(model) and model.groups() in REGISTERED and model.groups() not in AUTHOR_MODELS


def test_authors_are_refused_the_admin_of_models_they_do_not_write(walk):
    """403 (or the admin's 404 for an app they have nothing in); a redirect only to a page
    that refuses them too."""
    gets = {a.target.path: a for a in where(walk, role="author", method=GET)}
    closed = [
        answer
        for answer in where(walk, role="author")
        if answer.method != POST_NO_TOKEN and closed_to_authors(answer.target)
    ]
    wrong = []
    for answer in closed:
        status = answer.status
        if status == 302 and answer.location in gets:
            status = gets[answer.location].status
        if status not in (403, 404):
            wrong.append(answer)

    assert len(closed) > 100
    assert show(wrong) == []


def test_authors_open_only_their_own_posts_in_the_admin(walk):
    others = [
        answer
        for answer in where(walk, role="author", label="writer-post")
        if answer.target.route.startswith("admin/digest/post/") and 200 <= answer.status < 300
    ]
    own = where(walk, role="author", method=GET, name="admin:digest_post_change")

    assert show(others) == []
    assert {(a.target.label, a.status) for a in own} == {("own-draft", 200), ("writer-post", 302)}


def test_only_superusers_may_list_accounts_through_the_autocomplete(walk):
    for role, status in (("author", 403), ("superuser", 200)):
        (answer,) = where(walk, role=role, method=GET, name="admin:autocomplete")
        assert answer.status == status, answer


@pytest.mark.parametrize(("role", "other"), [("sponsor_a", "b"), ("sponsor_b", "a")])
def test_a_sponsor_gets_404_for_every_url_with_another_sponsors_ids(walk, role, other):
    answers = [
        answer
        for answer in where(walk, role=role, carries=other)
        if not answer.target.is_admin
        and answer.target.name not in PUBLIC_WITH_IDS
        and answer.method != POST_NO_TOKEN
    ]
    # A GET of a POST-only view is refused before any lookup, for its owner just the same.
    wrong = [
        answer
        for answer in answers
        if answer.status != 404
        and not (
            answer.method == GET
            and answer.target.name == "sponsors:listing-withdraw"
            and answer.status == 405
        )
    ]

    assert len(answers) == 2 * (1 + 4 * 2)  # GET and POST of the company page, 4 × 2 listings
    assert show(wrong) == []


def test_a_sponsor_reaches_its_own_pages(walk):
    """The control for the rule above: the same URLs work for their owner."""
    statuses = {
        (answer.target.name, answer.target.label): answer.status
        for answer in where(walk, role="sponsor_a", method=GET, carries="a")
        if not answer.target.is_admin
    }

    assert statuses == {
        ("sponsors:company", "A"): 200,
        ("sponsors:listing-detail", "A-pending"): 200,
        ("sponsors:listing-detail", "A-approved"): 200,
        ("sponsors:listing-edit", "A-pending"): 200,
        ("sponsors:listing-edit", "A-approved"): 302,  # approved listings are locked
        ("sponsors:listing-withdraw", "A-pending"): 405,
        ("sponsors:listing-withdraw", "A-approved"): 405,
        ("sponsors:listing-csv", "A-pending"): 200,
        ("sponsors:listing-csv", "A-approved"): 200,
        ("sponsors:go", "A-pending"): 404,  # not approved: no redirect for anyone
        ("sponsors:go", "A-approved"): 302,
    }


def test_a_sponsors_valid_post_to_its_own_forms_is_accepted(walk):
    """And the POST the other sponsor sent was a complete form, stopped only by ownership."""
    company = where(walk, role="sponsor_a", method=POST, name="sponsors:company", label="A")
    edit = where(walk, role="sponsor_a", method=POST, name="sponsors:listing-edit", carries="a")

    assert [answer.status for answer in company] == [302]
    assert {a.target.label: a.status for a in edit} == {"A-pending": 302, "A-approved": 302}


@pytest.mark.parametrize(
    ("owner", "outsiders"),
    [("b", OUTSIDERS), ("a", ("anonymous", "sponsor_b", "author"))],
)
def test_no_page_shows_a_sponsors_private_data_to_anyone_else(walk, owner, outsiders):
    shown = [answer for answer in where(walk, role=outsiders) if owner in answer.shows]
    own = [answer for answer in where(walk, role=f"sponsor_{owner}") if owner in answer.shows]

    assert show(shown) == []
    assert len(own) >= 4  # the control: the dashboard, the listing, its edit form, the profile


@pytest.mark.parametrize("role", OUTSIDERS)
def test_sponsor_bs_rows_are_unchanged_after_the_walk(walk, role):
    assert walk["b_changed"][role] is False


def test_sponsor_b_may_change_its_own_rows(walk):
    """The control: B's own POSTs (a complete company form, a withdrawal) do change them."""
    assert walk["b_changed"]["sponsor_b"] is True


def test_every_post_without_a_csrf_token_is_refused(walk):
    accepted = [
        answer
        for answer in where(walk, method=POST_NO_TOKEN)
        if answer.status != 403 and answer.target.name not in CSRF_EXEMPT
    ]

    assert show(accepted) == []


def test_drafts_are_hidden_from_everyone_who_may_not_edit_them(walk):
    statuses = {
        answer.role: answer.status
        for answer in where(walk, method=GET, name="digest:post-detail", label="draft")
    }

    assert statuses == {
        "anonymous": 404,
        "sponsor_a": 404,
        "sponsor_b": 404,
        "author": 200,  # their own draft, marked as a preview
        "editor": 200,
        "superuser": 200,
    }


def test_public_pages_answer_every_role(walk):
    public = [
        "digest:post-index",
        "digest:post-detail",
        "digest:tag-detail",
        "digest:tag-feed",
        "digest:archive",
        "digest:archive-year",
        "digest:archive-month",
        "digest:author-detail",
        "digest:search",
        "digest:quote-list",
        "digest:quote-speaker",
        "digest:secret-preview",
        "digest:feed-rss",
        "digest:feed-atom",
        "digest:sitemap",
        "digest:sitemap-section",
        "digest:robots",
        "digest:healthz",
        "sponsors:about",
        "sponsors:signup-sent",
    ]
    wrong = [
        answer
        for name in public
        for answer in where(walk, method=GET, name=name)
        if answer.status != 200 and answer.target.label != "draft"
    ]

    assert show(wrong) == []


def test_editors_reach_the_admin_of_every_model_they_manage(walk):
    changelists = [
        "admin:index",
        "admin:digest_post_changelist",
        "admin:taggit_tag_changelist",
        "admin:sponsors_sponsor_changelist",
        "admin:sponsors_listing_changelist",
        "admin:sponsors_sponsorchange_changelist",
        "admin:sponsors_listing_compile",
        "admin:sponsors_weeklypost_changelist",
        "admin:digest_sitesettings_change",
    ]
    statuses = {
        answer.target.name: answer.status
        for name in changelists
        for answer in where(walk, role="editor", method=GET, name=name)
    }

    assert statuses == dict.fromkeys(changelists, 200)


def test_editors_may_not_manage_accounts_or_groups(walk):
    """Accounts and groups (who is staff, who is an editor) are the superuser's alone."""
    for name in ("admin:accounts_user_changelist", "admin:auth_group_changelist"):
        (editor,) = where(walk, role="editor", method=GET, name=name)
        (superuser,) = where(walk, role="superuser", method=GET, name=name)
        assert (editor.status, superuser.status) == (403, 200)


# --- Found while walking ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AUTHORS, Role.EDITORS])
def test_nobody_merges_tags_through_the_unguarded_taggit_view(client, role):
    # taggit's own "merge tags" view checks no permission (an author could re-tag everyone's
    # posts) and fails on an empty selection; the site's tag admin leaves it out.
    others = PostFactory(author=staff(Role.AUTHORS), tags=["databases"])
    Tag.objects.get_or_create(name="caching", slug="caching")
    ids = list(Tag.objects.filter(name__in=["databases", "caching"]).values_list("pk", flat=True))
    client.force_login(staff(role))
    changelist = reverse("admin:taggit_tag_changelist")

    offered = client.get(changelist).content.decode()
    client.post(changelist, {"action": "render_tag_form", "_selected_action": ids, "index": "0"})
    merge = client.post(changelist + "merge-tags/", {"new_tag_name": "merged"})

    assert "render_tag_form" not in offered
    assert merge.status_code in (302, 403, 404)
    assert sorted(others.tags.names()) == ["databases"]
    assert not Tag.objects.filter(name="merged").exists()


@pytest.mark.django_db
def test_editors_choose_a_posts_author_among_writers_not_sponsors(client):
    writer = staff(Role.AUTHORS)
    guest = PostFactory().author  # a guest author: not staff, but has written here
    sponsor = SponsorUserFactory()
    client.force_login(staff(Role.EDITORS))

    page = client.get(reverse("admin:digest_post_add")).content.decode()

    choices = re.search(r'<select name="author".*?</select>', page, re.S).group(0)
    assert f'value="{writer.pk}"' in choices
    assert f'value="{guest.pk}"' in choices
    assert f'value="{sponsor.pk}"' not in choices
