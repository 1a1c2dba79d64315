"""The inbox's background job (django-tasks; run by `manage.py run_worker`): fetch what a kept
link's page says about itself, under the SSRF guard of inbox.fetching."""

import logging

from django_tasks import task

from digest.covered import covering_post
from digest.link_normal import normalize_url

from . import fetching
from .metadata import extract
from .models import Entry

logger = logging.getLogger(__name__)


@task()
def fetch_metadata(entry_id):
    """Fill in the entry's fetched title, description, site name and author, or say why not.
    A redirect to another page also re-checks "already covered" for the page it landed on."""
    entry = Entry.objects.filter(pk=entry_id).first()
    if entry is None:
        return
    try:
        page = fetching.fetch(entry.url)
    except fetching.Refused as refusal:
        entry.fetch_state, entry.fetch_note = Entry.Fetch.REFUSED, str(refusal)[:300]
    except fetching.FetchFailed as failure:
        entry.fetch_state, entry.fetch_note = Entry.Fetch.FAILED, str(failure)[:300]
    else:
        found = extract(page.body, page.content_type)
        entry.fetched_title = found.title
        entry.description = found.description
        entry.site_name = found.site_name
        entry.author_name = found.author
        entry.fetch_state, entry.fetch_note = Entry.Fetch.DONE, ""
        landed = normalize_url(page.url)
        if landed and landed != entry.normalized_url and entry.covered_by_id is None:
            entry.covered_by = covering_post(landed)
    entry.save(
        update_fields=[
            "fetched_title",
            "description",
            "site_name",
            "author_name",
            "fetch_state",
            "fetch_note",
            "covered_by",
        ]
    )
