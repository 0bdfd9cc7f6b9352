/// The registration of every built-in command, one group per file in this folder.
enum Commands {
    static func registerAll(in r: inout CommandRegistry, configuration: EngineConfiguration) {
        OrderCommands.register(in: &r)
        OrderEditCommands.register(in: &r)
        TagCommands.register(in: &r)
        QueryCommands.register(in: &r)
        PaymentCommands.register(in: &r)
        ShipmentCommands.register(in: &r)
        InvoiceCommands.register(in: &r)
        ReturnCommands.register(in: &r)
        StatusCommands.register(in: &r)
        SettingsCommands.register(in: &r)
        OutboxCommands.register(in: &r)
        MassUpdateCommands.register(in: &r)
        DocumentCommands.register(in: &r)
        InvoiceMail.register(in: &r)
        MailCommands.register(in: &r)
        if let sim = configuration.gateway as? SimulatedGateway {
            SimulatorCommands.register(in: &r, gateway: { sim }, carrier: configuration.carrier as? SimulatedCarrier)
        } else if let backed = configuration.gateway as? SimulatorBacked {
            SimulatorCommands.register(in: &r, gateway: { backed.gatewaySimulator }, carrier: nil)
        }
    }
}
