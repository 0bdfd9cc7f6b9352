import Testing
import OrderCore

@Suite("Danish folding for search")
struct SearchFoldingTests {
    @Test("the spellings of one Danish name fold to one form", arguments: [
        (["Søren", "soren", "soeren", "SØREN", "Soeren", "So\u{308}ren"], "soren"),
        (["Århus", "aarhus", "arhus", "AARHUS", "A\u{30A}rhus"], "arhus"),
        (["Jæger", "jaeger", "JÆGER", "Jäger", "Ja\u{308}ger"], "jaeger"),
        (["Brøndby", "brondby", "broendby"], "brondby"),
        (["Kåre", "kaare", "kare"], "kare"),
        (["Citroën", "citroen", "Citroe\u{308}n", "citron"], "citron"),
        (["Noël", "noel", "Noe\u{301}l"], "nol"),
        (["Müller", "muller"], "muller"),
    ] as [([String], String)])
    func spellings(words: [String], folded: String) {
        for w in words { #expect(SearchFolding.fold(w) == folded, "\(w)") }
    }

    @Test("other characters pass through: digits, e-mail punctuation, other accents")
    func passThrough() {
        #expect(SearchFolding.fold("mette@example.dk 10042") == "mette@example.dk 10042")
        #expect(SearchFolding.fold("Café") == "cafe")
        #expect(SearchFolding.fold("Straße") == "strasse")
        #expect(SearchFolding.fold("") == "")
    }

    @Test("different names stay different")
    func distinct() {
        #expect(SearchFolding.fold("Søren") != SearchFolding.fold("Saren"))
        #expect(SearchFolding.fold("Åse") != SearchFolding.fold("Ese"))
        #expect(SearchFolding.fold("Holm") != SearchFolding.fold("Helm"))
    }
}

@Suite("Search terms, as both stores query them")
struct SearchTermsTests {
    @Test("words are folded, any order; only the last, from three characters, is a prefix; at most 16")
    func terms() {
        #expect(SearchFolding.terms("Holm Jen") == [.init(word: "holm", prefix: false), .init(word: "jen", prefix: true)])
        #expect(SearchFolding.terms("jens ho") == [.init(word: "jens", prefix: false), .init(word: "ho", prefix: false)])
        #expect(SearchFolding.terms("Søren").map(\.word) == ["soren"])
        #expect(SearchFolding.terms("mette@example.dk").map(\.word) == ["mette", "example", "dk"])
        #expect(SearchFolding.terms(" -- ! ").isEmpty)
        #expect(SearchFolding.terms((1...20).map { "w\($0)" }.joined(separator: " ")).count == 16)
    }
}
