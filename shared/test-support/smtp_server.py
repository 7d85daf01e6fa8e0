"""A real SMTP server for tests (aiosmtpd): AUTH PLAIN/LOGIN with one user, every message
saved as <dir>/<n>.eml. Usage: smtp_server.py <port> <dir> <user> <password>"""
import asyncio
import pathlib
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, folder, user, password = int(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3], sys.argv[4]
folder.mkdir(parents=True, exist_ok=True)


class Saver:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        header = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {','.join(envelope.rcpt_tos)}\r\n"
        (folder / f"{self.count}.eml").write_bytes(header.encode() + envelope.content)
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    # handled=False: aiosmtpd then answers 535 itself (handled=True would send nothing).
    return AuthResult(success=ok, handled=False)


controller = Controller(
    Saver(), hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False, auth_required=True
)
controller.start()
print("ready", flush=True)
try:
    asyncio.get_event_loop().run_forever()
except KeyboardInterrupt:
    pass
finally:
    controller.stop()
