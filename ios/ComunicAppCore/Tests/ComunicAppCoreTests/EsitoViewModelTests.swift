import Foundation
import XCTest
import ComunicAppCore

/// After PROSEGUI, through HomeViewModel as the app shell uses it: the checkout in the browser,
/// the esito of each outcome (cancelled, failed, the browser closed and pagoPA reopened, a return
/// through a Universal Link), the avviso of "Genera avviso pagamento", a forged link refused, a
/// notification's destination, and the background run — against the sandbox. Luca's refezione
/// is never paid here, so no balance another story checks moves.
@MainActor
final class EsitoViewModelTests: XCTestCase {
    private let storage = MemorySecureStorage()

    private func home(_ browser: SandboxBrowser) async throws -> (HomeViewModel, ComunicApp) {
        let app = try await Sandbox.loggedIn(dataDir: try dataDir(for: self), storage: storage)
        _ = try await app.refresh()
        let (platform, _, _) = testPlatform(browser)
        return (HomeViewModel(app: app, platform: platform), app)
    }

    /// "+" on the card, the preset, Ricarica, ✓ Procedi!, the mode, PROSEGUI.
    private func prosegui(_ home: HomeViewModel, child: String, service: String, cents: Int64,
                          mode: PaymentMode) async throws {
        home.startRicarica(ServiceSelection(childId: child, serviceCode: service))
        let ricarica = try XCTUnwrap(home.ricarica)
        await ricarica.load()
        await ricarica.choosePreset(try XCTUnwrap(ricarica.presets.first { $0.amountCents == cents }))
        await ricarica.ricarica()
        await ricarica.confirmEmail()
        await ricarica.chooseMode(mode)
        XCTAssertEqual(ricarica.step, .riepilogo, "\(String(describing: ricarica.error))")
        await ricarica.prosegui()
        XCTAssertNil(ricarica.error, "\(String(describing: ricarica.error))")
        XCTAssertNil(home.ricarica, "the sheet closes at PROSEGUI")
    }

    private func esitoPhase(_ home: HomeViewModel, becomes phase: EsitoViewModel.Phase) async -> Bool {
        await until(20) { home.esito?.phase == phase }
    }

    func testPagamentoAnnullatoInPagoPA() async throws {
        let (home, app) = try await home(SandboxBrowser(checkoutButton: "cancel"))
        try await prosegui(home, child: try childId(app, named: "Luca"), service: "refezione", cents: 1_000, mode: .online)
        let esito = try XCTUnwrap(home.esito)
        XCTAssertEqual(esito.phase, .inCheckout)
        screenTask(self) { await esito.start() }
        let cancelled = await esitoPhase(home, becomes: .cancelled)
        XCTAssertTrue(cancelled, "\(esito.phase): \(esito.ricarica.message)")
        XCTAssertFalse(esito.ricarica.message.isEmpty)
        XCTAssertTrue(esito.ricarica.settled)
        XCTAssertNil(esito.error)

        // "Riprova il pagamento": a new ricarica for the same child and service.
        home.retry(esito)
        XCTAssertNil(home.esito)
        let again = try XCTUnwrap(home.ricarica)
        await again.load()
        XCTAssertEqual(again.selectedChildId, esito.ricarica.items.first?.childId)
        XCTAssertEqual(again.selectedService?.code, "refezione")
        XCTAssertEqual(again.step, .composing)
        XCTAssertEqual(again.draft?.items.count, 0, "the submitted draft is gone")
    }

    func testPagamentoNonRiuscito() async throws {
        let (home, app) = try await home(SandboxBrowser(checkoutButton: "fail"))
        try await prosegui(home, child: try childId(app, named: "Luca"), service: "refezione", cents: 1_000, mode: .online)
        let esito = try XCTUnwrap(home.esito)
        screenTask(self) { await esito.start() }
        let failed = await esitoPhase(home, becomes: .failed)
        XCTAssertTrue(failed, "\(esito.phase): \(esito.ricarica.message)")
        XCTAssertFalse(esito.ricarica.message.isEmpty)
    }

