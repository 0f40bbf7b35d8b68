import XCTest
import ComunicAppCore

final class MoneyTests: XCTestCase {
    func testImportoConSimboloEuroEVirgola() throws {
        let parsed = try parseAmount(text: "€ 20,50")
        XCTAssertEqual(parsed.cents, 2050)
        XCTAssertEqual(parsed.display, "€ 20,50")
        XCTAssertEqual(try Money.parse("€ 20,50"), Money(cents: 2050))
    }

    func testImportoInFormatoIngleseRifiutatoConChiave() {
        XCTAssertThrowsError(try parseAmount(text: "1,000.00")) { error in
            guard case let ApiError.InvalidInput(field, key, message) = error else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(field, "amount")
            // The key is what the app maps to its string tables: a real key, not prose.
            XCTAssertFalse(key.isEmpty)
            XCTAssertFalse(key.contains(" "), "key: '\(key)'")
            XCTAssertFalse(message.isEmpty)
        }
        XCTAssertThrowsError(try Money.parse("1,000.00"))
    }

    func testFormattazioneItalianaConMigliaia() {
        XCTAssertEqual(formatCents(cents: 100_000), "€ 1.000,00")
        XCTAssertEqual(Money(cents: 100_000).display, "€ 1.000,00")
        XCTAssertEqual(Money(cents: 1).description, "€ 0,01")
    }
}
