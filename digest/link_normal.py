"""One spelling per address, so that the same link kept twice, or published before, is found:
url-normalize does the standard part (case, default port, percent-encoding, dot segments);
the rest is the editor's idea of "the same page": http and https, `www.`, a trailing slash,
tracking parameters and the fragment make no difference."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from url_normalize import url_normalize

# Parameters that say where a reader came from, not which page it is.
TRACKING = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
        "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src", "ref_url", "si", "s_cid", "cmpid",
        "ncid", "sr_share", "share", "spm", "wt_mc", "oly_anon_id", "oly_enc_id", "vero_id",
    }
)  # fmt: skip
MAX_URL_LENGTH = 2000


def normalize_url(url):
    """The comparable form of an http(s) address, or "" when it is not one."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH:
        return ""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return ""  # url-normalize would read "javascript:x" or "ftp:" as something else
    try:
        parts = urlsplit(url_normalize(url))
        port = parts.port
    except (ValueError, UnicodeError):
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.removeprefix("www.")
    if port:
        host = f"{host}:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING
    ]
    path = parts.path.rstrip("/")
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


def needle(normal):
    """The part of a normalised address that any spelling of it contains (host and path),
    for a substring search over stored HTML before exact comparison."""
    parts = urlsplit(normal)
    return f"{parts.netloc}{parts.path}"
