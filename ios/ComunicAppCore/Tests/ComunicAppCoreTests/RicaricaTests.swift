import Foundation
import XCTest
import ComunicAppCore

/// The parent's top-up stories through the generated bindings, against the real sandbox portal
/// and its pagoPA checkout over HTTP on 127.0.0.1. Each story tops up a different child or
/// service, so the balances one story checks are not moved by another sharing the same sandbox.
final class RicaricaTests: XCTestCase {
    private var storage = InMemorySecureStorage()

    override func setUp() {
        storage = InMemorySecureStorage()
    }

    /// A fresh app data folder, deleted after the test.
    private func dataDir() throws -> String {
        let dir = try Sandbox.tempDataDir()
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// Logged in and refreshed: the catalog and the children are in the cache.
    private func readyApp(dataDir: String? = nil) async throws -> ComunicApp {
        let app = try await Sandbox.loggedIn(dataDir: try dataDir ?? self.dataDir(), storage: storage)
        _ = try await app.refresh()
        return app
    }

    private func childId(_ app: ComunicApp, named name: String) throws -> String {
        let matching = try app.saldo().children.filter { $0.name == name }
        guard matching.count == 1 else { throw SandboxError.browser("no single child named \(name)") }
        return matching[0].childId
    }

    private func balance(_ app: ComunicApp, child: String, service: String) throws -> Int64 {
        let services = try app.saldo().children.filter { $0.childId == child }.flatMap(\.services)
        guard let found = services.first(where: { $0.serviceCode == service }) else {
            throw SandboxError.browser("no \(service) for \(child)")
        }
        return found.balanceCents
    }

    private func stepOf(_ app: ComunicApp, localId: String) throws -> RicaricaStep? {
        try app.ricariche().first { $0.localId == localId }?.step
    }

    /// Composes a one-item draft up to the Riepilogo, as the parent taps through the screens.
    private func composeToRiepilogo(
        _ app: ComunicApp, child: String, service: String, cents: Int64, mode: PaymentMode
    ) async throws {
        let email = try await app.ricaricaOptions(childIds: [child]).payerEmail
        _ = try await app.ricaricaDraftApply(action: .choosePreset(cents: cents))
        _ = try await app.ricaricaDraftApply(action: .addItem(childId: child, serviceCode: service))
        let checking = try await app.ricaricaDraftApply(action: .confirmCart(payerEmail: email))
        XCTAssertEqual(checking.step, .checkingEmail)
        let choosing = try await app.ricaricaDraftApply(action: .confirmEmail)
        XCTAssertEqual(choosing.step, .choosingMode)
        let riepilogo = try await app.ricaricaDraftApply(action: .chooseMode(mode: mode))
        XCTAssertEqual(riepilogo.step, .riepilogo)
    }

    /// Starts of the app (resume_pending) until the portal registers `localId`, within 20 s.
    private func untilRegistered(_ app: ComunicApp, localId: String) async throws -> RicaricaView? {
        let deadline = Date().addingTimeInterval(20)
        while true {
            let resumed = try await app.resumePending().first { $0.localId == localId }
            let view = try resumed ?? app.ricariche().first { $0.localId == localId }
            if view?.step != .paidAwaitingRegistration || Date() > deadline { return view }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
    }

    /// The error an async call threw, or a failure if it returned.
    private func thrownError<T>(_ call: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async -> Error? {
        do {
            _ = try await call()
            XCTFail("expected an error", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testRicaricaDa20EuroRefezioneOnlinePagata() async throws {
        let app = try await readyApp()
        let giulia = try childId(app, named: "Giulia")
        let before = try balance(app, child: giulia, service: "refezione")

        let options = try await app.ricaricaOptions(childIds: [giulia])
        XCTAssertEqual(options.children.count, 1)
        let refezione = options.children.first?.services.first { $0.code == "refezione" }
        XCTAssertEqual(refezione?.presets.map(\.amountCents), [1_000, 2_000, 5_000, 10_000])
        XCTAssertEqual(refezione?.presets.map(\.label), [
            "Ricarica da 10 euro", "Ricarica da 20 euro", "Ricarica da 50 euro", "Ricarica da 100 euro",
        ])
        XCTAssertTrue(options.emailOk, options.emailMessage)

        try await composeToRiepilogo(app, child: giulia, service: "refezione", cents: 2_000, mode: .online)
        let riepilogo = try await app.riepilogo()
        XCTAssertEqual(riepilogo.totalLabel, "Totale Pagamento: € 20,00")
        XCTAssertEqual(riepilogo.totalCents, 2_000)
        XCTAssertEqual(riepilogo.commissionNote, options.commissionNote)
        XCTAssertTrue(riepilogo.commissionNote.contains("commissione che varia in base al canale di pagamento"),
                      riepilogo.commissionNote)

        let submitted = try await app.submit()
        XCTAssertEqual(submitted.step, .inCheckout)
        XCTAssertNil(submitted.avviso)
        guard let checkout = submitted.checkout else { return XCTFail("no checkout in \(submitted)") }

        let back = try await Checkout.press(checkoutUrl: checkout.checkoutUrl, button: "pay")
        XCTAssertEqual(back, checkout.returnOkUrl, "pagoPA appends nothing to the return URL")
        let returned = try await app.handleReturnUrl(url: back)
        XCTAssertEqual(returned.localId, submitted.localId)
        XCTAssertTrue([.paidAwaitingRegistration, .registered].contains(returned.step), "\(returned.step)")
        if returned.step == .paidAwaitingRegistration {
            XCTAssertEqual(returned.message, "Pagamento ricevuto: la ricarica sarà registrata entro 24 ore")
        }

        // poll_until_settled stops at the payment's outcome; the registration (up to 24 h on a
        // real portal, 2 s in the sandbox) is what resume_pending finds at a later start.
        let polled = try await app.pollUntilSettled(localId: submitted.localId, budgetSeconds: 20)
        XCTAssertTrue([.paidAwaitingRegistration, .registered].contains(polled.step), "\(polled.step)")
        let settled = try await untilRegistered(app, localId: submitted.localId)
        XCTAssertEqual(settled?.step, .registered)
        XCTAssertEqual(settled?.settled, true)
        XCTAssertFalse(try app.pendingRicariche().contains { $0.localId == submitted.localId })

        _ = try await app.refresh()
        XCTAssertEqual(try balance(app, child: giulia, service: "refezione"), before + 2_000)
    }

    func testAvvisoScuolabus() async throws {
        let app = try await readyApp()
        let giulia = try childId(app, named: "Giulia")
        try await composeToRiepilogo(app, child: giulia, service: "scuolabus", cents: 5_000, mode: .avviso)
        let view = try await app.submit()
        XCTAssertEqual(view.step, .avvisoIssued)
        XCTAssertNil(view.checkout)
        guard let avviso = view.avviso else { return XCTFail("no avviso in \(view)") }

        XCTAssertEqual(avviso.noticeNumber.count, 18)
        XCTAssertTrue(avviso.noticeNumber.allSatisfy { ("0"..."9").contains($0) }, avviso.noticeNumber)
        XCTAssertEqual(avviso.noticeNumberDisplay, groupsOfFour(avviso.noticeNumber))
        XCTAssertEqual(avviso.amountCents, 5_000)
        XCTAssertEqual(avviso.amountDisplay, "€ 50,00")
        XCTAssertEqual(avviso.qrPayload,
                       "PAGOPA|002|\(avviso.noticeNumber)|\(avviso.fiscalCode)|\(avviso.amountCents)")
        let scanned = try parsePaymentQr(text: avviso.qrPayload)
        XCTAssertEqual(scanned.noticeNumber, avviso.noticeNumber)
        XCTAssertEqual(scanned.fiscalCode, avviso.fiscalCode)
        XCTAssertEqual(scanned.amountCents, avviso.amountCents)
        XCTAssertFalse(avviso.whereToPay.isEmpty)
        XCTAssertFalse(avviso.whereToPay.contains { $0.trimmingCharacters(in: .whitespaces).isEmpty })

        _ = try await app.refresh()
        XCTAssertTrue(try app.pagamenti().avvisiDaPagare.contains { $0.noticeNumber == avviso.noticeNumber })

        // Paid at the tobacconist, so the sandbox's "Avvisi da pagare" is as the other tests expect.
        try await Checkout.payAvvisoElsewhere(noticeNumber: avviso.noticeNumber)
        _ = try await app.refresh()
        XCTAssertFalse(try app.pagamenti().avvisiDaPagare.contains { $0.noticeNumber == avviso.noticeNumber })
    }

    func testDatiSbagliatiNonCambianoNulla() async throws {
        let app = try await readyApp()
        let luca = try childId(app, named: "Luca")
        _ = try await app.ricaricaDraftApply(action: .choosePreset(cents: 1_000))
        let draft = try await app.ricaricaDraftApply(action: .addItem(childId: luca, serviceCode: "refezione"))
        let badAmount = await thrownError { try await app.ricaricaDraftApply(action: .chooseCustom(text: "1,000.00")) }
        guard case let ApiError.InvalidInput(field: _, code: code, detail: _, retryable: retryable)? = badAmount else {
            return XCTFail("expected ApiError.InvalidInput, got \(String(describing: badAmount))")
        }
        XCTAssertFalse(code.isEmpty)
        XCTAssertFalse(retryable)
        let unchanged = try await app.ricaricaDraft()
        XCTAssertEqual(unchanged, draft)

        let email = try await app.ricaricaOptions(childIds: [luca]).payerEmail
        _ = try await app.ricaricaDraftApply(action: .confirmCart(payerEmail: email))
        _ = try await app.ricaricaDraftApply(action: .confirmEmail)
        _ = try await app.ricaricaDraftApply(action: .chooseMode(mode: .online))
        let submitted = try await app.submit()
        guard let checkout = submitted.checkout else { return XCTFail("no checkout in \(submitted)") }

        let forged = try withForgedState(checkout.returnOkUrl)
        XCTAssertNotEqual(forged, checkout.returnOkUrl)
        let rejected = await thrownError { try await app.handleReturnUrl(url: forged) }
        guard case let ApiError.ReturnUrlRejected(code: _, detail: _, retryable: retryable)? = rejected else {
            return XCTFail("expected ApiError.ReturnUrlRejected, got \(String(describing: rejected))")
        }
        XCTAssertFalse(retryable, "a forged return URL stays forged")
        XCTAssertEqual(try stepOf(app, localId: submitted.localId), .inCheckout)

        let back = try await Checkout.press(checkoutUrl: checkout.checkoutUrl, button: "pay")
        XCTAssertEqual(back, checkout.returnOkUrl)
        let first = try await app.handleReturnUrl(url: back)
        XCTAssertNotEqual(first.step, .inCheckout)
        let stepAfterFirst = try stepOf(app, localId: submitted.localId)
        let replayed = await thrownError { try await app.handleReturnUrl(url: back) }
        guard case ApiError.ReturnUrlRejected? = replayed else {
            return XCTFail("expected ApiError.ReturnUrlRejected, got \(String(describing: replayed))")
        }
        XCTAssertEqual(try stepOf(app, localId: submitted.localId), stepAfterFirst)
    }

    func testLaBozzaSopravviveAllaChiusuraDellApp() async throws {
        let dataDir = try dataDir()
        let composed: DraftView
        do {
            let app = try await readyApp(dataDir: dataDir)
            let giulia = try childId(app, named: "Giulia")
            let luca = try childId(app, named: "Luca")
            let email = try await app.ricaricaOptions(childIds: [giulia, luca]).payerEmail
            _ = try await app.ricaricaDraftApply(action: .chooseCustom(text: "12,50"))
            _ = try await app.ricaricaDraftApply(action: .addItem(childId: giulia, serviceCode: "refezione"))
            _ = try await app.ricaricaDraftApply(action: .choosePreset(cents: 2_000))
            _ = try await app.ricaricaDraftApply(action: .addItem(childId: luca, serviceCode: "refezione"))
            composed = try await app.ricaricaDraftApply(action: .confirmCart(payerEmail: email))
        }
        XCTAssertEqual(composed.step, .checkingEmail)
        XCTAssertEqual(composed.items.map(\.amountCents), [1_250, 2_000])
        XCTAssertEqual(composed.totalLabel, "Totale Pagamento: € 32,50")

        // The first app object went out of scope above: this one only has the data folder.
        let reopened = try Sandbox.open(dataDir: dataDir, storage: storage)
        let restored = try await reopened.ricaricaDraft()
        XCTAssertEqual(restored, composed)
        let next = try await reopened.ricaricaDraftApply(action: .confirmEmail)
        XCTAssertEqual(next.step, .choosingMode)
        XCTAssertEqual(next.items, composed.items)
    }

    /// The return URL with its state's secret part altered: the right path, the wrong state.
    private func withForgedState(_ returnUrl: String) throws -> String {
        guard let range = returnUrl.range(of: "state=[^&]*", options: .regularExpression) else {
            throw SandboxError.browser("no state in \(returnUrl)")
        }
        let state = returnUrl[range].dropFirst("state=".count)
        guard let dot = state.firstIndex(of: "."), state.index(after: dot) < state.endIndex else {
            throw SandboxError.browser("state without a secret: \(state)")
        }
        let secret = state[state.index(after: dot)...]
        let altered = (secret.first == "A" ? "B" : "A") + secret.dropFirst()
        return returnUrl.replacingCharacters(in: range, with: "state=\(state[...dot])\(altered)")
    }

    private func groupsOfFour(_ digits: String) -> String {
        var groups: [String] = []
        var rest = Substring(digits)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(4)))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: " ")
    }
}
