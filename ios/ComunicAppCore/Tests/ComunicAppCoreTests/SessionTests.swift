import Foundation
import XCTest
import ComunicAppCore

/// The session API (login, Saldo, Pagamenti, refresh, logout) through the generated bindings,
/// against the real sandbox portal over HTTP on 127.0.0.1. Each test has its own data folder and
/// storage, so they do not depend on each other's order.
final class SessionTests: XCTestCase {
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

    private func loggedInApp() async throws -> ComunicApp {
        try await Sandbox.loggedIn(dataDir: try dataDir(), storage: storage)
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

    func testLaSandboxSiSceglieSoloNelleBuildDiSviluppo() throws {
        let development = try listComuni(development: true)
        XCTAssertTrue(development.contains { $0.id == Sandbox.comuneId && $0.sandbox }, "\(development)")
        let production = try listComuni(development: false)
        XCTAssertFalse(production.isEmpty)
        XCTAssertFalse(production.contains { $0.sandbox || $0.id == Sandbox.comuneId }, "\(production)")
    }

    func testSaldoPrimaDiOgniAggiornamentoRispondeSubitoEVuoto() throws {
        let app = try Sandbox.open(dataDir: try dataDir(), storage: storage)
        XCTAssertFalse(try app.isLoggedIn())
        let saldo = try app.saldo()
        XCTAssertTrue(saldo.children.isEmpty)
        XCTAssertNil(saldo.freshness.fetchedAt)
        XCTAssertTrue(saldo.freshness.stale)
        XCTAssertEqual(saldo.freshness.label, "Dati non ancora scaricati")
        XCTAssertTrue(try app.pagamenti().avvisiDaPagare.isEmpty)
    }

    func testLoginDalBrowserSalvaIlTokenNellArchivioSicuro() async throws {
        let app = try Sandbox.open(dataDir: try dataDir(), storage: storage)
        let authorize = try app.loginStart()
        XCTAssertTrue(authorize.hasPrefix(try Sandbox.url()), authorize)
        let query = Browser.query(of: authorize)
        XCTAssertEqual(query["code_challenge_method"], "S256")
        let callback = try await Browser.login(authorizeUrl: authorize)
        XCTAssertEqual(Browser.query(of: callback)["state"], query["state"])
        XCTAssertNotNil(Browser.query(of: callback)["code"])
        XCTAssertFalse(storage.keys.isEmpty, "the pending login is kept in the secure storage")

        try await app.loginComplete(callbackUrl: callback)
        XCTAssertTrue(try app.isLoggedIn())
        let tokens = storage.keys.filter { $0.hasSuffix(".tokens") }
        XCTAssertEqual(tokens.count, 1, "\(storage.keys)")
        XCTAssertFalse((try storage.get(key: tokens[0]) ?? "").isEmpty)
    }

    func testSaldoDopoLAggiornamentoMostraTreFigliInCentesimi() async throws {
        let app = try await loggedInApp()
        let report = try await app.refresh()
        XCTAssertFalse(report.updated.isEmpty, "\(report)")
        let saldo = try app.saldo()
        XCTAssertNotNil(saldo.freshness.fetchedAt)
        XCTAssertFalse(saldo.freshness.stale)
        XCTAssertTrue(saldo.freshness.label.hasPrefix("Dati aggiornati al "), saldo.freshness.label)
        XCTAssertEqual(saldo.children.map(\.name).sorted(), ["Giulia", "Luca", "Sofia"])

        let services = saldo.children.flatMap(\.services)
        XCTAssertFalse(services.isEmpty)
        for service in services {
            let cents: Int64 = service.balanceCents
            XCTAssertEqual(service.balanceDisplay, italianEuro(cents))
            XCTAssertEqual(service.inDebt, cents < 0, "\(service.serviceCode): \(cents)")
            if let meal = service.mealPriceCents {
                XCTAssertEqual(service.mealPriceDisplay, italianEuro(meal))
            }
        }
        XCTAssertEqual(services.filter(\.inDebt).count, 1,
                       services.map { "\($0.serviceCode)=\($0.balanceCents)" }.joined(separator: ", "))
    }

    func testPagamentiMostraLAvvisoConIlCodiceAGruppiDiQuattro() async throws {
        let app = try await loggedInApp()
        _ = try await app.refresh()
        let avvisi = try app.pagamenti().avvisiDaPagare
        XCTAssertEqual(avvisi.count, 1, "\(avvisi)")
        guard let avviso = avvisi.first else { return }
        XCTAssertEqual(avviso.noticeNumber.count, 18)
        XCTAssertEqual(avviso.noticeNumberDisplay, groupsOfFour(avviso.noticeNumber))
        XCTAssertGreaterThan(avviso.amountCents, 0)
        XCTAssertEqual(avviso.amountDisplay, italianEuro(avviso.amountCents))
        XCTAssertTrue(avviso.qrPayload.hasPrefix("PAGOPA|002|\(avviso.noticeNumber)|"), avviso.qrPayload)
    }

    func testIlQrDellAvvisoEUnaMatriceQuadrata() async throws {
        let app = try await loggedInApp()
        _ = try await app.refresh()
        let avviso = try XCTUnwrap(try app.pagamenti().avvisiDaPagare.first)
        let matrix = try qrMatrix(payload: avviso.qrPayload)
        let size = Int(matrix.size)
        XCTAssertGreaterThanOrEqual(size, 21, "the smallest QR code is 21 × 21")
        XCTAssertEqual(matrix.modules.count, size * size)
        XCTAssertTrue(matrix.modules.contains(true) && matrix.modules.contains(false), "both dark and light modules")
    }

    func testCallbackConStateFalsoRifiutatoEIlLoginVeroRestaValido() async throws {
        let app = try Sandbox.open(dataDir: try dataDir(), storage: storage)
        let callback = try await Browser.login(authorizeUrl: try app.loginStart())
        let forged = callback.replacingOccurrences(
            of: "state=[^&]*", with: "state=falso", options: .regularExpression)
        XCTAssertNotEqual(forged, callback)
        let error = await thrownError { try await app.loginComplete(callbackUrl: forged) }
        guard case let ApiError.Login(code: code, detail: _, retryable: _)? = error else {
            return XCTFail("expected ApiError.Login, got \(String(describing: error))")
        }
        XCTAssertFalse(code.isEmpty)
        XCTAssertFalse(try app.isLoggedIn())

        try await app.loginComplete(callbackUrl: callback)
        XCTAssertTrue(try app.isLoggedIn())
    }

    func testLogoutSvuotaLArchivioSicuroDelProfilo() async throws {
        let app = try await loggedInApp()
        _ = try await app.refresh()
        XCTAssertFalse(storage.keys.isEmpty)
        let revoked = try await app.logout()
        XCTAssertTrue(revoked, "the sandbox is up: the portal confirms the revocation")
        XCTAssertFalse(try app.isLoggedIn())
        XCTAssertEqual(storage.keys.filter { $0.hasPrefix("comunicapp.") }, [])
        XCTAssertTrue(try app.saldo().children.isEmpty, "logout wipes the profile's data")
    }

    func testSenzaReteRefreshFallisceOfflineEIlSaldoRestaDallaCache() async throws {
        let dataDir = try dataDir()
        let before: SaldoView
        do {
            let app = try Sandbox.open(dataDir: dataDir, storage: storage)
            try await app.loginComplete(callbackUrl: try await Browser.login(authorizeUrl: try app.loginStart()))
            _ = try await app.refresh()
            before = try app.saldo()
        }
        XCTAssertFalse(before.freshness.stale)
        XCTAssertFalse(before.freshness.lastRefreshFailed)

        let app = try Sandbox.open(dataDir: dataDir, storage: storage, sandboxUrl: try Sandbox.closedPortUrl())
        XCTAssertTrue(try app.isLoggedIn())
        let error = await thrownError { try await app.refresh() }
        guard case let ApiError.Offline(code: code, detail: _, retryable: retryable)? = error else {
            return XCTFail("expected ApiError.Offline, got \(String(describing: error))")
        }
        XCTAssertFalse(code.isEmpty)
        XCTAssertTrue(retryable, "no network is worth another try")
        let cached = try app.saldo()
        XCTAssertTrue(cached.freshness.stale)
        XCTAssertTrue(cached.freshness.lastRefreshFailed)
        XCTAssertEqual(cached.freshness.fetchedAt, before.freshness.fetchedAt)
        func balances(_ saldo: SaldoView) -> [String] {
            saldo.children.flatMap { child in child.services.map { "\(child.childId)/\($0.serviceCode)=\($0.balanceCents)" } }
        }
        XCTAssertEqual(balances(cached), balances(before))
    }

    /// it-IT euro text computed here, independently of the core, in integers: "-€ 1.234,50".
    private func italianEuro(_ cents: Int64) -> String {
        let magnitude = cents.magnitude
        let euros = String(magnitude / 100)
        var grouped = ""
        for (index, digit) in euros.enumerated() {
            if index > 0 && (euros.count - index) % 3 == 0 { grouped.append(".") }
            grouped.append(digit)
        }
        let hundredths = magnitude % 100
        return (cents < 0 ? "-" : "") + "€ \(grouped)," + (hundredths < 10 ? "0" : "") + "\(hundredths)"
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