    func testBrowserChiusoPoiRiapriPagoPA() async throws {
        let browser = SandboxBrowser(checkoutButton: nil)
        let (home, app) = try await home(browser)
        try await prosegui(home, child: try childId(app, named: "Luca"), service: "refezione", cents: 1_000, mode: .online)
        let esito = try XCTUnwrap(home.esito)
        screenTask(self) { await esito.start() }
        let opened = await until { browser.opened.count == 1 && !esito.isInBrowser }
        XCTAssertTrue(opened, "\(browser.opened)")
        XCTAssertEqual(esito.phase, .inCheckout, "closed without an answer: still waiting")
        XCTAssertEqual(browser.opened.first, esito.ricarica.checkout?.checkoutUrl)
        XCTAssertTrue(try app.pendingRicariche().contains { $0.localId == esito.ricarica.localId },
                      "the core keeps it for the next start")

        // "Riapri pagoPA", and this time the parent cancels.
        browser.checkoutButton = "cancel"
        await esito.openCheckout()
        XCTAssertEqual(browser.opened.count, 2)
        let cancelled = await esitoPhase(home, becomes: .cancelled)
        XCTAssertTrue(cancelled, "\(esito.phase)")
    }

    func testLAppChiusaDuranteIlPagamentoTrovaLEsitoAllAvvioSuccessivo() async throws {
        let dir = try dataDir(for: self)
        let localId: String
        let checkoutUrl: String
        do {
            let app = try await Sandbox.loggedIn(dataDir: dir, storage: storage)
            _ = try await app.refresh()
            let home = HomeViewModel(app: app, platform: testPlatform(SandboxBrowser(checkoutButton: nil)).0)
            try await prosegui(home, child: try childId(app, named: "Luca"), service: "refezione", cents: 1_000, mode: .online)
            let submitted = try XCTUnwrap(home.esito?.ricarica)
            localId = submitted.localId
            checkoutUrl = try XCTUnwrap(submitted.checkout?.checkoutUrl)
        }
        // The parent pays in pagoPA, but the app was killed: the return never reaches it.
        _ = try await Checkout.press(checkoutUrl: checkoutUrl, button: "pay")

        let app = try Sandbox.open(dataDir: dir, storage: storage)
        let home = HomeViewModel(app: app, platform: testPlatform().0)
        await home.start()
        XCTAssertNil(home.error, "\(String(describing: home.error))")
        let pagamenti = home.pagamenti
        screenTask(self) { await pagamenti.start() }
        let settled = await until(20) {
            let all = (pagamenti.view?.ricaricheInCorso ?? []) + (pagamenti.view?.storico ?? [])
            let step = all.first { $0.localId == localId }?.step
            return step == .paidAwaitingRegistration || step == .registered
        }
        XCTAssertTrue(settled, "\(String(describing: try? app.ricariche().first { $0.localId == localId }))")
    }

    func testLaSessioneDiPagamentoScadutaSenzaRitorno() async throws {
        let (home, app) = try await home(SandboxBrowser(checkoutButton: nil))
        try await prosegui(home, child: try childId(app, named: "Luca"), service: "refezione", cents: 1_000, mode: .online)
        let esito = try XCTUnwrap(home.esito)
        screenTask(self) { await esito.follow() }
        // pagoPA's session lasts 30 minutes; the sandbox's clock moves past it.
        try await SandboxClock.advance(seconds: 31 * 60)
        await home.start()
        let expired = await esitoPhase(home, becomes: .expired)
        XCTAssertTrue(expired, "\(esito.phase): \(esito.ricarica.message)")
        XCTAssertFalse(esito.ricarica.message.isEmpty)
    }

