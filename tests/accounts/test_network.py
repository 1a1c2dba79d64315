from django.test import RequestFactory

from accounts.network import client_ip


def test_behind_a_proxy_only_the_entry_our_proxy_wrote_counts(settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    # The client wrote the first entries; our proxy appended the last one.
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.9.8.7, 203.0.113.5")

    assert client_ip(request) == "203.0.113.5"


def test_without_the_header_the_socket_address_is_used(settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="198.51.100.7")) == "198.51.100.7"
