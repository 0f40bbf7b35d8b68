import XCTest
import ComunicAppCore

final class PagopaTests: XCTestCase {
    func testCodiceAvvisoValidoMostratoAGruppiDiQuattro() throws {
        let nav = try parseNoticeNumber(text: "322201151398574181")
        XCTAssertEqual(nav.digits, "322201151398574181")
        XCTAssertEqual(nav.auxDigit, 3)
        XCTAssertEqual(nav.formatted, "3222 0115 1398 5741 81")
    }

    func testCodiceAvvisoConCifreDiControlloErrateRifiutato() {
        XCTAssertThrowsError(try parseNoticeNumber(text: "302012387654312384")) { error in
            guard case let ApiError.InvalidInput(field: field, code: _, detail: _, retryable: _) = error else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(field, "notice_number")
        }
    }

    func testQrPagopaLettoInCentesimi() throws {
        let notice = try parsePaymentQr(text: "PAGOPA|002|322201151398574181|00000000201|1500")
        XCTAssertEqual(notice.amountCents, 1500)
        XCTAssertEqual(notice.noticeNumber, "322201151398574181")
        XCTAssertEqual(notice.fiscalCode, "00000000201")
    }

    func testQrDiUnTestoCheNonEUnAvvisoRifiutato() {
        for payload in ["", "PAGOPA|002|12345|abc|-1"] {
            XCTAssertThrowsError(try qrMatrix(payload: payload), payload) { error in
                guard case let ApiError.InvalidInput(field: _, code: code, detail: _, retryable: retryable) = error else {
                    return XCTFail("unexpected error \(error)")
                }
                XCTAssertFalse(code.isEmpty)
                XCTAssertFalse(retryable)
            }
        }
    }

    func testRiferimentoRFVerificato() {
        XCTAssertTrue(validateRfReference(text: "RF45w9"))
        XCTAssertFalse(validateRfReference(text: "RF46w9"))
    }
}
