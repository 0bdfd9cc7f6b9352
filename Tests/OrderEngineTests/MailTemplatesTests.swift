import OrderCore
import Testing
@testable import OrderEngine

/// Status e-mails are rendered from cached skeletons; what they render must be exactly what
/// swift-mustache renders for the same template and values.
@Suite struct MailTemplatesTests {
    static let templates = [
        "Kære {{customer_name}}, ordre {{order}} er {{status}}.",
        "{{#tracking}}Følg den hos {{carrier}}: {{tracking}}{{/tracking}}{{^tracking}}Ingen sporing.{{/tracking}}",
        "{{#tracking}}[{{.}}]{{/tracking}} {{{customer_name}}} {{! a comment }}{{missing}}|",
        "{{#location}}Afhent i {{location}}{{/location}}\n{{shop_name}}",
        "{{order}}{{order}}{{order}}",
        "Ingen variabler overhovedet.",
        "",
        "{{#carrier}}{{#tracking}}{{carrier}}/{{tracking}}{{/tracking}}{{/carrier}}",
    ]
    static let valueSets: [[String: String]] = [
        ["customer_name": "Jensen & Co <ApS>", "order": "W-10001", "status": "Afsendt", "shop_name": "Kaffebaren"],
        ["customer_name": "Ida", "order": "W-2", "status": "Shipped", "tracking": "GLS-00000001", "carrier": "GLS", "shop_name": "S"],
        ["customer_name": "{{order}}", "order": "{{#tracking}}x{{/tracking}}", "location": "Butikken, Vesterbro", "tracking": ""],
        ["customer_name": "Æble Øster Åsen 😀", "order": "1", "tracking": "T", "carrier": ""],
        ["customer_name": "bell\u{1}in the name\u{2}", "order": "3"],
        [:],
    ]

    @Test(arguments: templates)
    func skeletonsRenderWhatSwiftMustacheRenders(template: String) throws {
        for values in Self.valueSets {
            // Twice: the first builds the skeleton, the second uses it.
            for _ in 0..<2 {
                #expect(try MailTemplates.render(template, values) == MailTemplates.renderDirectly(template, values),
                        "template \(template.debugDescription), values \(values)")
            }
        }
    }

    @Test func valuesAreInsertedAsWrittenNotAsTemplates() throws {
        let out = try MailTemplates.render("Hej {{customer_name}} ({{order}})", ["customer_name": "{{order}} & <b>", "order": "W-1"])
        #expect(out == "Hej {{order}} & <b> (W-1)")
    }

    @Test func aTemplateWithAMarkerCharacterStillRenders() throws {
        let template = "a\u{1}0\u{2}b {{order}}"
        #expect(try MailTemplates.render(template, ["order": "7"]) == "a\u{1}0\u{2}b 7")
    }

    @Test func aBrokenTemplateIsRefusedNamingTheField() throws {
        #expect {
            try MailTemplates.validate("{{#open}} never closed", field: "email.da.body")
        } throws: { e in
            (e as? OrderError)?.code == .invalid && (e as? OrderError)?.message.contains("email.da.body") == true
        }
    }
}
