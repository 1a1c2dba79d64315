"""Sponsor self-service, the public sponsors page and the click redirect.

Every view that shows or changes a sponsor's data looks it up through `managed_by(user)`, so
an id that is not the sponsor's own answers 404 exactly like one that does not exist.
"""

import csv
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from accounts.forms import SignUpForm
from accounts.models import Role
from accounts.verification import send_already_registered_email, send_verification_email
from hardening.middleware import accepts_upload

from .charts import bar_chart
from .clicks import count_click, daily_clicks, report_period
from .forms import CompanyChangeForm, CompanyForm, ListingForm, SignUpCompanyForm
from .models import (
    LOGO_MAX_BYTES,
    ChangedSinceSeen,
    IllegalTransition,
    Listing,
    ListingWeek,
    Sponsor,
)
from .showcase import current_sponsors


def form_data(request):
    # A POST always binds the form, even an empty one, so it shows what is missing.
    return request.POST if request.method == "POST" else None


def files_data(request):
    return request.FILES if request.method == "POST" else None


log = logging.getLogger(__name__)

WEEKS = Prefetch("weeks", queryset=ListingWeek.objects.order_by("week"))


@require_safe
def about(request):
    return render(
        request,
        "sponsors/about.html",
        {"sections": Listing.Section.choices, "sponsors": current_sponsors()},
    )


@never_cache
@ratelimit(key="ip", rate="10/h", method="POST", group="sponsors:signup")
def signup(request):
    """A company and its first manager. The answer is the same page whether or not the
    address has an account already (which only its owner hears of, by e-mail), so the form
    tells nobody which addresses are registered; the account logs in once it has confirmed
    its address (or at once, with its password)."""
    if request.user.is_authenticated:
        return redirect("sponsors:dashboard")
    account_form = SignUpForm(form_data(request), prefix="account")
    company_form = SignUpCompanyForm(form_data(request), prefix="company")
    if request.method == "POST" and account_form.is_valid() and company_form.is_valid():
        existing = account_form.existing_account
        if existing is None:
            try:
                with transaction.atomic():
                    user = account_form.save()
                    user.groups.add(Group.objects.get(name=Role.SPONSORS))
                    company_form.save().managers.add(user)
            except IntegrityError:  # the same address signed up a moment ago
                existing = None
            else:
                send_safely(send_verification_email, user, next_url=reverse("sponsors:dashboard"))
        else:
            make_password(account_form.cleaned_data["password1"])  # the same work either way
            what = f"a sponsor account for {company_form.cleaned_data['name']}"
            send_safely(send_already_registered_email, existing, what)
        return redirect("sponsors:signup-sent")
    return render(
        request,
        "sponsors/signup.html",
        {"account_form": account_form, "company_form": company_form},
    )


def send_safely(send, *args, **kwargs):
    """Send a sign-up mail; a mail server that fails is logged (the account can ask for the
    confirmation again from its dashboard) and changes nothing the visitor sees."""
    try:
        send(*args, **kwargs)
    except OSError:  # smtplib's errors too
        log.exception("sign-up mail failed")


@never_cache
@require_safe
def signup_sent(request):
    return render(request, "sponsors/signup_sent.html")


@never_cache
@login_required
def dashboard(request):
    sponsors = list(Sponsor.objects.managed_by(request.user))
    if not sponsors:
        return render(request, "sponsors/not_a_sponsor.html", status=403)
    for sponsor in sponsors:  # an account acts for one company, rarely a few
        # The latest change sent for review, if any: waiting, or its decision with the note.
        sponsor.latest_change = sponsor.changes.order_by("-created").first()
    listings = (
        Listing.objects.managed_by(request.user)
        .select_related("sponsor")
        .prefetch_related(WEEKS)
        .with_click_counts()
        .order_by("-created")
    )
    return render(
        request,
        "sponsors/dashboard.html",
        {"sponsors": sponsors, "listings": listings, "can_submit": request.user.email_verified},
    )


@accepts_upload(LOGO_MAX_BYTES)
@never_cache
@login_required
def edit_company(request, pk):
    """The company's details: saved at once while no approved listing shows them to readers,
    otherwise sent to the editors as a change that waits for review (SponsorChange)."""
    sponsor = get_object_or_404(Sponsor.objects.managed_by(request.user), pk=pk)
    reviewed = sponsor.needs_review()
    if reviewed:
        form = CompanyChangeForm(
            form_data(request), files_data(request), instance=sponsor.draft_change()
        )
    else:
        form = CompanyForm(form_data(request), files_data(request), instance=sponsor)
    if request.method == "POST" and form.is_valid():
        if not reviewed:
            form.save()  # a replaced logo is deleted when the request ends (safe_images.pending)
            messages.success(request, "Your company details were saved.")
            return redirect("sponsors:dashboard")
        try:
            sent = form.save(commit=False).submit(by=request.user)
        except (IllegalTransition, ChangedSinceSeen) as refused:
            messages.error(request, str(refused))
            return redirect("sponsors:dashboard")
        messages.success(
            request,
            "Thank you: your changes wait for an editor's review. Until they are approved, "
            "readers see the details they see now."
            if sent
            else "Nothing differs from the details readers see, so there is nothing to review.",
        )
        return redirect("sponsors:dashboard")
    return render(
        request,
        "sponsors/company_form.html",
        {"form": form, "sponsor": sponsor, "reviewed": reviewed},
    )


