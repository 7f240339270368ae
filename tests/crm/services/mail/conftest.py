from __future__ import annotations

from pathlib import Path

import pytest

from tests import factories
from tests.crm.services.mail.dovecot import ImapServer, TestMailbox

SAMPLES = Path(__file__).with_name("samples")
HEXA_ADDRESS = "hexa@empresa.es"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def mailbox(imap_server: ImapServer, settings) -> TestMailbox:
    """An empty mailbox on the running server, configured as Hexa's."""
    box = imap_server.mailbox()
    settings.HEXA_MAIL_IMAP_URL = box.url
    settings.HEXA_MAIL_ADDRESS = HEXA_ADDRESS
    settings.HEXA_MAIL_PROCESSED_FOLDER = "Hexa"
    return box


@pytest.fixture
def business(db, settings):
    """The employees and clients the sample emails were written between."""
    settings.HEXA_MAIL_ADDRESS = HEXA_ADDRESS
    user = factories.user("javier", email="javier.ruiz@empresa.es")
    return {
        "laura": factories.employee("LAURA", name="Laura Gómez", email="laura@empresa.es"),
        "javier": factories.employee("JAVIER", name="Javier Ruiz", email="", user=user),
        "prieto": factories.client("PRIETO", name="Reformas Prieto", email="ana@prieto.es"),
        "bodegas": factories.client(
            "BODEGAS", name="Bodegas Rioja Alta", email="info@bodegasrioja.es"
        ),
        "pepe": factories.client("PEPE", name="Pepe Martín", email="pepe.martin@gmail.com"),
        "obras": factories.client(
            "OBRAS", name="Construcciones Norte", email="obras@construccionesnorte.es"
        ),
        "admin": factories.client(
            "CNADMIN", name="Construcciones Norte (admin.)", email="admin@construccionesnorte.es"
        ),
    }