    func testIlRitornoDaUnLinkUniversaleArrivaAllEsito() async throws {
        let (home, app) = try await home(SandboxBrowser(checkoutButton: nil))
        try await prosegui(home, child: try childId(app, named: "Luca"), service: "refezione", cents: 1_000, mode: .online)
        let submitted = try XCTUnwrap(home.esito?.ricarica)
        let checkout = try XCTUnwrap(submitted.checkout)
        // The esito screen was closed; the return reaches the app through onOpenURL instead.
        home.closeEsito()
        let back = try await Checkout.press(checkoutUrl: checkout.checkoutUrl, button: "cancel")
        XCTAssertEqual(back, checkout.returnCancelUrl)
        await home.handleIncoming(url: back)
        XCTAssertNil(home.error, "\(String(describing: home.error))")
        XCTAssertEqual(home.esito?.ricarica.localId, submitted.localId)
        XCTAssertEqual(home.esito?.phase, .cancelled)

        // The same link again, or a forged one: refused with the core's words, nothing changes.
        home.closeEsito()
        await home.handleIncoming(url: back)
        XCTAssertNil(home.esito)
        let refused = try XCTUnwrap(home.error)
        XCTAssertTrue(refused.code.hasPrefix("ricarica.ritorno_"), refused.code)
        XCTAssertFalse(refused.retryable)
        home.dismissError()
        await home.handleIncoming(url: "https://\(AppLinks.universalLinkHost)/pagopa/return/ok?state=r1.falso")
        XCTAssertTrue(home.error?.code.hasPrefix("ricarica.ritorno_") == true, "\(String(describing: home.error))")
    }

    func testGeneraAvvisoPagamentoMostraLAvviso() async throws {
        let (home, app) = try await home(SandboxBrowser())
        try await prosegui(home, child: try childId(app, named: "Luca"), service: "refezione", cents: 5_000, mode: .avviso)
        XCTAssertNil(home.esito)
        let avviso = try XCTUnwrap(home.avviso, "the avviso screen after PROSEGUI")
        XCTAssertEqual(avviso.avviso.amountDisplay, "€ 50,00")
        XCTAssertEqual(avviso.avviso.noticeNumber.count, 18)
        XCTAssertNotNil(avviso.qr)
        XCTAssertFalse(avviso.avviso.whereToPay.isEmpty)

        // It is in Pagamenti > Avvisi Pagamento da Pagare too; paid at the tobacconist afterwards so
        // the sandbox's list is as the other stories expect.
        _ = try await app.refresh()
        XCTAssertTrue(try app.pagamenti().avvisiDaPagare.contains { $0.noticeNumber == avviso.avviso.noticeNumber })
        try await Checkout.payAvvisoElsewhere(noticeNumber: avviso.avviso.noticeNumber)
    }

    func testLaNotificaApreLaSchermataIndicata() async throws {
        let (home, app) = try await home(SandboxBrowser())
        let poster = RecordingPoster()
        let report = try await BackgroundRefresh.run(app: app, poster: poster, budgetMillis: 10_000)
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertEqual(poster.posted.all.map(\.id), report.notifications.map(\.id), "every notification posted")
        let debt = try XCTUnwrap(poster.posted.all.first { $0.kind == .creditInDebt }, "\(poster.posted.all)")

        // Tapped: the destination travels in the notification's userInfo and back.
        let info: [AnyHashable: Any] = debt.destination.userInfo
        let destination = try XCTUnwrap(Destination(userInfo: info))
        XCTAssertEqual(destination, debt.destination)
        XCTAssertNil(Destination(userInfo: ["destination": "altro"]))
        home.tab = .contatti
        home.open(destination)
        XCTAssertEqual(home.tab, .saldo)
        guard case let .saldo(childId, serviceCode) = destination else { return XCTFail("\(destination)") }
        XCTAssertEqual(home.saldo.selection, ServiceSelection(childId: childId, serviceCode: serviceCode))

        let avviso = try XCTUnwrap(try app.pagamenti().avvisiDaPagare.first)
        home.open(.avviso(avvisoId: avviso.id))
        XCTAssertEqual(home.tab, .pagamenti)
        XCTAssertEqual(home.avviso?.avviso.noticeNumber, avviso.noticeNumber)
        home.closeAvviso()
        home.open(.pagamenti)
        XCTAssertEqual(home.tab, .pagamenti)
        XCTAssertNil(home.avviso)
    }
}
