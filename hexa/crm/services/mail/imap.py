"""Hexa's mailbox over IMAP (Python's imaplib): HEXA_MAIL_IMAP_URL, reading the messages
waiting in its folder, and putting each handled one away (moved to
HEXA_MAIL_PROCESSED_FOLDER, or flagged when that setting is empty)."""

from __future__ import annotations

import contextlib
import imaplib
import re
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import unquote, urlsplit

from django.conf import settings

DONE_KEYWORD = "$HexaDone"  # the flag of handled messages when they are not moved
_SECURITY = {"imaps": "tls", "imap+starttls": "starttls", "imap": "none"}
_DEFAULT_PORT = {"tls": 993, "starttls": 143, "none": 143}


class MailboxError(Exception):
    """The mailbox cannot be reached or refused something: the message says what."""


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    user: str
    password: str
    security: str  # "tls", "starttls" or "none"
    folder: str

    def __str__(self) -> str:  # never the password
        scheme = {v: k for k, v in _SECURITY.items()}[self.security]
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"


def mailbox_settings(url: str | None = None) -> MailboxSettings:
    """HEXA_MAIL_IMAP_URL (or `url`) read: imaps://user:password@host:993/INBOX. The user
    and password are percent-encoded (`ana%40empresa.es`). ValueError says what is wrong."""
    url = settings.HEXA_MAIL_IMAP_URL if url is None else url
    if not url:
        raise ValueError("HEXA_MAIL_IMAP_URL is not set (e.g. imaps://user:pass@host:993/INBOX).")
    parts = urlsplit(url)
    security = _SECURITY.get(parts.scheme.lower())
    if security is None:
        raise ValueError(
            f"HEXA_MAIL_IMAP_URL must start with imaps://, imap+starttls:// or imap://, "
            f"not {parts.scheme}://."
        )
    if not parts.hostname or not parts.username:
        raise ValueError("HEXA_MAIL_IMAP_URL must name the host and the user.")
    try:
        port = parts.port or _DEFAULT_PORT[security]
    except ValueError:
        raise ValueError("HEXA_MAIL_IMAP_URL has a port that is not a number.") from None
    return MailboxSettings(
        host=parts.hostname,
        port=port,
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        security=security,
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Mailbox:
    """A session with the mailbox's folder: `with Mailbox() as box: for uid in box.waiting()`.
    Every failure of the server or the connection is a MailboxError."""

    def __init__(
        self,
        config: MailboxSettings | None = None,
        *,
        processed_folder: str | None = None,
        timeout: float = 60,
    ) -> None:
        self.config = config or mailbox_settings()
        self.processed_folder = (
            settings.HEXA_MAIL_PROCESSED_FOLDER if processed_folder is None else processed_folder
        )
        self.timeout = timeout
        self.connection: imaplib.IMAP4 | None = None
        self.count = 0
        self.capabilities: set[str] = set()

    def __enter__(self) -> Mailbox:
        config = self.config
        try:
            if config.security == "tls":
                connection: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    config.host,
                    config.port,
                    ssl_context=ssl.create_default_context(),
                    timeout=self.timeout,
                )
            else:
                connection = imaplib.IMAP4(config.host, config.port, timeout=self.timeout)
                if config.security == "starttls":
                    connection.starttls(ssl.create_default_context())
            self.connection = connection
            connection.login(config.user, config.password)
            # What the server can do once signed in (the greeting's list may be shorter).
            status, data = connection.capability()
            if status == "OK" and data and isinstance(data[0], bytes):
                self.capabilities = set(data[0].decode().upper().split())
            status, data = connection.select(_quoted(config.folder))
            self._ok(status, data, f"cannot open the folder {config.folder!r}")
            self.count = int(data[0] or 0) if data and data[0] else 0
            if self.processed_folder:
                connection.create(_quoted(self.processed_folder))  # NO when it exists: fine
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as error:
            self.close()
            raise MailboxError(f"{config}: {_reason(error)}") from error
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.connection is None:
            return
        connection, self.connection = self.connection, None
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            connection.logout()

    def _ok(self, status: str, data: Sequence[object], doing: str) -> None:
        if status != "OK":
            detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
            raise MailboxError(f"{self.config}: {doing}: {detail or status}")

    @property
    def connected(self) -> bool:
        """False once the connection failed (a refusal of one command leaves it open)."""
        return self.connection is not None

    def _conn(self) -> imaplib.IMAP4:
        if self.connection is None:
            raise MailboxError(f"{self.config}: not connected")
        return self.connection

    def waiting(self) -> list[str]:
        """The UIDs of the messages still to handle, oldest first."""
        criteria = "UNDELETED" if self.processed_folder else f"UNDELETED UNKEYWORD {DONE_KEYWORD}"
        status, data = self._call("UID", "SEARCH", criteria)
        self._ok(status, data, "cannot list the messages")
        found = data[0] if data else b""
        return [uid.decode() for uid in found.split()] if isinstance(found, bytes) else []

    def fetch(self, uid: str) -> bytes | None:
        """The message's bytes, without marking it as read; None when it is gone (another
        fetcher put it away meanwhile)."""
        status, data = self._call("UID", "FETCH", uid, "(BODY.PEEK[])")
        self._ok(status, data, f"cannot read message {uid}")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        return None

    def put_away(self, uid: str) -> None:
        """Move the message to the processed folder (or flag it as done)."""
        if not self.processed_folder:
            status, data = self._call("UID", "STORE", uid, "+FLAGS", f"(\\Seen {DONE_KEYWORD})")
            self._ok(status, data, f"cannot flag message {uid}")
            return
        target = _quoted(self.processed_folder)
        if "MOVE" in self.capabilities:
            status, data = self._call("UID", "MOVE", uid, target)
            if not _gone(status, data):
                self._ok(status, data, f"cannot move message {uid} to {self.processed_folder}")
            return
        status, data = self._call("UID", "COPY", uid, target)
        if _gone(status, data):  # another fetcher put it away meanwhile
            return
        self._ok(status, data, f"cannot copy message {uid} to {self.processed_folder}")
        status, data = self._call("UID", "STORE", uid, "+FLAGS", "(\\Deleted)")
        self._ok(status, data, f"cannot remove message {uid}")
        if "UIDPLUS" in self.capabilities:
            self._call("UID", "EXPUNGE", uid)
        else:
            self._call("EXPUNGE")

    def _call(self, command: str, *args: str) -> tuple[str, list[object]]:
        connection = self._conn()
        try:
            if command == "UID":
                status, data = connection.uid(args[0], *args[1:])
            else:
                status, data = getattr(connection, command.lower())(*args)
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as error:
            self.connection = None
            raise MailboxError(f"{self.config}: {_reason(error)}") from error
        return status, list(data)


def _gone(status: str, data: Sequence[object]) -> bool:
    """The server says the message no longer exists (expunged by another session)."""
    text = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace").lower()
    return status != "OK" and ("expungeissued" in text or "no longer exist" in text)


def _reason(error: BaseException) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return "the server did not answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "unknown host"
    text = str(error) or type(error).__name__
    if isinstance(error, imaplib.IMAP4.error):
        text = re.sub(r"^b?['\"]|['\"]$", "", text)
    return text


def check_mailbox(config: MailboxSettings | None = None) -> str:
    """Connect, sign in and open the folder: a sentence saying how many messages wait."""
    with Mailbox(config) as box:
        waiting = len(box.waiting())
        return (
            f"{box.config}: signed in; {box.count} message(s) in {box.config.folder}, "
            f"{waiting} to fetch; processed messages go to "
            + (f"{box.processed_folder!r}." if box.processed_folder else f"flag {DONE_KEYWORD}.")
        )
