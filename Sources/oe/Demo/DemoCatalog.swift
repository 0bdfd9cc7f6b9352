import OrderCore

/// The shop of the demo: a Danish coffee shop, its products and customers. Fixed data, so the
/// demo prints the same report on every machine.
enum DemoCatalog {
    struct Product {
        var sku: String
        var name: String
        var price: Int64
        var vatRate: Int64 = 2500
        var prepayable = false
    }

    static let products: [Product] = [
        Product(sku: "KAF-ESP", name: "Espressobønner 1 kg", price: 17900),
        Product(sku: "KAF-FIL", name: "Filterkaffe 500 g", price: 8900),
        Product(sku: "KRUS", name: "Kaffekrus, stentøj", price: 12900),
        Product(sku: "KVARN", name: "Kaffekværn, manuel", price: 59900),
        Product(sku: "V60", name: "Brygger V60", price: 24900),
        Product(sku: "FILTER", name: "Filterposer 100 stk.", price: 3900),
        Product(sku: "BOG", name: "Bog: Kaffens historie", price: 29900),
    ]

    /// Made to order: may be captured before it leaves the house.
    static let engraving = Product(sku: "GRAVERING", name: "Gravering af krus", price: 9900, prepayable: true)
    /// A gift card: a multi-purpose voucher, no VAT at sale, delivered at once.
    static let giftCard = Product(sku: "GAVEKORT-500", name: "Gavekort 500 kr.", price: 50000, vatRate: 0, prepayable: true)

    static let customers: [(name: String, email: String, street: String, postal: String, city: String, lang: String)] = [
        ("Mette Jensen", "mette.jensen@example.dk", "Vestergade 12", "8000", "Aarhus C", "da"),
        ("Lars Nielsen", "lars.nielsen@example.dk", "Nørrebrogade 45", "2200", "København N", "da"),
        ("Sofie Hansen", "sofie@example.dk", "Overgade 3", "5000", "Odense C", "da"),
        ("Anders Pedersen", "anders.p@example.dk", "Boulevarden 8", "9000", "Aalborg", "da"),
        ("Camilla Andersen", "camilla.a@example.dk", "Kongensgade 21", "6700", "Esbjerg", "da"),
        ("Peter Christensen", "pc@example.dk", "Algade 5", "4000", "Roskilde", "da"),
        ("Emma Larsen", "emma.larsen@example.dk", "Søndergade 17", "7100", "Vejle", "da"),
        ("Oliver Sørensen", "oliver.s@example.dk", "Torvet 2", "6000", "Kolding", "da"),
        ("Ida Rasmussen", "ida.r@example.dk", "Jernbanegade 9", "8600", "Silkeborg", "da"),
        ("Frederik Jørgensen", "frederik.j@example.dk", "Adelgade 30", "8700", "Horsens", "da"),
        ("Sarah Miller", "sarah.miller@example.com", "Strandvejen 100", "2900", "Hellerup", "en"),
        ("Tom Becker", "tom.becker@example.de", "Havnegade 4", "6400", "Sønderborg", "en"),
        ("Karen Madsen", "karen.madsen@example.dk", "Bredgade 70", "7400", "Herning", "da"),
        ("Niels Kristensen", "niels.k@example.dk", "Storegade 11", "8900", "Randers", "da"),
    ]

    static let methods = ["visa", "visa", "visa", "dankort", "dankort", "mobilepay", "mobilepay", "mastercard", "mastercard", "klarna"]
    static let carriers = ["GLS", "PostNord", "DAO"]
    static let pickupLocation = "Butikken, Jægergårdsgade 50, 8000 Aarhus C"
}

/// A tiny deterministic random source (a linear congruential generator), so the demo is
/// the same on every run.
struct DemoRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}
