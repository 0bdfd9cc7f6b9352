#!/usr/bin/env python3
"""A real SMTP server for the mail tests (aiosmtpd), on 127.0.0.1, saving every accepted
message to a Maildir.

Usage: smtp_server.py MAILDIR [--mode accept|tempfail-first|reject] [--tempfail N] [--delay S] [--no-smtputf8]
Prints `PORT <n>` on stdout once it listens, then serves until killed.

Modes: accept (250 for everything); tempfail-first (the first N recipients get
`451 4.3.0 Try again later`, then 250); reject (every recipient gets
`550 5.1.1 Recipient address rejected: User unknown`). --delay sleeps before answering DATA
(a slow server, for the kill test). SMTPUTF8 is offered unless --no-smtputf8. Each accepted
message's envelope (MAIL FROM, RCPT TO, options) is appended to MAILDIR/envelopes.jsonl.
"""
import argparse
import asyncio
import json
import mailbox
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, maildir, mode, tempfail, delay):
        self.box = mailbox.Maildir(maildir, create=True)
        self.envelopes = os.path.join(maildir, "envelopes.jsonl")
        self.mode = mode
        self.tempfail_left = tempfail
        self.delay = delay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "reject":
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if self.mode == "tempfail-first" and self.tempfail_left > 0:
            self.tempfail_left -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.box.add(envelope.original_content)
        with open(self.envelopes, "a", encoding="utf-8") as f:
            f.write(json.dumps({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                                "mail_options": envelope.mail_options, "smtp_utf8": envelope.smtp_utf8}) + "\n")
        return "250 2.0.0 Message accepted for delivery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("maildir")
    ap.add_argument("--mode", default="accept", choices=["accept", "tempfail-first", "reject"])
    ap.add_argument("--tempfail", type=int, default=1)
    ap.add_argument("--delay", type=float, default=0)
    ap.add_argument("--no-smtputf8", action="store_true", help="do not offer SMTPUTF8 (RFC 6531)")
    a = ap.parse_args()
    port = free_port()
    c = Controller(Handler(a.maildir, a.mode, a.tempfail, a.delay), hostname="127.0.0.1", port=port,
                   server_kwargs={"data_size_limit": 20 * 1024 * 1024, "enable_SMTPUTF8": not a.no_smtputf8})
    c.start()
    print(f"PORT {port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
