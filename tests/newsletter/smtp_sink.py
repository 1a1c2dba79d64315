"""A real SMTP server (aiosmtpd) inside the test process that keeps what it accepts.

`refuse` makes it answer RCPT for an address with a given reply (a queue of replies, used
once each, then the address is accepted); `on_data` lets a test act while a client waits for
the answer to its message (the worker-kill test kills the worker there). Only messages that
were answered 250 count as received, as with any real server.
"""

import email
import logging
import socket
import threading
from collections import Counter
from email import policy

from aiosmtpd.controller import Controller

# aiosmtpd tells of every connection at INFO ("EOF received", "connection lost"): noise in the
# suite's output, which is read for failures.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    def __init__(self):
        self.messages = []
        self.refusals = {}
        self.on_data = None
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def refuse(self, address, *replies):
        self.refusals.setdefault(address, []).extend(replies)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        replies = self.refusals.get(address)
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            verdict = self.on_data(envelope)
            if verdict:
                return verdict
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((tuple(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def received(self):
        with self.lock:
            return list(self.messages)

    def per_recipient(self):
        return Counter(rcpt for rcpts, _ in self.received() for rcpt in rcpts)

    def to(self, address):
        return [message for rcpts, message in self.received() if address in rcpts]


def send_mail_to(sink, settings):
    """Point Django's SMTP backend at `sink` (pytest-django's `settings` undoes it after)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    return sink
