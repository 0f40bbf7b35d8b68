import ComunicAppFFI

/// An amount of euro as the core hands it over: integer cents. Parsing, limits and the it-IT text
/// all come from the core, so the app cannot format or round money its own way.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public let cents: Int64

    public init(cents: Int64) {
        self.cents = cents
    }

    /// The core's it-IT text, e.g. "€ 1.000,00".
    public var display: String { formatCents(cents: cents) }

    public var description: String { display }

    /// Reads what a parent typed ("20", "20,50", "€ 1.000,00"); throws `ApiError`.
    public static func parse(_ text: String) throws -> Money {
        try parseAmount(text: text).money
    }
}

extension ParsedAmount {
    public var money: Money { Money(cents: cents) }
}
