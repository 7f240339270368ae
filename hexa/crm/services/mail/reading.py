"""Reading an email as mail programs write it: who sent it, to whom, what it says.

Thunderbird, Outlook, Gmail and Apple Mail each mark a forwarded message, a quoted earlier
message and a signature their own way, in English and in Spanish; this module finds them in
the plain text (an HTML-only message is turned into text first, quoting kept as `>`), so that
what is left is what the person wrote, and the forwarded message's own sender is known.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import cast

from django.utils import timezone


@dataclass(frozen=True)
class Attachment:
    name: str
    size: int  # bytes, decoded


@dataclass(frozen=True)
class Email:
    """A message as Hexa needs it; addresses are lower-case."""

    message_id: str
    sender: str  # who sent it to Hexa (From)
    sender_name: str
    to: list[str]
    cc: list[str]
    delivered_to: list[str]  # Delivered-To and X-Original-To: where a Bcc copy arrived
    recipients: str  # To and Cc as written, for people to read
    subject: str  # as written (decoded)
    sent_at: dt.datetime | None
    note: str  # what the sender wrote (above a forwarded message), trimmed
    forwarded: str  # the forwarded message's text, trimmed ("" when not a forward)
    forwarded_from: str = ""  # the forwarded message's sender
    forwarded_to: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    # The receiving server's Authentication-Results says dkim=pass or spf=pass for the
    # From address's domain (HEXA_MAIL_REQUIRE_AUTHENTICATION trusts From only then).
    authenticated: bool = False


def read_email(raw: bytes) -> Email:
    """The Email in `raw` (the bytes an IMAP server gives, RFC 5322)."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    sender = _addresses(message, "From")
    subject = _header(message, "Subject")
    body = _body_text(message)
    exchanged = [a for _n, a in sender + _addresses(message, "To") + _addresses(message, "Cc")]
    note, forwarded, forwarded_from, forwarded_to = split_forward(
        body, subject=subject, exchanged=exchanged
    )
    attached = _attached_message(message)
    if attached is not None and not forwarded:  # forwarded "as attachment" (Outlook)
        attached_from = _addresses(attached, "From")
        forwarded_from = attached_from[0][1] if attached_from else ""
        forwarded_to = [a for _n, a in _addresses(attached, "To") + _addresses(attached, "Cc")]
        forwarded = trim_reply(_body_text(attached))
    return Email(
        message_id=message_id(message, raw),
        sender=sender[0][1] if sender else "",
        sender_name=sender[0][0] if sender else "",
        to=[a for _n, a in _addresses(message, "To")],
        cc=[a for _n, a in _addresses(message, "Cc")],
        delivered_to=[
            a
            for _n, a in _addresses(message, "Delivered-To") + _addresses(message, "X-Original-To")
        ],
        recipients=", ".join(
            _header(message, name) for name in ("To", "Cc") if _header(message, name)
        ),
        subject=subject,
        sent_at=_date(message),
        note=trim_reply(note),
        forwarded=trim_reply(forwarded) if forwarded else "",
        forwarded_from=forwarded_from,
        forwarded_to=forwarded_to,
        attachments=attachments(message),
        authenticated=bool(sender) and sender_authenticated(message, sender[0][1]),
    )


def message_id(message: Message, raw: bytes) -> str:
    """The Message-ID; a message without one gets one made of its bytes' digest, so that
    fetching it again still finds it."""
    value = _header(message, "Message-ID").strip()
    return value[:998] if value else f"<{hashlib.sha256(raw).hexdigest()}@hexa.invalid>"


_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"^\s*(dkim|spf)\s*=\s*([a-z]+)\b", re.IGNORECASE)
_PROPERTY = re.compile(r"([a-z][\w.-]*)\s*=\s*\"?([^\s\";]+)", re.IGNORECASE)


