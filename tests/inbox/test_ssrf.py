"""The fetcher's SSRF guard, against real sockets on loopback: private, loopback (without the
test allow-list), link-local, metadata, IPv6 and IPv4-mapped addresses, decimal/octal/hex
spellings of an IP, names resolving to private addresses, redirects into them; and the limits
(size, type, redirects). Every refusal comes with a message, and the refused server is never
reached."""

import socket

import pytest

from inbox import fetching
from inbox.fetching import FetchFailed, Refused, check_address, fetch

REFUSED_ADDRESSES = [
    "127.0.0.1", "127.9.9.9", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "224.0.0.1",  # noqa: S104 (refused, not bound)
    "240.0.0.1", "255.255.255.255", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
    "::ffff:169.254.169.254", "::ffff:10.1.2.3", "64:ff9b::a00:1", "2001:db8::1",
]  # fmt: skip


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_addresses_outside_the_public_internet_are_refused(address):
    with pytest.raises(Refused, match="not a public address"):
        check_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert str(check_address(address)) == address


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/",
        "http://localhost:{port}/",
        "http://2130706433:{port}/",  # 127.0.0.1 as one decimal number
        "http://0177.0.0.1:{port}/",  # octal
        "http://0x7f.0.0.1:{port}/",  # hexadecimal
        "http://127.1:{port}/",  # short form
        "http://[::ffff:127.0.0.1]:{port}/",  # IPv4-mapped IPv6
    ],
)
def test_loopback_in_any_spelling_is_refused_without_the_allow_list(target, url):
    target.page("/", "<title>secret</title>")
    with pytest.raises(Refused):
        fetch(url.format(port=target.port))
    assert target.requests == []  # never connected


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http://user:secret@example.com/",
        "http:///nohost",
        "http://example.com:99999/",
    ],
)
def test_only_plain_http_and_https_addresses_are_fetched(url):
    with pytest.raises(Refused):
        fetch(url)


def fake_dns(monkeypatch, answers):
    """A resolver that answers these names with these addresses (the real one otherwise)."""
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host in answers:
            return [
                (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (ip, port)) for ip in answers[host]
            ]  # fmt: skip
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(fetching.socket, "getaddrinfo", resolve)


@pytest.mark.parametrize(
    "answers",
    [["10.1.2.3"], ["169.254.169.254"], ["93.184.216.34", "192.168.0.10"], ["fd00::1"]],
)
def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch, answers):
    fake_dns(monkeypatch, {"intranet.example": answers})
    with pytest.raises(Refused, match="not a public address"):
        fetch("http://intranet.example/")


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch, target, allow_loopback):
    # A name that resolved to an allowed address is fetched from that very address, with
    # its own name in the Host header: a second DNS answer has no say.
    fake_dns(monkeypatch, {"news.example": ["127.0.0.1"]})
    target.page("/story", "<title>Story</title>")
    page = fetch(f"http://news.example:{target.port}/story")
    assert page.body == b"<title>Story</title>"
    assert target.requests == [("/story", f"news.example:{target.port}", None)]


def test_a_redirect_into_a_refused_address_is_refused(target, allow_loopback):
    target.redirect("/go", f"http://127.0.0.2:{target.port}/inside")
    with pytest.raises(Refused, match="127.0.0.2 is not a public address"):
        fetch(target.url("/go"))
    assert [path for path, _, _ in target.requests] == ["/go"]


def test_a_redirect_to_the_metadata_address_is_refused(target, allow_loopback):
    target.redirect("/meta", "http://169.254.169.254/latest/meta-data/")
    with pytest.raises(Refused):
        fetch(target.url("/meta"))


def test_redirects_are_followed_a_few_times_only(target, allow_loopback):
    target.redirect("/a", "/b", status=301)
    target.page("/b", "<title>B</title>")
    assert fetch(target.url("/a")).url == target.url("/b")
    for n in range(10):
        target.redirect(f"/loop{n}", f"/loop{n + 1}")
    with pytest.raises(FetchFailed, match="redirects"):
        fetch(target.url("/loop0"))


def test_only_html_is_read_and_at_most_a_megabyte_of_it(target, allow_loopback):
    target.page("/big", "<title>Big</title>" + "x" * (3 * fetching.MAX_BYTES))
    assert len(fetch(target.url("/big")).body) == fetching.MAX_BYTES
    target.page("/pdf", "%PDF-1.4", content_type="application/pdf")
    with pytest.raises(FetchFailed, match="Not an HTML page"):
        fetch(target.url("/pdf"))
    target.page("/gone", "gone", status=410)
    with pytest.raises(FetchFailed, match="410"):
        fetch(target.url("/gone"))


def test_a_server_that_never_answers_times_out(monkeypatch, allow_loopback):
    monkeypatch.setattr(fetching, "READ_SECONDS", 0.3)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        with pytest.raises(FetchFailed):
            fetch(f"http://127.0.0.1:{silent.getsockname()[1]}/")


def test_an_unknown_name_fails_with_a_message():
    with pytest.raises(FetchFailed, match="could not be resolved"):
        fetch("http://no-such-host.invalid/")
