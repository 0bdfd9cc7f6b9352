/// The built-in statuses of a Danish shop (labels as DanDomain and Mystore merchants know
/// them), their transitions, and their e-mail templates in Danish and English.
///
/// ```
/// pending_payment → received, cancelled
/// received        → processing, shipped, ready_for_pickup, cancelled
/// processing      → shipped, ready_for_pickup, received, cancelled
/// shipped         → delivered, returned
/// ready_for_pickup→ picked_up, cancelled
/// picked_up       → returned
/// delivered       → returned
/// cancelled, returned: final
/// ```
public enum DefaultStatuses {
    private static func mail(_ daSubject: String, _ daBody: String, _ enSubject: String, _ enBody: String) -> [Language: EmailTemplate] {
        [.da: EmailTemplate(subject: daSubject, body: daBody), .en: EmailTemplate(subject: enSubject, body: enBody)]
    }

    private static let daSign = "\n\nVenlig hilsen\n{{shop_name}}\n"
    private static let enSign = "\n\nKind regards,\n{{shop_name}}\n"

    /// The definitions, in display order.
    public static let all: [StatusDefinition] = [
        StatusDefinition(
            key: "pending_payment", labels: [.da: "Ikke modtaget", .en: "Payment not received"],
            transitions: ["received", "cancelled"], builtIn: true),
        StatusDefinition(
            key: "received", labels: [.da: "Ikke behandlet", .en: "Not processed"],
            transitions: ["processing", "shipped", "ready_for_pickup", "cancelled"],
            email: mail(
                "Tak for din ordre {{order}}", "Kære {{customer_name}}\n\nVi har modtaget din ordre {{order}} på {{total}}." + daSign,
                "Thank you for your order {{order}}", "Dear {{customer_name}}\n\nWe have received your order {{order}} of {{total}}." + enSign),
            builtIn: true),
        StatusDefinition(
            key: "processing", labels: [.da: "Under behandling", .en: "Processing"],
            transitions: ["shipped", "ready_for_pickup", "received", "cancelled"], builtIn: true),
        StatusDefinition(
            key: "shipped", labels: [.da: "Afsendt", .en: "Shipped"],
            transitions: ["delivered", "returned"],
            email: mail(
                "Din ordre {{order}} er afsendt",
                "Kære {{customer_name}}\n\nDin ordre {{order}} er afsendt.{{#tracking}}\nForsendelsen kan følges hos {{carrier}} med sporingsnummer {{tracking}}.{{/tracking}}" + daSign,
                "Your order {{order}} has been shipped",
                "Dear {{customer_name}}\n\nYour order {{order}} has been shipped.{{#tracking}}\nTrack it with {{carrier}}, number {{tracking}}.{{/tracking}}" + enSign),
            builtIn: true),
        StatusDefinition(
            key: "ready_for_pickup", labels: [.da: "Klar til afhentning", .en: "Ready for pickup"],
            transitions: ["picked_up", "cancelled"],
            email: mail(
                "Din ordre {{order}} er klar til afhentning",
                "Kære {{customer_name}}\n\nDin ordre {{order}} er klar til afhentning i {{location}}. Husk at medbringe ordrenummeret." + daSign,
                "Your order {{order}} is ready for pickup",
                "Dear {{customer_name}}\n\nYour order {{order}} is ready for pickup at {{location}}. Please bring the order number." + enSign),
            builtIn: true),
        StatusDefinition(
            key: "picked_up", labels: [.da: "Afhentet", .en: "Picked up"],
            transitions: ["returned"],
            email: mail(
                "Tak for din afhentning af ordre {{order}}", "Kære {{customer_name}}\n\nDu har afhentet din ordre {{order}}. God fornøjelse!" + daSign,
                "Thank you for picking up order {{order}}", "Dear {{customer_name}}\n\nYou have picked up your order {{order}}. Enjoy!" + enSign),
            builtIn: true),
        StatusDefinition(
            key: "delivered", labels: [.da: "Leveret", .en: "Delivered"], transitions: ["returned"], builtIn: true),
        StatusDefinition(
            key: "cancelled", labels: [.da: "Annulleret", .en: "Cancelled"], transitions: [],
            email: mail(
                "Din ordre {{order}} er annulleret", "Kære {{customer_name}}\n\nDin ordre {{order}} er annulleret.{{#reservation}} Vi har bedt om at få reservationen på {{reservation}} på dit kort frigivet.{{#reservation_expires}} Den bortfalder under alle omstændigheder senest {{reservation_expires}}.{{/reservation_expires}}{{/reservation}}" + daSign,
                "Your order {{order}} has been cancelled", "Dear {{customer_name}}\n\nYour order {{order}} has been cancelled.{{#reservation}} We have asked for the reservation of {{reservation}} on your card to be released.{{#reservation_expires}} It lapses by {{reservation_expires}} in any case.{{/reservation_expires}}{{/reservation}}" + enSign),
            builtIn: true),
        StatusDefinition(
            key: "returned", labels: [.da: "Returneret", .en: "Returned"], transitions: [],
            email: mail(
                "Vi har modtaget din returnering af ordre {{order}}", "Kære {{customer_name}}\n\nVi har modtaget din returnering af ordre {{order}}." + daSign,
                "We have received your return of order {{order}}", "Dear {{customer_name}}\n\nWe have received your return of order {{order}}." + enSign),
            builtIn: true),
    ]
}