def sender_authenticated(message: Message, sender: str) -> bool:
    """The receiving server vouches for the From address: its Authentication-Results (the
    topmost one: each server adds its own on top, and a sender can write any below it) has
    dkim=pass signed by the From address's domain (or a parent of it), or spf=pass for an
    envelope sender at that domain."""
    domain = sender.rpartition("@")[2].lower()
    values = message.get_all("Authentication-Results", []) or []
    if not domain or not values:
        return False
    try:
        top = str(values[0])
    except (ValueError, IndexError):
        return False
    text = top
    while _COMMENT.search(text):  # comments, nested ones too: "(google.com: domain of ...)"
        text = _COMMENT.sub(" ", text)
    _authserv_id, _semicolon, results = text.partition(";")
    for result in results.split(";"):
        found = _RESULT.match(result)
        if not found or found[2].lower() != "pass":
            continue
        properties = {
            name.lower(): value.lower() for name, value in _PROPERTY.findall(result[found.end() :])
        }
        if found[1].lower() == "dkim":
            signer = properties.get("header.d") or properties.get("header.i", "")
        else:
            signer = properties.get("smtp.mailfrom", "")
        signer = signer.rpartition("@")[2]
        if signer and (domain == signer or domain.endswith("." + signer)):
            return True
    return False


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, AttributeError):  # a header the parser cannot make sense of
        value = message.get_all(name, [""])[0] if hasattr(message, "get_all") else ""
    return " ".join(str(value or "").split())


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, lower-case address) of each address in every `name` header."""
    values = []
    for value in message.get_all(name, []) or []:
        try:
            values.append(str(value))
        except (ValueError, IndexError):
            continue
    return [(display, address.lower()) for display, address in getaddresses(values) if address]


def _date(message: Message) -> dt.datetime | None:
    text = _header(message, "Date")
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def _body_text(message: Message) -> str:
    """The plain part, or the HTML part as text; "" when there is neither."""
    email = cast(EmailMessage, message)
    part = email.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _content(cast(EmailMessage, part))
    html = (
        email.get_body(preferencelist=("html",)) if part.get_content_subtype() == "plain" else None
    )
    if html is not None:
        # The plain part carries the signature unmarked (Outlook, Gmail, Apple Mail); when
        # the HTML part marks it, the HTML part is read instead, so that it can be left out.
        markup = _content(cast(EmailMessage, html))
        if _SIGNATURE_MARK.search(markup):
            part, text = html, markup
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufeff", "").replace("\u200b", "")  # Apple Mail's, zero-width
    # Where the plain part had an inline image: Gmail's "[image: salon.jpg]", Outlook's
    # "[cid:image001.png@01DB…]". The images are not kept, so neither are their places.
    return _IMAGE_PLACEHOLDER.sub("", text)


_SIGNATURE_MARK = re.compile(
    r"""\b(?:id=["']?(?:x_)?signature|id=["']?applemailsignature"""
    r"""|id=["']?linebreakatbeginningofsignature|gmail_signature|moz-signature)""",
    re.IGNORECASE,
)
_IMAGE_PLACEHOLDER = re.compile(r"[ \t]*\[(?:image|imagen|cid)\s*:[^\]\n]*\]", re.I)


def _content(part: EmailMessage) -> str:
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError, AssertionError):  # an unknown or wrong charset
        payload = part.get_payload(decode=True)
        return payload.decode("windows-1252", "replace") if isinstance(payload, bytes) else ""


def _attached_message(message: Message) -> Message | None:
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                return cast(Message, payload[0])
    return None


def attachments(message: Message) -> list[Attachment]:
    """Files attached, by name and size; images shown in the text (a Content-ID, not marked
    as an attachment) and the message's own text parts are not attachments."""
    found = []
    for part in message.walk():
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            continue
        disposition = (part.get_content_disposition() or "").lower()
        name = part.get_filename() or ""
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            subject = _header(first, "Subject") if isinstance(first, Message) else ""
            found.append(Attachment(name or f"{subject or 'message'}.eml", len(part.as_bytes())))
            continue
        if not name and disposition != "attachment":
            continue
        if part.get("Content-ID") and disposition != "attachment":
            continue  # an inline image of the HTML text
        payload = part.get_payload(decode=True)
        found.append(Attachment(name or "—", len(payload) if isinstance(payload, bytes) else 0))
    # The parts inside a forwarded message/rfc822 were walked too: keep each file once.
    unique: dict[tuple[str, int], Attachment] = {}
    for attachment in found:
        unique.setdefault((attachment.name, attachment.size), attachment)
    return list(unique.values())


# --- HTML to text ---------------------------------------------------------------------------

_BLOCKS = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section",
    "table", "tr", "ul",
}  # fmt: skip
_SKIPPED = {"head", "script", "style", "title", "template"}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}
# Elements that hold a signature, as mail programs mark them: Outlook (web, new and Microsoft
# 365: id "Signature", "x_Signature" once quoted), Gmail (class gmail_signature, and its
# "-- " prefix), Apple Mail (id AppleMailSignature), Thunderbird (class moz-signature).
_SIGNATURE_IDS = ("signature", "x_signature", "applemailsignature")
_SIGNATURE_CLASSES = {
    "gmail_signature",
    "gmail_signature_prefix",
    "x_gmail_signature",
    "moz-signature",
    "applemailsignature",
}
# Apple Mail (iOS, macOS) starts the signature with this line break: what follows it is the
# signature, so it becomes the "-- " line that trimming stops at.
_SIGNATURE_START_IDS = {"linebreakatbeginningofsignature"}


