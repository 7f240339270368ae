"""Who and for which client: DESIGN.md, "Where dedications come from", email.

- Who: the active employee whose email (or whose login user's email) sent the message.
- Which client, the first rule that names one: the code in a plus address of Hexa's
  (`hexa+PRIETO@…` in To, Cc, Delivered-To or X-Original-To; only the last two when Hexa's
  own address is unknown; a code of no active client waits for a person); the client whose
  email is the other party's (the forwarded message's sender, or the recipients of a Bcc'd
  one); the client whose email domain is the other party's, never for public webmail
  domains. A rule that finds several clients stops there: a person chooses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from hexa.crm.models import Client, Employee
from hexa.crm.services.codes import normalize_code
from hexa.crm.services.mail.reading import Email


@dataclass(frozen=True)
class ClientMatch:
    client: Client | None
    rule: str  # "plus", "email", "domain" or "" (none)
    candidates: list[Client] = field(default_factory=list)
    reason: str = ""  # why there is no client, for the person who chooses
    parties: list[str] = field(default_factory=list)  # whom the email was exchanged with


def hexa_address() -> str:
    """Hexa's own address: HEXA_MAIL_ADDRESS, or the mailbox's user name when it is one."""
    if settings.HEXA_MAIL_ADDRESS:
        return settings.HEXA_MAIL_ADDRESS.strip().lower()
    from hexa.crm.services.mail.imap import mailbox_settings

    try:
        user = mailbox_settings().user
    except ValueError:
        return ""
    return user.lower() if "@" in user else ""


def _split(address: str) -> tuple[str, str]:
    local, _at, domain = address.rpartition("@")
    return local, domain


def is_hexa(address: str, hexa: str) -> bool:
    """`address` is Hexa's, or one of its plus addresses."""
    if not hexa:
        return False
    local, domain = _split(address)
    hexa_local, hexa_domain = _split(hexa)
    return domain == hexa_domain and local.split("+", 1)[0] == hexa_local


def sender_employee(email: Email) -> Employee | None:
    """The active employee who sent the message to Hexa, by their email or their user's."""
    if not email.sender:
        return None
    return (
        Employee.objects.filter(active=True)
        .filter(Q(email__iexact=email.sender) | Q(user__email__iexact=email.sender))
        .order_by("pk")
        .first()
    )


def other_parties(email: Email, *, hexa: str) -> list[str]:
    """The addresses of whom the message was exchanged with, most telling first: the
    forwarded message's sender (or, when an employee sent it, its recipients), else the
    message's own recipients. Hexa's and the employees' addresses are not other parties."""
    if email.forwarded_from:
        found = [email.forwarded_from, *email.forwarded_to]
    else:
        found = [*email.to, *email.cc]
    ours = _employee_addresses(set(found)) | {email.sender}
    parties: list[str] = []
    for address in found:
        if address not in parties and address not in ours and not is_hexa(address, hexa):
            parties.append(address)
    return parties


def _employee_addresses(addresses: set[str]) -> set[str]:
    """Those of `addresses` that are an employee's (or their login user's)."""
    wanted = {address for address in addresses if address}
    matches = Q(pk__in=[])
    for address in wanted:
        matches |= Q(email__iexact=address) | Q(user__email__iexact=address)
    rows = Employee.objects.filter(matches).values_list("email", "user__email")
    return {address.lower() for row in rows for address in row if address} & wanted


def match_client(email: Email, *, hexa: str | None = None) -> ClientMatch:
    hexa = hexa_address() if hexa is None else hexa
    parties = other_parties(email, hexa=hexa)
    found = _match(email, parties, hexa=hexa)
    return ClientMatch(
        client=found.client,
        rule=found.rule,
        candidates=found.candidates,
        reason=found.reason,
        parties=parties,
    )


def _match(email: Email, parties: list[str], *, hexa: str) -> ClientMatch:
    reasons = []
    plus = _by_plus_address(email, hexa=hexa)
    if plus is not None:
        return plus
    for address in parties:
        clients = list(_active_clients().filter(email__iexact=address)[:10])
        if clients:
            return _found(
                clients, "email", _("Several clients have the email %(address)s."), address
            )
    own_domains = {_split(email.sender)[1], _split(hexa)[1]} - {""}
    webmail = {domain.lower() for domain in settings.HEXA_MAIL_WEBMAIL_DOMAINS}
    for address in parties:
        domain = _split(address)[1]
        if not domain or domain in webmail or domain in own_domains:
            continue
        clients = list(_active_clients().filter(email__iendswith=f"@{domain}")[:10])
        if clients:
            return _found(
                clients, "domain", _("Several clients have emails at %(address)s."), domain
            )
    if parties:
        reasons.append(
            _("No client has the email or domain of %(addresses)s.")
            % {"addresses": ", ".join(parties)}
        )
    else:
        reasons.append(_("The email names nobody but Hexa and employees."))
    return ClientMatch(client=None, rule="", reason=" ".join(reasons))


def _active_clients() -> QuerySet[Client]:
    return Client.objects.filter(active=True).order_by("code")


def _found(clients: list[Client], rule: str, several: str, address: str) -> ClientMatch:
    if len(clients) == 1:
        return ClientMatch(client=clients[0], rule=rule)
    return ClientMatch(
        client=None, rule=rule, candidates=clients, reason=several % {"address": address}
    )


def _by_plus_address(email: Email, *, hexa: str) -> ClientMatch | None:
    """The client a plus address of Hexa's names; an unknown code is a match with no client
    and the reason (a typo such as `hexa+PRIET0` must reach a person, not whichever client
    the other rules find); None when there is no plus address of Hexa's.

    Without a known address of Hexa's (HEXA_MAIL_ADDRESS empty, and the mailbox's user is
    not an address), a plus address in To or Cc may be anybody's (`jose+obra@cliente.es`):
    only Delivered-To and X-Original-To, which the receiving server writes for the mailbox
    it delivers to, are trusted then."""
    addresses = [*email.to, *email.cc, *email.delivered_to] if hexa else email.delivered_to
    unknown = []
    for address in addresses:
        local, _domain = _split(address)
        _base, plus, tag = local.partition("+")
        if not plus or not tag or (hexa and not is_hexa(address, hexa)):
            continue
        code = normalize_code(tag)
        client = _active_clients().filter(code=code).first()
        if client is not None:
            return ClientMatch(client=client, rule="plus")
        if code not in unknown:
            unknown.append(code)
    if not unknown:
        return None
    return ClientMatch(
        client=None,
        rule="plus",
        reason=_("No active client has the code %(codes)s (the plus address it was sent to).")
        % {"codes": ", ".join(unknown)},
    )
