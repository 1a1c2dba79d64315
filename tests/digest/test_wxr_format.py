"""`read_wxr`: WordPress eXtended RSS (and Squarespace's export of it) read into plain values.

Fixture: `fixtures/squarespace.wxr`, written by hand in the shape of a Squarespace export of the
original site (WXR 1.2): two channel authors, a weekly digest with an intro picture, a video, the
support paragraph, a stats line with linked figures and quotes of every awkward shape, three
comments (a reply and a spam one among them), a long article with a <pre> block whose CDATA is
split, its image attachment (the file is in `fixtures/wxr-media/`), a guest post stored as plain
text, a sponsored post, a post whose GMT date is WordPress's zero date and whose title carries
`&amp;#8217;`, a draft, a scheduled digest, a page and a second attachment. Small exports for single
failure cases are written inline. No database is needed.
"""

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.importers.wxr_format import WxrError, autop, read_wxr

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE = FIXTURES / "squarespace.wxr"
NEW_YORK = ZoneInfo("America/New_York")

CHANNEL_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/{v}/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/{v}/">
<channel>
<title>Small export</title>
<link>https://example.com</link>
<wp:wxr_version>{v}</wp:wxr_version>
<wp:base_site_url>https://example.com</wp:base_site_url>
"""


def wxr(*items, version="1.2"):
    """A small export around the given <item> bodies."""
    body = "".join(f"<item>{item}</item>\n" for item in items)
    return CHANNEL_HEAD.format(v=version) + body + "</channel>\n</rss>\n"


def post(title="A post", post_id="1", date_gmt="2016-03-11 12:56:00", extra=""):
    return (
        f"<title>{title}</title>\n<link>/blog/2016/3/11/a-post</link>\n"
        f"<dc:creator>editor</dc:creator>\n"
        f"<content:encoded><![CDATA[<p>Body.</p>]]></content:encoded>\n"
        f"<wp:post_id>{post_id}</wp:post_id>\n<wp:post_date_gmt>{date_gmt}</wp:post_date_gmt>\n"
        f"<wp:status>publish</wp:status>\n<wp:post_type>post</wp:post_type>\n{extra}"
    )


def line_of(text, needle, occurrence=1):
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


@pytest.fixture(scope="module")
def document():
    return read_wxr(FIXTURE.read_bytes(), time_zone="America/New_York")


@pytest.fixture(scope="module")
def items(document):
    return {item.post_id: item for item in document.items}


# Failure cases first: files that are not WordPress exports at all.


def test_not_xml_names_the_line():
    with pytest.raises(WxrError, match=r"not well-formed XML: mismatched tag: line 3, column 2"):
        read_wxr("<rss>\n<channel>\n</rss>")


def test_empty_input_is_refused():
    with pytest.raises(WxrError, match="not well-formed XML: no element found"):
        read_wxr(b"")


def test_entity_bomb_is_refused_with_its_line():
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
        "<rss><channel><title>&lol2;</title></channel></rss>"
    )
    with pytest.raises(
        WxrError, match=r"declares the XML entity “lol” on line 3, which is refused"
    ):
        read_wxr(bomb)


def test_external_entity_is_refused():
    external = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        b"<rss><channel><title>&secret;</title></channel></rss>"
    )
    with pytest.raises(WxrError, match="declares the XML entity “secret” on line 2"):
        read_wxr(external)


def test_plain_rss_is_not_a_wordpress_export():
    rss = (
        '<rss version="2.0"><channel><title>Feed</title>'
        "<item><title>A post</title><link>https://example.com/a</link></item></channel></rss>"
    )
    with pytest.raises(WxrError, match="is an RSS feed, not a WordPress export"):
        read_wxr(rss)


def test_atom_is_not_a_wordpress_export():
    atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>Feed</title></feed>'
    with pytest.raises(WxrError, match="its root element is <feed>"):
        read_wxr(atom)


def test_an_unknown_time_zone_is_an_error():
    with pytest.raises(ValueError, match="unknown time zone “Mars/Olympus”"):
        read_wxr(wxr(post()), time_zone="Mars/Olympus")


# Problems are reported with their place, and the item is still returned.


def test_title_less_item_and_impossible_date_are_kept_and_reported():
    text = wxr(
        post(title="Fine", post_id="1"),
        post(title="", post_id="2"),
        post(
            title="Leap day that is not",
            post_id="3",
            date_gmt="2016-02-30 10:00:00",
            extra="<wp:post_date>2016-02-29 05:00:00</wp:post_date>\n",
        ),
    )
    document = read_wxr(text, time_zone=NEW_YORK)

    assert [item.number for item in document.items] == [1, 2, 3]
    untitled, leap = document.items[1], document.items[2]
    assert untitled.title == "" and untitled.content == "<p>Body.</p>"
    assert leap.published == datetime(2016, 2, 29, 10, 0, tzinfo=UTC)
    second, third = line_of(text, "<item>", 2), line_of(text, "<item>", 3)
    assert document.problems == [
        (f"item 2 (line {second})", "has no title"),
        (
            f"item 3 (line {third}, “Leap day that is not”)",
            "has an impossible wp:post_date_gmt “2016-02-30 10:00:00”",
        ),
        (
            f"item 3 (line {third}, “Leap day that is not”)",
            "has no usable wp:post_date_gmt; its date is wp:post_date read in America/New_York",
        ),
    ]
    assert leap.problems == [what for _, what in document.problems[1:]]


def test_a_published_post_without_any_date_is_reported():
    document = read_wxr(wxr(post(title="Undated", date_gmt="")))

    assert document.items[0].published is None
    assert document.problems[-1][1] == "has no publish date"


def test_unknown_post_type_status_and_duplicate_id_are_reported():
    odd = post(title="Odd", post_id="7").replace(
        "<wp:post_type>post</wp:post_type>", "<wp:post_type>podcast_episode</wp:post_type>"
    )
    odd = odd.replace("<wp:status>publish</wp:status>", "<wp:status>archived</wp:status>")
    document = read_wxr(wxr(post(post_id="7"), odd))

    item = document.items[1]
    assert (item.post_type, item.status) == ("podcast_episode", "archived")
    assert item.problems == [
        "has an unknown post type “podcast_episode”",
        "has an unknown status “archived”",
        "has the wp:post_id 7 of item 1 too",
    ]


def test_comment_problems_are_reported_and_the_comments_kept():
    comments = """
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Ann</wp:comment_author>
<wp:comment_date>2016-03-11 09:00:00</wp:comment_date>
<wp:comment_content><![CDATA[   ]]></wp:comment_content>
<wp:comment_approved>maybe</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>
</wp:comment>
<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author>Bob</wp:comment_author>
<wp:comment_date_gmt>2016-03-11 10:00:00</wp:comment_date_gmt>
<wp:comment_content>Agreed.</wp:comment_content><wp:comment_type>webmention</wp:comment_type>
<wp:comment_approved>0</wp:comment_approved><wp:comment_parent>99</wp:comment_parent>
</wp:comment>
"""
    document = read_wxr(wxr(post(extra=comments)), time_zone=NEW_YORK)

    first, second = document.items[0].comments
    assert first.content == "   " and first.approved == "maybe"
    assert first.date == datetime(2016, 3, 11, 14, 0, tzinfo=UTC)
    assert (second.parent_id, second.type, second.approved) == ("99", "webmention", "0")
    assert [what for _, what in document.problems] == [
        "comment 1 has no usable wp:comment_date_gmt; its date is wp:comment_date read in "
        "America/New_York",
        "comment 1 has no content",
        "comment 1 has an unknown approval “maybe”",
        "comment 2 has an unknown comment type “webmention”",
        "comment 2 answers comment 99, which is not in this item",
    ]


def test_bare_ampersands_and_html_entities_squarespace_writes_are_read_as_text():
    text = wxr(post(title="Draft & Post &amp; More&mdash;More"))
    document = read_wxr(text)

    assert document.items[0].title == "Draft & Post & More—More"
    line = line_of(text, "&mdash;")
    assert document.problems == [
        (
            "the file",
            f"has a bare “&” or an HTML entity outside CDATA on line {line}; "
            "read as the text it stands for",
        )
    ]


# What is read, field by field.


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_export_version_is_read(version):
    item = post(extra="<excerpt:encoded><![CDATA[Short.]]></excerpt:encoded>")
    document = read_wxr(wxr(item, version=version))

    assert document.wxr_version == version
    read = document.items[0]
    assert (read.post_id, read.excerpt, read.post_type) == ("1", "Short.", "post")
    assert document.problems == []


def test_wxr_1_0_repeats_categories_without_a_domain():
    categories = (
        "<category><![CDATA[Databases]]></category>\n"
        '<category domain="category" nicename="databases"><![CDATA[Databases]]></category>\n'
        '<category domain="tag"><![CDATA[mysql]]></category>\n'
        '<category domain="tag" nicename="mysql"><![CDATA[mysql]]></category>\n'
    )
    item = read_wxr(wxr(post(extra=categories), version="1.0")).items[0]

    assert (item.categories, item.tags) == (["Databases"], ["mysql"])


def test_cdata_split_around_its_end_marker_is_joined():
    item = post(extra="<excerpt:encoded><![CDATA[a[b[0]]]]><![CDATA[>c]]></excerpt:encoded>")

    assert read_wxr(wxr(item)).items[0].excerpt == "a[b[0]]>c"


def test_text_and_bytes_read_alike():
    text = wxr(post(title="Café"))

    assert read_wxr(text).items[0].title == read_wxr(text.encode()).items[0].title == "Café"


def test_channel(document):
    assert (document.title, document.link, document.wxr_version) == (
        "High Scalability",
        "https://highscalability.com",
        "1.2",
    )
    assert document.base_site_url == "https://highscalability.com"
    assert document.base_blog_url == "https://highscalability.com/blog"
    assert document.authors == {"toddhoff": "Todd Hoff", "janedoe": "Jane Doe"}


def test_items_by_type_and_status(document):
    assert len(document.items) == 10
    assert Counter(item.post_type for item in document.items) == {
        "post": 7,
        "page": 1,
        "attachment": 2,
    }
    assert Counter(item.status for item in document.items) == {
        "publish": 6,
        "inherit": 2,
        "draft": 1,
        "future": 1,
    }


def test_items_are_numbered_and_have_their_lines(document):
    lines = FIXTURE.read_text().splitlines()
    item_lines = [n for n, line in enumerate(lines, start=1) if line.strip() == "<item>"]

    assert [item.number for item in document.items] == list(range(1, 11))
    assert [item.line for item in document.items] == item_lines


def test_the_fixture_reports_its_two_problems(document):
    assert document.problems == [
        (
            "item 6 (line 271, “Google’s Borg at 10: What Running Everything in C…”)",
            "has no usable wp:post_date_gmt; its date is wp:post_date read in America/New_York",
        ),
        (
            "item 9 (line 331, “All Time Favorites”)",
            "has the author “hsadmin”, who is not among the channel's wp:author entries",
        ),
    ]


def test_dates_are_utc(document, items):
    assert all(item.published.tzinfo is UTC for item in document.items)
    assert items["4101"].published == datetime(2016, 3, 11, 12, 56, tzinfo=UTC)
    assert items["4112"].published == datetime(2016, 3, 18, 12, 56, tzinfo=UTC)
    # Zero GMT date: the local date in the site's zone, EST before 13 March 2016, EDT after.
    assert items["4080"].published == datetime(2016, 3, 4, 13, 15, tzinfo=UTC)
    assert items["4110"].published == datetime(2016, 3, 14, 13, 0, tzinfo=UTC)


def test_local_dates_are_read_as_utc_when_no_time_zone_is_given():
    document = read_wxr(FIXTURE.read_bytes())
    borg = next(item for item in document.items if item.post_id == "4080")

    assert borg.published == datetime(2016, 3, 4, 8, 15, tzinfo=UTC)
    assert borg.problems == ["has no usable wp:post_date_gmt; its date is wp:post_date read in UTC"]


def test_pub_date_is_the_last_resort_and_wordpress_zero_pub_date_is_none():
    dated = post(
        date_gmt="0000-00-00 00:00:00", extra="<pubDate>Fri, 11 Mar 2016 12:56:00 +0000</pubDate>"
    )
    undated = dated.replace("Fri, 11 Mar 2016 12:56:00", "Mon, 30 Nov -0001 00:00:00")
    undated = undated.replace("publish", "draft").replace("<wp:post_id>1<", "<wp:post_id>2<")
    document = read_wxr(wxr(dated, undated))

    assert document.items[0].published == datetime(2016, 3, 11, 12, 56, tzinfo=UTC)
    assert document.items[0].problems == ["has no usable wp:post_date_gmt; its date is pubDate"]
    assert document.items[1].published is None and document.items[1].problems == []


def test_titles_are_decoded_and_collapsed(items):
    assert items["4080"].title == (
        "Google\u2019s Borg at 10: What Running Everything in Containers Taught Them"
    )
    assert items["4088"].title == "Sponsored Post: Varnish, InMemory.Net"


def test_authors_get_their_display_names(items):
    assert (items["4101"].author_login, items["4101"].author_name) == ("toddhoff", "Todd Hoff")
    assert (items["4090"].author_login, items["4090"].author_name) == ("janedoe", "Jane Doe")
    assert items["4001"].author_name == "hsadmin"


def test_categories_tags_and_other_terms(items):
    digest = items["4101"]
    assert digest.categories == ["Stuff The Internet Says On Scalability"]
    assert digest.tags == ["Hot Links", "cloud computing"]
    assert items["4088"].categories == [] and items["4088"].tags == ["Sponsored Post"]
    assert items["4080"].terms == {"post_format": ["Aside"]}


def test_comments_with_parents_and_approval(items):
    comments = {comment.id: comment for comment in items["4101"].comments}

    assert list(comments) == ["9001", "9002", "9003"]
    first, reply, spam = comments.values()
    assert (first.author, first.email, first.url) == (
        "Sam Reader",
        "sam@example.net",
        "https://sam.example.net/",
    )
    assert first.date == datetime(2016, 3, 11, 15, 2, 11, tzinfo=UTC)
    assert first.content.startswith("Great list as always.")
    assert (first.parent_id, first.approved, first.type) == ("", "1", "")
    assert (reply.parent_id, reply.approved, reply.type, reply.user_id) == (
        "9001",
        "1",
        "comment",
        "1",
    )
    assert '<a href="https://example.org/imessage-scale">linked post</a>' in reply.content
    assert (spam.approved, spam.parent_id) == ("spam", "")
    pingback = items["4095"].comments[0]
    assert (pingback.type, pingback.author) == (
        "pingback",
        "Distributed Weekly » Links for March 10",
    )
    assert pingback.content == "[&#8230;] How Example Chat sends 200K messages a second [&#8230;]"


def test_attachments(items):
    image, slides = items["4096"], items["4113"]

    assert (image.post_type, image.parent_id, image.status) == ("attachment", "4095", "inherit")
    assert image.attachment_url == (
        "http://highscalability.com/wp-content/uploads/2016/03/diagram.png"
    )
    assert image.attached_file == "2016/03/diagram.png"
    assert (FIXTURES / "wxr-media" / image.attached_file).is_file()
    assert image.meta == {"_wp_attachment_image_alt": "Gateway, router and storage tiers"}
    assert image.postmeta[0] == ("_wp_attached_file", "2016/03/diagram.png")
    assert slides.attachment_url == "https://highscalability.com/storage/scaling-slides.pdf"
    assert (slides.attached_file, slides.parent_id) == ("", "")


def test_digest_html_is_kept_as_exported(items):
    digest = items["4101"]

    assert digest.content == digest.raw_content
    for fragment in (
        '<img src="https://highscalability.com/storage/2016/03/cold-aisle.jpg',
        '(<a href="https://example.org/datacenter-tour">datacenter tour</a>)',
        '<iframe src="https://www.youtube.com/embed/K2fSpzqRQ9A"',
        'support on <a href="https://www.patreon.com/toddhoff">Patreon</a>.',
        '<li><a href="https://example.org/imessage-scale">200K</a>: msgs send per second',
        '<a href="https://twitter.com/antirez/status/1">@antirez</a>: Redis',
        "</a> ~ Mechanical sympathy",
        "Joseph Bradley&#160;:&#160;The *cognitive* load",
        "The best thing about working at Facebook: But what makes it special",
        "InMemory.Net against an in-process cache",
        "<li>Don't miss all the Quotable Quotes, there are many more in the full post...</li>",
        "<code>]]></code>",
        "<em>Probably not</em>",
    ):
        assert fragment in digest.content
    assert digest.content.count("<li>") == 13
    assert digest.meta == {"_thumbnail_id": "4096"}
    assert digest.other["wp:is_sticky"] == "0"
    assert digest.guid == "1036891:10970307:21902214"


def test_article_body_with_split_cdata(items):
    article = items["4095"]

    assert "<pre><code>while queue[heads[shard]]> limit:\n" in article.content
    assert article.content.count("<h2>") == 4
    assert article.excerpt.startswith("<p>Example Chat started")


def test_sponsored_post_sections(items):
    content = items["4088"].content

    assert content.index("Who's Hiring?") < content.index("Fun and Informative Events")
    assert content.index("Fun and Informative Events") < content.index("Cool Products and Services")
    assert content.count("<li>") == 5


def test_plain_text_guest_post_gets_paragraphs(items):
    guest = items["4090"]

    assert guest.raw_content.startswith("This is a guest post by Jane Doe, CTO of Example.\n\n")
    assert guest.content.startswith("<p>This is a guest post by Jane Doe, CTO of Example.</p>\n<p>")
    assert "<em>many</em> smaller ones.<br />\nWe picked many" in guest.content
    assert "</p>\n<!--more-->\n<p>The first rule" in guest.content
    assert guest.content.count("<p>") == 5


def test_squarespace_links_and_names_are_given_as_exported(items):
    assert items["4090"].link == "/blog/2016/3/7/sharding-postgres-without-tears"
    assert items["4090"].slug == "blog/2016/3/7/sharding-postgres-without-tears"
    assert items["4095"].slug.endswith("-on-12-servers.html")
    assert (items["4110"].link, items["4110"].slug) == ("/null", "")
    assert items["4001"].link == "/all-time-favorites/"


# The wpautop-like rule for content without block-level tags.


def test_autop_makes_paragraphs_and_line_breaks():
    assert autop("One.\n\nTwo,\nstill two.\r\n\r\n\r\nThree.") == (
        "<p>One.</p>\n<p>Two,<br />\nstill two.</p>\n<p>Three.</p>"
    )


def test_autop_leaves_html_with_blocks_and_empty_text_alone():
    assert autop("<p>One.</p>\n\nTwo.") == "<p>One.</p>\n\nTwo."
    assert autop("<ul><li>a</li></ul>\n\nb") == "<ul><li>a</li></ul>\n\nb"
    assert autop("  \n ") == ""


def test_autop_keeps_every_character_of_text():
    text = 'A <a href="x">link</a> & *stars*\n<!--more-->\nB\n\n  C  '
    made = autop(text)

    assert made == '<p>A <a href="x">link</a> & *stars*</p>\n<!--more-->\n<p>B</p>\n<p>C</p>'
    assert "".join(made.replace("<p>", "").replace("</p>", "").split()) == "".join(text.split())
