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
            guard case let ApiError.InvalidInput(field: field, code: code, detail: message, retryable: retryable) = error else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(field, "amount")
            // The code is what the app branches on and logs: a stable identifier, not prose.
            XCTAssertFalse(code.isEmpty)
            XCTAssertFalse(code.contains(" "), "code: '\(code)'")
            XCTAssertFalse(message.isEmpty)
            // Typing the same text again cannot help: the app must not offer "Riprova".
            XCTAssertFalse(retryable)
        }
        XCTAssertThrowsError(try Money.parse("1,000.00"))
    }

    func testFormattazioneItalianaConMigliaia() {
        XCTAssertEqual(formatCents(cents: 100_000), "€ 1.000,00")
        XCTAssertEqual(Money(cents: 100_000).display, "€ 1.000,00")
        XCTAssertEqual(Money(cents: 1).description, "€ 0,01")
    }
}
