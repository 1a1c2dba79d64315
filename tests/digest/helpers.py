"""Helpers shared by the digest tests and the tests that drive the digest admin: the admin's
post form filled in as a browser fills it, and a page read as a reader reads it."""

from html.parser import HTMLParser

from django.urls import reverse

# --- The admin's post form ------------------------------------------------------------------


class AdminForm(HTMLParser):
    """The values a browser would submit from the admin's <form id="post_form">."""

    SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = {}
        self._in_form = False
        self._textarea = None
        self._select = None
        self._chosen = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "post_form":
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name") or ""
        if "__prefix__" in name:  # the empty form inlines clone with JavaScript
            name = ""
        if tag == "input" and name and attrs.get("type", "text") not in self.SKIPPED_INPUTS:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value") or "on"
            else:
                self.fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = (name, [])
        elif tag == "select" and name:
            # Like a browser: the selected option, else the first one.
            self._select, self._chosen = name, False
        elif tag == "option" and self._select and ("selected" in attrs or not self._chosen):
            self.fields[self._select] = attrs.get("value") or ""
            self._chosen = "selected" in attrs

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "textarea" and self._textarea:
            name, chunks = self._textarea
            # Browsers drop the newline Django puts right after <textarea>.
            self.fields[name] = "".join(chunks).removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1].append(data)


def form_fields(response):
    assert response.status_code == 200
    form = AdminForm()
    form.feed(response.content.decode())
    assert form.fields, "no post_form on the page"
    return form.fields


def submit(client, url, **changes):
    """Open the admin page at `url` and save its form with these changes."""
    fields = form_fields(client.get(url))
    return client.post(url, {**fields, **changes})


def new_digest_url():
    return reverse("admin:digest_post_add") + "?kind=digest"


def change_url(post):
    return reverse("admin:digest_post_change", args=[post.pk])


def change_form_data(post, **changes):
    data = {
        "title": post.title,
        "slug": post.slug,
        "kind": post.kind,
        "status": post.status,
        "publish_at_0": post.publish_at.strftime("%Y-%m-%d"),
        "publish_at_1": post.publish_at.strftime("%H:%M:%S"),
        "author": post.author_id,
        "tags": "",
        "excerpt": post.excerpt,
        "body": post.body,
        "byline": post.byline,
        "lead_image_caption": "",
        "loaded_version": post.version,
    }
    return {**data, **changes}


# --- A page as a reader sees it -----------------------------------------------------------------


class ReaderView(HTMLParser):
    """The text, links (href, text), element ids and tags of a page or of its <main>."""

    def __init__(self, main_only):
        super().__init__(convert_charrefs=True)
        self.main_only = main_only
        self.depth = 0 if main_only else 1
        self.chunks, self.links, self.ids, self.tags = [], [], [], []
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if self.main_only and tag == "main":
            self.depth += 1
        if self.depth <= 0:
            return
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a":
            self._link = (attrs.get("href") or "", [])

    def handle_endtag(self, tag):
        if self.main_only and tag == "main":
            self.depth -= 1
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join("".join(self._link[1]).split())))
            self._link = None

    def handle_data(self, data):
        if self.depth > 0:
            self.chunks.append(data)
            if self._link is not None:
                self._link[1].append(data)

    @property
    def text(self):
        return " ".join("".join(self.chunks).split())


def read(html, main_only=True):
    """What a reader sees of `html`: by default only the page's <main>, not the sidebar."""
    page = ReaderView(main_only)
    page.feed(html if isinstance(html, str) else html.decode())
    page.close()
    return page


def assert_in_order(text, landmarks):
    """Every landmark is in `text`, each one after the one before it."""
    position = 0
    for landmark in landmarks:
        found = text.find(landmark, position)
        if found < 0:
            where = "out of order" if landmark in text else "missing"
            raise AssertionError(f"{where}: {landmark!r}")
        position = found + len(landmark)
