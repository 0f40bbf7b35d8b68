import Foundation
import XCTest
import ComunicAppCore

/// The Saldo screen's view model in each of its states — loading, from the network, from the cache
/// with no network (stale, offline banner), error with "Riprova", the debt card and its "+" —
/// against the sandbox portal.
@MainActor
final class SaldoViewModelTests: XCTestCase {
    private let storage = MemorySecureStorage()

    private func children(_ phase: LivePhase<SaldoView>) -> [ChildSaldo]? {
        if case let .loaded(view) = phase { return view.children }
        return nil
    }

    func testPrimaInCaricamentoPoiIlSaldoDallaRete() async throws {
        let app = try await Sandbox.loggedIn(dataDir: try dataDir(for: self), storage: storage)
        let screen = SaldoViewModel(app: app)
        XCTAssertEqual(screen.phase, .loading, "nothing before the first view")
        show(screen)

        // The cache has never been filled: the first view is empty and stale, so the screen stays
        // "loading" while it refreshes by itself, then shows the three children.
        let loaded = await until { self.children(screen.phase) != nil }
        XCTAssertTrue(loaded, "\(screen.phase)")
        XCTAssertEqual(children(screen.phase)?.map(\.name).sorted(), ["Giulia", "Luca", "Sofia"])
        XCTAssertTrue(screen.view?.freshness.label.hasPrefix("Dati aggiornati al ") == true,
                      "\(String(describing: screen.view?.freshness.label))")
        XCTAssertFalse(screen.showsOfflineBanner)
        XCTAssertNil(screen.error)
    }

    func testSenzaReteIlSaldoEQuelloSalvatoConIlBannerOffline() async throws {
        let dir = try dataDir(for: self)
        let cached: SaldoView
        do {
            let app = try await Sandbox.loggedIn(dataDir: dir, storage: storage)
            _ = try await app.refresh()
            cached = try app.saldo()
        }
        let offline = try Sandbox.open(dataDir: dir, storage: storage, sandboxUrl: try Sandbox.closedPortUrl())
        let screen = SaldoViewModel(app: offline)
        show(screen)
        let drawn = await until { self.children(screen.phase) != nil }
        XCTAssertTrue(drawn, "the cache at once: \(screen.phase)")
        XCTAssertEqual(screen.view?.children, cached.children)
        XCTAssertFalse(screen.showsOfflineBanner, "nothing has failed yet")

        await screen.refresh()
        let error = try XCTUnwrap(screen.error)
        XCTAssertTrue(error.retryable, "\(error)")
        XCTAssertFalse(error.detail.isEmpty)
        let banner = await until { screen.showsOfflineBanner }
        XCTAssertTrue(banner)
        XCTAssertEqual(screen.view?.freshness.stale, true)
        XCTAssertEqual(children(screen.phase), cached.children, "the cached balances stay on screen")
        XCTAssertFalse(screen.isRefreshing)
    }

    func testIlPortaleNonRispondeERiprovaLoRisolve() async throws {
        let app = try await Sandbox.loggedIn(dataDir: try dataDir(for: self), storage: storage)
        try await SandboxFaults.set("""
            [{"route": "GET /api/v1/ente", "kind": "status", "code": 503, "count": 100},
             {"route": "GET /api/v1/account", "kind": "status", "code": 503, "count": 100},
             {"route": "GET /api/v1/balances", "kind": "status", "code": 503, "count": 100}]
            """)
        let screen = SaldoViewModel(app: app)
        show(screen)
        let failed = await until(30) {
            if case .failed = screen.phase { return true }
            return false
        }
        guard case let .failed(error) = screen.phase else {
            try await SandboxFaults.clear()
            return XCTFail("not failed: \(screen.phase), \(failed)")
        }
        XCTAssertTrue(error.retryable, "\(error)")
        XCTAssertFalse(error.detail.isEmpty)

        try await SandboxFaults.clear()
        await screen.refresh()
        XCTAssertNil(screen.error)
        let loaded = await until { self.children(screen.phase) != nil }
        XCTAssertTrue(loaded, "after Riprova: \(screen.phase)")
    }

    func testLaCardInDebitoEIlPiuAprono() async throws {
        let app = try await Sandbox.loggedIn(dataDir: try dataDir(for: self), storage: storage)
        _ = try await app.refresh()
        var asked: [ServiceSelection?] = []
        let screen = SaldoViewModel(app: app) { asked.append($0) }
        show(screen)
        let loaded = await until { self.children(screen.phase) != nil }
        XCTAssertTrue(loaded)
        let sofia = try childId(app, named: "Sofia")
        let child = try XCTUnwrap(screen.view?.children.first { $0.childId == sofia })
        let debt = try XCTUnwrap(child.services.first(where: \.inDebt), "the seeded nursery fee: \(child.services)")
        XCTAssertTrue(debt.balanceDisplay.hasPrefix("-€"), debt.balanceDisplay)

        // iPad: the card beside the list.
        screen.selection = ServiceSelection(childId: sofia, serviceCode: debt.serviceCode)
        XCTAssertEqual(screen.selectedChild?.name, "Sofia")
        XCTAssertEqual(screen.selectedService?.serviceCode, debt.serviceCode)
        XCTAssertEqual(screen.selectedService?.inDebt, true)

        screen.ricarica(ServiceSelection(childId: sofia, serviceCode: debt.serviceCode))
        screen.ricarica()
        XCTAssertEqual(asked, [ServiceSelection(childId: sofia, serviceCode: debt.serviceCode), nil])
    }

    private func show(_ screen: SaldoViewModel) {
        screenTask(self) { await screen.start() }
    }
}
