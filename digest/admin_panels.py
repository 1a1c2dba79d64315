"""Panels that other apps add to a post's admin page, so digest offers the place without
knowing what fills it (the newsletter's "Newsletter" panel, for one): an app registers a
callable from its AppConfig.ready, as apps register with caching's register_next_change.

A panel is called with the request and the saved post and returns safe HTML (a SafeString,
as render_to_string gives; a plain str would be escaped), or "" to show nothing, e.g. to
someone without the app's permissions. Panels are drawn below the post's form, not inside it,
so they may hold forms of their own; each checks its permissions again on the server when one
is posted."""

_panels = []


def register_post_panel(panel):
    if panel not in _panels:
        _panels.append(panel)


def render_post_panels(request, post):
    return [html for panel in _panels if (html := panel(request, post))]
