"""Markdown as editors write it: table columns keep their alignment through the sanitiser, and
fenced code is highlighted at save time with its language class, all of it sanitised."""

from digest.markdown import render_markdown, sanitize_html
from tests.digest.factories import PostFactory

TABLE = "| name | count | note |\n|:-----|------:|:----:|\n| a | 10 | x |\n"


def test_aligned_table_columns_keep_their_alignment_as_classes():
    html = render_markdown(TABLE)
    assert '<th class="align-right">count</th>' in html
    assert '<td class="align-right">10</td>' in html
    assert '<td class="align-center">x</td>' in html
    assert "style=" not in html


def test_fenced_code_gets_its_language_class_and_pygments_spans():
    html = render_markdown('```python\ndef f():\n    return "<b>"\n```')
    assert html.startswith('<pre><code class="language-python">')
    assert '<span class="k">def</span>' in html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_an_unknown_language_is_escaped_plain_text_with_its_class():
    html = render_markdown("```nosuchlang\n<script>alert(1)</script>\n```")
    assert '<code class="language-nosuchlang">&lt;script&gt;' in html


def test_classes_written_by_hand_are_kept_only_in_the_allowed_shapes():
    html = sanitize_html(
        '<span class="k evil" style="color:red">a</span><code class="language-x y">b</code>'
        '<table><tr><td class="align-right hide">c</td></tr></table><p class="x">d</p>'
    )
    assert '<span class="k">a</span>' in html
    assert '<code class="language-x">b</code>' in html
    assert '<td class="align-right">c</td>' in html
    assert "evil" not in html and "hide" not in html and "style" not in html
    assert '<p class="x">' not in html


def test_a_saved_post_stores_the_highlighted_html(db):
    post = PostFactory(body="```sql\nSELECT 1;\n```\n\n" + TABLE)
    post.refresh_from_db()
    assert '<code class="language-sql"><span class="k">SELECT</span>' in post.body_html
    assert 'class="align-right"' in post.body_html
