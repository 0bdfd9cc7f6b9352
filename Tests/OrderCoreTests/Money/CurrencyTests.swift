import Testing
@testable import OrderCore

@Suite("Currency and amounts")
struct CurrencyTests {
    @Test("format writes minor units with the currency's decimals", arguments: [
        (12_345, "123.45 DKK"), (1_234_567, "12345.67 DKK"), (0, "0.00 DKK"), (5, "0.05 DKK"), (50, "0.50 DKK"),
        (100, "1.00 DKK"), (25_990, "259.90 DKK"), (-12_345, "-123.45 DKK"), (-5, "-0.05 DKK"), (-100, "-1.00 DKK"),
        (Amounts.max, "1000000000000.00 DKK"), (Int64.max, "92233720368547758.07 DKK"), (Int64.min, "-92233720368547758.08 DKK"),
    ] as [(Int64, String)])
    func formatDKK(minor: Int64, text: String) {
        #expect(Currency.dkk.format(minor) == text)
    }

    @Test("zero-decimal currencies have no decimal point")
    func zeroDecimal() throws {
        let isk = try #require(Currency(code: "ISK"))
        #expect(isk.minorUnits == 0)
        #expect(isk.format(12_345) == "12345 ISK")
        #expect(isk.format(0) == "0 ISK")
        let jpy = try #require(Currency(code: "JPY"))
        #expect(jpy.format(-500) == "-500 JPY")
    }

    @Test("two-decimal currencies other than DKK")
    func twoDecimal() throws {
        for code in ["EUR", "SEK", "NOK", "USD", "GBP"] {
            let c = try #require(Currency(code: code))
            #expect(c.minorUnits == 2)
            #expect(c.format(199) == "1.99 \(code)")
        }
    }

    @Test("only three upper-case ASCII letters make a currency", arguments: ["dkk", "Dkk", "DK", "DKKK", "", "D1K", "DK ", "ÆØÅ", " DK", "D-K"])
    func invalidCodes(code: String) {
        #expect(Currency(code: code) == nil)
    }

    @Test("three letters that are no ISO 4217 currency, or a withdrawn one, are refused", arguments: ["ABC", "XYZ", "HRK", "SLL", "XAU", "XXX", "DKR", "EUO"])
    func notISO4217(code: String) {
        #expect(Currency(code: code) == nil)
    }

    @Test("minor units come from the ISO 4217 table", arguments: [
        ("DKK", 2), ("EUR", 2), ("SEK", 2), ("JPY", 0), ("ISK", 0), ("KRW", 0), ("XOF", 0), ("KWD", 3), ("BHD", 3),
        ("OMR", 3), ("TND", 3), ("CLF", 4), ("CHF", 2), ("MGA", 2), ("XCG", 2), ("ZWG", 2),
    ] as [(String, Int)])
    func minorUnits(code: String, units: Int) throws {
        #expect(try #require(Currency(code: code)).minorUnits == units)
    }

    @Test("three-decimal currencies format with three decimals")
    func threeDecimals() throws {
        let kwd = try #require(Currency(code: "KWD"))
        #expect(kwd.format(12_345) == "12.345 KWD")
        #expect(kwd.format(5, for: .da) == "0,005 KWD")
        #expect(kwd.format(1_234_567, for: .en) == "KWD 1,234.567")
    }

    @Test("the table has no code twice and only three upper-case letters")
    func tableShape() {
        #expect(ISO4217.twoDecimals.isDisjoint(with: ISO4217.exceptions.keys))
        for code in ISO4217.twoDecimals.union(ISO4217.exceptions.keys) {
            #expect(code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }, "\(code)")
        }
        #expect(ISO4217.twoDecimals.count + ISO4217.exceptions.count > 150)
    }

    @Test("DKK is the default and compares equal to a parsed DKK")
    func dkk() {
        #expect(Currency(code: "DKK") == .dkk)
        #expect(Currency.dkk.code == "DKK")
        #expect(Currency.dkk.minorUnits == 2)
        #expect(Currency.dkk.description == "DKK")
    }

    @Test("checked multiply and add refuse overflow and amounts above the maximum, naming the field")
    func checkedArithmetic() throws {
        #expect(try Amounts.multiply(1_000_000, 100_000_000, field: "x") == Amounts.max)
        #expect(try Amounts.add(Amounts.max - 1, 1, field: "x") == Amounts.max)
        expectOrderError(.invalid, "lines[0].unit_price: amount exceeds the maximum of 100000000000000", field: "lines[0].unit_price") {
            _ = try Amounts.multiply(1_000_000, 100_000_001, field: "lines[0].unit_price")
        }
        expectOrderError(.invalid, "exceeds the maximum", field: "m") { _ = try Amounts.multiply(Int64.max, 2, field: "m") }
        expectOrderError(.invalid, "exceeds the maximum", field: "total") { _ = try Amounts.add(Amounts.max, 1, field: "total") }
        expectOrderError(.invalid, "exceeds the maximum", field: "total") { _ = try Amounts.add(Int64.max, 1, field: "total") }
    }
}

/// Amounts as a customer reads them, in Danish and English.
@Suite struct CustomerAmountTests {
    @Test func danishAndEnglishForms() {
        #expect(Currency.dkk.format(105_700, for: .da) == "1.057,00 kr.")
        #expect(Currency.dkk.format(105_700, for: .en) == "DKK 1,057.00")
        #expect(Currency.dkk.format(5, for: .da) == "0,05 kr.")
        #expect(Currency.dkk.format(123_456_789_00, for: .da) == "123.456.789,00 kr.")
        #expect(Currency.dkk.format(-1_000_00, for: .en) == "DKK -1,000.00")
        #expect(Currency(code: "EUR")!.format(99_95, for: .da) == "99,95 EUR")
        #expect(Currency(code: "ISK")!.format(12_500, for: .en) == "ISK 12,500")
    }
}
