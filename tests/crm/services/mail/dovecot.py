"""A real IMAP server for the tests: Debian's dovecot (package dovecot-imapd), started on a
free port with a throwaway configuration, users and mail folder in a temporary folder; plain
sign-in from a passwd-file, no TLS. As root it runs its login and mail processes as
`nobody` (dovecot refuses root for them); as any other user, as that user."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "secret"
USERS = 500


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class TestMailbox:
    server: ImapServer
    user: str

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{PASSWORD}@127.0.0.1:{self.server.port}/INBOX"

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.server.port, timeout=30)
        connection.login(self.user, PASSWORD)
        return connection

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        connection = self.connect()
        try:
            for raw in messages:
                status, data = connection.append(f'"{folder}"', None, None, raw)
                assert status == "OK", data
        finally:
            connection.logout()

    def message_ids(self, folder: str = "INBOX") -> list[str]:
        """The Message-IDs in `folder`, as the server holds them (none: [])."""
        connection = self.connect()
        try:
            status, _data = connection.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            status, data = connection.uid("SEARCH", "UNDELETED")
            found = []
            for uid in (data[0] or b"").split():
                _status, parts = connection.uid(
                    "FETCH", uid.decode(), "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"
                )
                header = parts[0][1].decode() if isinstance(parts[0], tuple) else ""
                found.append(header.split(":", 1)[1].strip() if ":" in header else "")
            return found
        finally:
            connection.logout()


class ImapServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hexa-dovecot-"))
        self.root.chmod(0o755)  # the mail processes (nobody, as root) must reach their home
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            self.login_user, self.uid, self.gid = "nobody", nobody.pw_uid, nobody.pw_gid
        else:
            me = pwd.getpwuid(os.geteuid())
            self.login_user, self.uid, self.gid = me.pw_name, me.pw_uid, me.pw_gid
        # Users made up front: dovecot rereads a changed passwd-file only when its time
        # changes, which a test that adds one within the same second would not see.
        (self.root / "passwd").write_text(
            "".join(f"hexa{n:03d}:{{PLAIN}}{PASSWORD}\n" for n in range(USERS))
        )
        self.next_user = 0
        (self.root / "home").mkdir()
        os.chown(self.root / "home", self.uid, self.gid)
        internal = pwd.getpwuid(os.geteuid()).pw_name
        (self.root / "dovecot.conf").write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = hexa-test-{self.port}
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(os.getegid()).gr_name}
default_login_user = {self.login_user}
first_valid_uid = 0
first_valid_gid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={self.root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            try:
                connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=5)
                connection.logout()
                return
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not answer: {self.log()}")

    def stop(self) -> None:
        """Stop dovecot and every connection it serves (its master ends them)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # The master's children (imap, auth) get SIGTERM from it; wait until the port is free.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                time.sleep(0.1)
            except OSError:
                return

    def mailbox(self) -> TestMailbox:
        """Another user, with an empty mailbox."""
        if self.next_user >= USERS:
            raise RuntimeError(f"More than {USERS} mailboxes asked of one server")
        user = f"hexa{self.next_user:03d}"
        self.next_user += 1
        return TestMailbox(self, user)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