def verified_or_notice(request):
    """None when the account may submit; otherwise the page that says why not."""
    if request.user.email_verified:
        return None
    return render(request, "sponsors/verify_first.html", status=403)


@never_cache
@login_required
@ratelimit(key="user", rate="20/h", method="POST", group="sponsors:submit")
@ratelimit(key="ip", rate="30/h", method="POST", group="sponsors:submit-ip")
def submit(request):
    sponsors = list(Sponsor.objects.managed_by(request.user))
    if not sponsors:
        return render(request, "sponsors/not_a_sponsor.html", status=403)
    notice = verified_or_notice(request)
    if notice:
        return notice
    sponsor = sponsors[0]
    if len(sponsors) > 1:
        chosen = request.POST.get("sponsor") or request.GET.get("sponsor")
        sponsor = next((s for s in sponsors if str(s.pk) == chosen), sponsor)
    form = ListingForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            listing = form.save(commit=False)
            listing.sponsor = sponsor
            listing.submit(by=request.user)
            form.save_weeks(listing)
        messages.success(
            request,
            "Thank you! Your listing is waiting for review; we will e-mail you the decision.",
        )
        return redirect("sponsors:listing-detail", pk=listing.pk)
    return render(
        request,
        "sponsors/listing_form.html",
        {"form": form, "sponsor": sponsor, "sponsors": sponsors, "listing": None},
    )


def own_listing(request, pk):
    queryset = Listing.objects.managed_by(request.user).select_related("sponsor")
    return get_object_or_404(queryset.prefetch_related(WEEKS), pk=pk)


@never_cache
@login_required
def listing_detail(request, pk):
    listing = own_listing(request, pk)
    weeks = listing.week_list()
    period = report_period(listing, weeks)
    series = daily_clicks(listing, *period) if period else []
    return render(
        request,
        "sponsors/listing_detail.html",
        {
            "listing": listing,
            "weeks": weeks,
            "chart": bar_chart(series),
            "total_clicks": listing.clicks.count(),
        },
    )


@never_cache
@login_required
@ratelimit(key="user", rate="20/h", method="POST", group="sponsors:submit")
def edit_listing(request, pk):
    listing = own_listing(request, pk)
    if not listing.is_editable:
        messages.error(request, listing.refusal("submit"))
        return redirect("sponsors:listing-detail", pk=listing.pk)
    notice = verified_or_notice(request)
    if notice:
        return notice
    form = ListingForm(form_data(request), instance=listing)
    if request.method == "POST" and form.is_valid():
        resubmitted = listing.status == Listing.Status.REJECTED
        try:
            with transaction.atomic():
                listing = form.save(commit=False)
                if resubmitted:
                    listing.resubmit(by=request.user)
                else:
                    listing.submit(by=request.user)
                form.save_weeks(listing)
        except ChangedSinceSeen:
            messages.error(
                request,
                "An editor decided on this listing while you were changing it, so your "
                "changes were not saved. Here it is as it stands now.",
            )
            return redirect("sponsors:listing-detail", pk=listing.pk)
        except IllegalTransition as refused:
            messages.error(request, str(refused))
            return redirect("sponsors:listing-detail", pk=listing.pk)
        messages.success(
            request,
            "Your listing was sent for review again."
            if resubmitted
            else "Your changes were saved; the listing is still waiting for review.",
        )
        return redirect("sponsors:listing-detail", pk=listing.pk)
    return render(
        request,
        "sponsors/listing_form.html",
        {"form": form, "sponsor": listing.sponsor, "listing": listing},
    )


@require_POST
@login_required
def withdraw_listing(request, pk):
    listing = own_listing(request, pk)
    try:
        listing.withdraw(by=request.user)
    except ChangedSinceSeen:
        # An editor decided meanwhile: say why it cannot be withdrawn as it stands now.
        listing.refresh_from_db()
        messages.error(request, listing.refusal("withdraw") or listing.stale_message)
    except IllegalTransition as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "The listing was withdrawn; it will not run.")
    return redirect("sponsors:listing-detail", pk=listing.pk)


@never_cache
@login_required
def listing_clicks_csv(request, pk):
    listing = own_listing(request, pk)
    period = report_period(listing, listing.week_list())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="listing-{listing.pk}-clicks.csv"'
    writer = csv.writer(response)
    writer.writerow(["date", "clicks"])
    for day, clicks in daily_clicks(listing, *period) if period else []:
        writer.writerow([day.isoformat(), clicks])
    return response


@never_cache
@require_safe
def go(request, pk):
    """Count the click, then send the reader to the listing's own stored link (nothing else)."""
    listing = get_object_or_404(Listing.objects.approved().exclude(link_url=""), pk=pk)
    count_click(request, listing)
    response = HttpResponseRedirect(listing.link_url)
    response["Referrer-Policy"] = "origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
