import Testing

/// `oe demo`, the main job, end to end.
@Suite struct DemoTests {
    @Test func demoPrintsTheDaysReport() throws {
        let r = try OE.run(["demo"])
        #expect(r.status == 0, "\(r.stderr)")
        for section in ["Orders by status and payment state", "Captured vs authorised", "Invoices and credit notes",
                        "Tjek betalinger", "Outbox"] {
            #expect(r.stdout.contains(section), "missing section \(section)")
        }
        // The special cases of the day all happened.
        #expect(r.stdout.contains("refused by capture policy") || r.stdout.contains("nothing may be captured"))
        #expect(r.stdout.contains("authorisation expired"))
        #expect(r.stdout.contains("paid again by MobilePay"))
        #expect(r.stdout.contains("declined"))
        #expect(r.stdout.contains("partial capture"))
        #expect(r.stdout.contains("click-and-collect"))
        #expect(r.stdout.contains("EXPIRED"))
        #expect(r.stdout.contains("F-5001"))
        #expect(r.stdout.contains("K-9001"))
        #expect(!r.stdout.contains(" NO "), "a number series has a gap")
        #expect(r.stdout.contains("end of day: 53 orders"))
        // Issue 14: a freight fee and a discount code, on the invoice as gross − discount = net.
        #expect(r.stdout.contains("code VINTER10"))
        #expect(r.stdout.contains("358.00 DKK − 35.80 DKK = 322.20 DKK"))
        #expect(r.stdout.contains("Fragt (GLS pakkeshop) 49.00 DKK"))
        // Issue 14: an edit by phone, and a withdrawal of a whole order refunded with its freight.
        #expect(r.stdout.contains("the customer called → "))
        #expect(r.stdout.contains("withdraws from the purchase → return R-1"))
        #expect(r.stdout.contains("Tjek returneringer: 1 withdrawal(s) to refund within 14 days: R-1 by"))
        #expect(r.stdout.contains("return R-1 is back in the house → status returned"))
        #expect(r.stdout.contains("incl. freight 49.00 DKK"))
        // Issue 14: a German business under reverse charge, a German consumer in EUR under OSS.
        #expect(r.stdout.contains("reverse charge, every line at 0 %"))
        #expect(r.stdout.contains("\"Reverse charge\", buyer DE811907980"))
        #expect(r.stdout.contains("7 % VAT 3.31 EUR, 19 % VAT 13.45 EUR (DE, OSS)"))
        #expect(r.stdout.contains("at 7.4604"))
    }

    @Test func demoRefusesADatabaseWithOrders() throws {
        let db = try OE.tempDatabase()
        #expect(try OE.run(["call", "order.create", OE.orderParams, "--db", db]).status == 0)
        let r = try OE.run(["demo", "--db", db])
        #expect(r.status == 3)
        #expect(r.stderr.contains("already holds 1 orders"))
    }

    @Test func demoOnAFileKeepsTheDatabase() throws {
        let db = try OE.tempDatabase()
        #expect(try OE.run(["demo", "--db", db, "--durability", "normal"]).status == 0)
        let count = try OE.run(["call", "order.count", "{}", "--db", db, "--compact"])
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"count":53}"#)
    }
}
