/// The reverse-charge rule: an intra-community supply of goods to a business (VAT Directive
/// art. 138, momsloven § 34 stk. 1 nr. 1) is invoiced at 0 % and the buyer accounts for the VAT.
///
/// It applies when the customer has a VAT number of another EU member state (not `DK`), the
/// goods are **shipped** (goods picked up in the Danish shop are handed over in Denmark: a Danish
/// supply with Danish VAT, whoever the buyer is) and the delivery address (else the billing
/// address) is in an EU member state other than Denmark.
public enum ReverseCharge {
    /// The delivery country the rule looks at: the delivery address, else the billing address, else Denmark.
    public static func country(of customer: Customer) -> String {
        (customer.deliveryAddress ?? customer.billingAddress)?.country ?? "DK"
    }

    /// Whether the rule applies by itself to `customer` with `delivery`.
    public static func applies(customer: Customer, delivery: Delivery) -> Bool {
        refusal(customer: customer, delivery: delivery) == nil && inEUVATArea(customer)
    }

    /// Whether the customer's delivery (else billing) address lies in the EU VAT area
    /// (`VATTerritory`: not the Canary Islands, Åland, …; Monaco counts as France).
    public static func inEUVATArea(_ customer: Customer) -> Bool {
        guard let a = customer.deliveryAddress ?? customer.billingAddress else { return false }
        return VATTerritory.vatCountry(a) != nil
    }

    /// Why reverse charge cannot apply to `customer` with `delivery` even when asked for
    /// (`"reverse_charge": true`), or nil when it may.
    public static func refusal(customer: Customer, delivery: Delivery) -> String? {
        guard let v = customer.vatNumber else { return "reverse charge needs the buyer's VAT number with its EU country prefix" }
        let c = country(of: customer)
        if v.hasPrefix("DK") || c == "DK" {
            return "reverse charge applies to a business in another EU country, not to \(v) delivered to \(c)"
        }
        if delivery.method == "pickup" {
            return "goods picked up in the shop are supplied in Denmark and carry Danish VAT; reverse charge needs shipping to another EU country"
        }
        return nil
    }
}
