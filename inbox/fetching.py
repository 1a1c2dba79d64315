"""Fetching a page someone pasted, without letting the address reach inside our network.

The guard (SSRF): only http and https; the host is resolved here and every address it resolves
to must be public (not private, loopback, link-local, multicast, reserved or unspecified, IPv4
or IPv6, IPv4-mapped IPv6 read as the IPv4 it maps); the connection goes to the address that
was checked (no second DNS answer between check and connect); each redirect is checked the
same way; the body is cut at MAX_BYTES and the whole fetch at DEADLINE_SECONDS; no cookies,
no credentials. Tests reach their own servers on loopback only through the explicit
settings.INBOX_FETCH_ALLOWED_NETWORKS, which is empty in production.

urllib3 (already installed with requests and our S3 storage) lets us open the connection to a
given IP while sending the original Host and checking TLS against the original name.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 5
CONNECT_SECONDS = 5
READ_SECONDS = 5
DEADLINE_SECONDS = 15
USER_AGENT = "Scalepress link inbox (+fetches the title and description of a kept link)"


class Refused(Exception):
    """The address may not be fetched; the message says why, for the editor."""


class FetchFailed(Exception):
    """The page could not be had (timeout, error status, not HTML); the message says which."""


@dataclass(frozen=True)
class Page:
    url: str
    content_type: str
    body: bytes


def _allowed_networks():
    return [ipaddress.ip_network(net) for net in settings.INBOX_FETCH_ALLOWED_NETWORKS]


def check_address(ip):
    """Refuse an address that is not on the public Internet (unless the test allow-list
    names it)."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return address
    if (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        raise Refused(f"{address} is not a public address; it is not fetched.")
    return address


def resolve(host, port):
    """Every address the host resolves to, each checked; the first is the one to use."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchFailed(f"The name {host} could not be resolved.") from error
    addresses = [check_address(info[4][0]) for info in infos]
    if not addresses:
        raise FetchFailed(f"The name {host} has no address.")
    return addresses[0]


def split_target(url):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused("Only http and https addresses are fetched.")
    if parts.username or parts.password:
        raise Refused("Addresses with a user name or password are not fetched.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise Refused("The address has an invalid port.") from error
    if not parts.hostname:
        raise Refused("The address has no host.")
    return parts, port


def _open(url, deadline):
    parts, port = split_target(url)
    address = resolve(parts.hostname, port)
    remaining = max(0.5, deadline - time.monotonic())
    timeout = urllib3.Timeout(connect=min(CONNECT_SECONDS, remaining), read=READ_SECONDS)
    options = {"timeout": timeout, "retries": False, "maxsize": 1}
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            str(address),
            port,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED",
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(str(address), port, **options)
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    response = pool.urlopen(
        "GET",
        path,
        headers={
            "Host": host_header,
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
            "Accept-Encoding": "identity",
        },
        redirect=False,
        preload_content=False,
        retries=False,
    )
    return pool, response


def fetch(url):
    """The page at `url` (HTML only), following redirects, under the guard above."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    for _ in range(MAX_REDIRECTS + 1):
        try:
            pool, response = _open(url, deadline)
        except urllib3.exceptions.HTTPError as error:
            raise FetchFailed(f"The page could not be fetched ({type(error).__name__}).") from error
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise FetchFailed("A redirect without a destination.")
                url = urljoin(url, location)  # checked again on the next round
                continue
            if response.status != 200:
                raise FetchFailed(f"The site answered {response.status}.")
            content_type = response.headers.get("Content-Type", "")
            if "html" not in content_type.lower():
                raise FetchFailed(f"Not an HTML page ({content_type or 'no type'}).")
            return Page(url, content_type, _read(response, deadline))
        finally:
            response.release_conn()
            pool.close()
    raise FetchFailed(f"More than {MAX_REDIRECTS} redirects.")


def _read(response, deadline):
    """At most MAX_BYTES of the body (the head is all we need), within the deadline."""
    chunks, size = [], 0
    try:
        for chunk in response.stream(16 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_BYTES or time.monotonic() > deadline:
                break
    except urllib3.exceptions.HTTPError as error:
        if not chunks:
            raise FetchFailed(f"The page could not be read ({type(error).__name__}).") from error
    return b"".join(chunks)[:MAX_BYTES]