def _is_signature(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if not value:
            continue
        if name == "id" and value.lower().startswith(_SIGNATURE_IDS):
            return True
        if name == "class" and _SIGNATURE_CLASSES & set(value.lower().split()):
            return True
        if name == "data-smartmail" and value.lower() == "gmail_signature":
            return True
    return False


class _TextMaker(HTMLParser):
    """HTML to text for trimming: blocks become lines, quoted blocks (`<blockquote>`) lines
    starting with `>`, as a plain-text mail program writes them; signatures that the mail
    program marked are left out (the whole element, whatever it holds)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.depth = 0  # of blockquotes
        self.skipping = 0
        self.pre = 0
        self.signature: str | None = None  # the tag of the signature element being left out
        self.signature_depth = 0  # of that tag, nested in it

    def _in_signature(self, tag: str, attrs: list[tuple[str, str | None]] | None) -> bool:
        """Keep track of the signature element; True while inside it (its tags included)."""
        if self.signature is not None:
            if tag == self.signature:
                self.signature_depth += 1 if attrs is not None else -1
                if not self.signature_depth:
                    self.signature = None
            return True
        if attrs is not None and tag not in _VOID and _is_signature(attrs):
            if self.current:
                self._break()
            self.signature, self.signature_depth = tag, 1
            return True
        return False

    def _break(self) -> None:
        line = "".join(self.current)
        line = line if self.pre else " ".join(line.split())
        self.lines.append(("> " * self.depth) + line if line or self.depth else "")
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._in_signature(tag, attrs):
            return
        if tag == "br" and any(
            name == "id" and (value or "").lower() in _SIGNATURE_START_IDS for name, value in attrs
        ):
            self._break()
            self.lines.append("-- ")
            return
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self._break()
        elif tag in _BLOCKS:
            if self.current:
                self._break()
            if tag == "blockquote":
                self.depth += 1
            elif tag == "pre":
                self.pre += 1
            elif tag == "li":
                self.current.append("- ")
        elif tag in ("td", "th") and self.current:
            self.current.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.signature is not None:
            return
        if tag == "br":
            self.handle_starttag(tag, attrs)
        elif tag == "hr":
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if self._in_signature(tag, None):
            return
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            if self.current:
                self._break()
            if tag == "blockquote":
                self.depth = max(0, self.depth - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)
            elif tag in ("p", "table"):
                self.lines.append("")

    def handle_data(self, data: str) -> None:
        if not self.pre and not self.current and not data.strip():
            return  # the line breaks between tags (Outlook writes one after each) are not text
        if not self.skipping and self.signature is None:
            self.current.append(data if self.pre else data.replace("\xa0", " "))

    def text(self) -> str:
        if self.current:
            self._break()
        return "\n".join(self.lines)


def html_to_text(html: str) -> str:
    maker = _TextMaker()
    maker.feed(html)
    maker.close()
    return maker.text()


# --- Forwards, quotes and signatures --------------------------------------------------------

_FORWARD_MARKERS = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|original message|mensaje reenviado|mensaje original"
    r"|message transféré)\s*-{2,}"
    r"|begin forwarded message:|inicio del mensaje reenviado:|mensaje reenviado:)\s*$",
    re.IGNORECASE,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|rv|tr|wg|enc|reenv(?:iado|iar)?)\s*:", re.IGNORECASE)
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:fwd?|rv|tr|wg|enc|re|aw|res|reenv(?:iado|iar)?)\s*:\s*)+", re.IGNORECASE
)
_HEADER_LINE = re.compile(
    r"^\s*\*?(from|de|sent|enviado|enviado el|date|fecha|to|para|cc|subject|asunto)\s*:\*?\s*(.*)$",
    re.IGNORECASE,
)
_FROM_NAMES = {"from", "de"}
_TO_NAMES = {"to", "para", "cc"}
_WHEN_NAMES = {"sent", "enviado", "enviado el", "date", "fecha"}
_ATTRIBUTION = re.compile(
    r"^\s*(?:on\b.*\bwrote|el\b.*\bescribi[óo]|le\b.*\ba écrit)\s*:\s*$", re.IGNORECASE
)
_ORIGINAL = re.compile(r"^\s*(?:-{3,}.*(?:original|reenviado).*-{3,}|_{10,})\s*$", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^(?:--\s?|enviado desde (?:mi|outlook).*|sent from (?:my|outlook).*|get outlook for .*"
    r"|obtener outlook para .*"
    r"|descargar outlook para .*)$",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def clean_subject(subject: str) -> str:
    """The subject without the Re:, Fwd:, RV: ... that mail programs put before it."""
    return _SUBJECT_PREFIX.sub("", subject).strip()


def split_forward(
    body: str, *, subject: str, exchanged: Sequence[str] = ()
) -> tuple[str, str, str, list[str]]:
    """(what the sender wrote, the forwarded message, its sender, its recipients). Not a
    forward: (body, "", "", []).

    A forward is known by its marker line ("---------- Forwarded message ---------",
    "Begin forwarded message:", ...), or, as Outlook writes none, by a header block
    (From/Sent/To/Subject) when the subject says forward (FW:, RV:) or when that block's
    sender is not among the message's own (`exchanged`: its From, To and Cc): a reply goes
    to whom it quotes (or quotes its own sender's earlier message), a forward to Hexa does
    not (and its subject may have been edited)."""
    lines = body.split("\n")
    note_end = headers_start = None
    for index, line in enumerate(lines):
        if _FORWARD_MARKERS.match(line.lstrip("> ")):
            note_end, headers_start = index, index + 1
            break
    if headers_start is None:
        block = next((i for i in range(len(lines)) if _header_block_at(lines, i)), None)
        if block is not None and (
            _FORWARD_SUBJECT.match(subject) or _sender_not_among(lines[block:], exchanged)
        ):
            headers_start = note_end = block
            if block and _ORIGINAL.match(lines[block - 1]):
                note_end = block - 1
    if headers_start is None or note_end is None:
        return body, "", "", []
    headers, rest = _read_headers(lines[headers_start:])
    sender = _first_address(headers.get("from", ""))
    its_recipients = _ADDRESS.findall(headers.get("to", "").lower())
    return "\n".join(lines[:note_end]), "\n".join(rest), sender, its_recipients


def _sender_not_among(block: list[str], exchanged: Sequence[str]) -> bool:
    """The header block's sender is known and is none of `exchanged`."""
    headers, _rest = _read_headers(block)
    sender = _first_address(headers.get("from", ""))
    return bool(sender) and sender not in {address.lower() for address in exchanged}


def _header_block_at(lines: list[str], index: int) -> bool:
    """An Outlook-style header block starts at `index`: From/De, then a date line."""
    match = _HEADER_LINE.match(lines[index])
    if not match or match[1].lower() not in _FROM_NAMES:
        return False
    following = lines[index + 1 : index + 4]
    return any(
        (m := _HEADER_LINE.match(line)) and m[1].lower() in _WHEN_NAMES for line in following
    )


def _read_headers(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """The header lines at the top of a forwarded message (blank lines before them, and
    Thunderbird's wrapped values, allowed), and the lines after them."""
    headers: dict[str, str] = {}
    index = 0
    while index < len(lines) and not lines[index].strip(" >"):
        index += 1
    # Apple Mail's HTML quotes the forwarded message (<blockquote>): unquote it once.
    quoted = index < len(lines) and lines[index].lstrip().startswith(">")
    last = ""
    while index < len(lines):
        line = lines[index].lstrip("> ")
        match = _HEADER_LINE.match(line)
        if match:
            name = match[1].lower()
            last = (
                "from"
                if name in _FROM_NAMES
                else "to"
                if name in _TO_NAMES
                else "date"
                if name in _WHEN_NAMES
                else "subject"
            )
            headers[last] = (headers.get(last, "") + " " + match[2]).strip()
        elif line.strip() and last and not headers.get(last):
            headers[last] = line.strip()  # Thunderbird's table puts the value on the next line
        else:
            break
        index += 1
    rest = lines[index:]
    if quoted:
        rest = [re.sub(r"^\s*> ?", "", line) for line in rest]
    return headers, rest


def _first_address(text: str) -> str:
    found = _ADDRESS.findall(text.lower())
    return found[0] if found else ""


def trim_reply(text: str) -> str:
    """What was written in this message: quoted earlier messages (`>` lines, and everything
    from "On ... wrote:" / "El ... escribió:" or an Outlook header block on) and the
    signature (from "-- " or "Sent from my iPhone" on) left out."""
    lines = text.split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        joined = f"{stripped} {lines[index + 1].strip()}" if index + 1 < len(lines) else ""
        if (
            _ATTRIBUTION.match(stripped)
            or (
                joined
                and _ATTRIBUTION.match(joined)
                and stripped.lower().startswith(("on ", "el "))
            )
            or _ORIGINAL.match(stripped)
            or _header_block_at(lines, index)
            or _SIGNATURE.match(stripped)
        ):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return _tidy("\n".join(kept))


def _tidy(text: str) -> str:
    """No blank lines at the ends, at most one blank line in a row."""
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip()
