"""minyi's gunicorn worker (`minyi serve` runs gunicorn with `--worker-class minyi.web.server.Worker`):
gunicorn's sync worker with two changes at the edge of HTTP, where Django cannot act.

1. A request line or header block over gunicorn's limits (`limit_request_line`, 4094 bytes by
   default; `limit_request_field_size`, 8190; `limit_request_fields`, 100) is refused by gunicorn
   before any application runs, with an HTML page. An API or Open311 client gets its own error
   format instead (web/refusals.py): 414 or 431 with a message that says which limit. The path is
   read from the first bytes of the connection, peeked before gunicorn parses them; when they do
   not show it (the line arrived in pieces), gunicorn's own page is sent as before.

2. A body the application did not read (refused as too large, 413, or before it was needed: 401,
   404 …) is read and thrown away after the answer is sent, up to DISCARD_MAX_BYTES and
   DISCARD_SECONDS. gunicorn itself reads only 64 KiB before closing, and closing a socket with
   unread data makes the kernel send a reset: a client still sending its body (most send all of
   it before they read) got "connection reset" instead of the answer.
"""

from __future__ import annotations

import socket
import time

from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.sync import SyncWorker

# What is read of an unread body after the answer, at most: bodies a little or a lot over the limit
# (2.5 MiB of JSON or form fields) are read to their end; a client sending more is cut off.
DISCARD_MAX_BYTES = 32 * 1024 * 1024
DISCARD_SECONDS = 10
DISCARD_CHUNK = 64 * 1024
# Enough of the connection's first bytes to see the path and an Open311 format suffix.
PEEK_BYTES = 2048

REASONS = {414: "URI Too Long", 431: "Request Header Fields Too Large"}


class Worker(SyncWorker):
    head = b""

    def handle(self, listener, client, addr):
        self.head = _peek(client)
        super().handle(listener, client, addr)

    def handle_request(self, listener, req, client, addr):
        super().handle_request(listener, req, client, addr)
        self.discard_unread_body(req, client)

    def discard_unread_body(self, req, client) -> int:
        """Read what is left of the request's body (gunicorn knows its length or chunks), within
        the limits above; return how much was read. A failure only means the connection closes."""
        deadline = time.monotonic() + DISCARD_SECONDS
        discarded = 0
        try:
            while discarded < DISCARD_MAX_BYTES:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                client.settimeout(remaining)
                chunk = req.body.read(min(DISCARD_CHUNK, DISCARD_MAX_BYTES - discarded))
                if not chunk:
                    break
                discarded += len(chunk)
                self.notify()  # still alive: the arbiter's timeout counts from here
        except Exception:  # a timeout, a reset, a malformed chunk: stop reading
            self.log.debug("stopped discarding an unread request body", exc_info=True)
        return discarded

    def handle_error(self, req, client, addr, exc):
        status = {LimitRequestLine: 414, LimitRequestHeaders: 431}.get(type(exc), 0)
        path = _path(self.head) if status else None
        answer = _refusal(path, status, self.cfg) if path else None
        if answer is None:
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            client.sendall(answer)
        except OSError:
            self.log.debug("Failed to send error message.")


def _peek(client) -> bytes:
    """The first bytes the client sent, left in place for gunicorn's parser (blocks as the parser
    would, until the client sends something or closes)."""
    try:
        return client.recv(PEEK_BYTES, socket.MSG_PEEK)
    except (OSError, ValueError):  # a reset (gunicorn will see it too), a socket that takes no flags
        return b""


def _path(head: bytes) -> str | None:
    """The path of the request line at the start of `head` (cut short if the line is longer than
    what was peeked: its start is what tells API and Open311 requests apart)."""
    head = head.removeprefix(b"\r\n")  # one empty line may come first (RFC 9112 2.2)
    parts = head.split(b" ", 2)
    if len(parts) < 2 or not parts[0] or not parts[1].startswith(b"/"):
        return None
    return parts[1].split(b"\r\n", 1)[0].decode("latin-1")


def _refusal(path: str, status: int, cfg) -> bytes | None:
    """The whole HTTP answer (status line, headers, body) for an API or Open311 client, else None."""
    from django.utils.translation import gettext as _

    from minyi.web import refusals

    if refusals.part_of(path) == refusals.PAGES:
        return None
    if status == 414:
        code = "uri_too_long"
        message = _(
            "The address is too long: the request line (method, path and query) may have at most "
            "%(most)d bytes. Send fewer or shorter parameters."
        ) % {"most": cfg.limit_request_line}
    else:
        code = "headers_too_large"
        message = _(
            "The request headers are too large: at most %(fields)d headers of at most %(size)d bytes each."
        ) % {"fields": cfg.limit_request_fields, "size": cfg.limit_request_field_size}
    response = refusals.refusal(path, status, code, message)
    body = response.content
    head = (
        f"HTTP/1.1 {status} {REASONS[status]}\r\n"
        f"Content-Type: {response['Content-Type']}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body
