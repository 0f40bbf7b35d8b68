import Foundation
import XCTest
import ComunicAppCore

/// Scelta del comune, Accedi and the profiles, through the view models the SwiftUI screens render,
/// against the sandbox portal: the login page is the portal's own, filled in as a parent would.
@MainActor
final class AccessoViewModelTests: XCTestCase {
    private func environment(_ dataDir: String, _ storage: MemorySecureStorage) throws -> AppEnvironment {
        AppEnvironment(dataDir: dataDir, storage: storage, options: Sandbox.options(sandboxUrl: try Sandbox.url()))
    }

    private func comuneScreen(_ root: RootViewModel, file: StaticString = #filePath, line: UInt = #line) throws -> ComuneViewModel {
        guard case let .comune(screen) = root.screen else {
            XCTFail("not on Scelta del comune: \(root.screen)", file: file, line: line)
            throw SandboxError.browser("wrong screen")
        }
        return screen
    }

    private func loginScreen(_ root: RootViewModel, file: StaticString = #filePath, line: UInt = #line) throws -> LoginViewModel {
        guard case let .login(screen) = root.screen else {
            XCTFail("not on Accedi: \(root.screen)", file: file, line: line)
            throw SandboxError.browser("wrong screen")
        }
        return screen
    }

    func testLaSceltaDelComuneFiltraMentreSiScrive() async throws {
        var chosen: [ComuneInfo] = []
        let screen = ComuneViewModel(development: true) { chosen.append($0) }
        XCTAssertFalse(screen.results.isEmpty, "the whole list before anything is typed")
        XCTAssertFalse(screen.showsNoResults)

        screen.query = "valen"
        XCTAssertEqual(screen.results.map(\.id), ["valenza"])
        screen.query = "comune che non esiste"
        XCTAssertTrue(screen.results.isEmpty)
        XCTAssertTrue(screen.showsNoResults)
        screen.query = "sandbox"
        let sandbox = try XCTUnwrap(screen.results.first { $0.id == Sandbox.comuneId }, "\(screen.results)")
        screen.choose(sandbox)
        XCTAssertEqual(chosen.map(\.id), [Sandbox.comuneId])

        let production = ComuneViewModel(development: false) { _ in }
        production.query = "sandbox"
        XCTAssertFalse(production.results.contains { $0.sandbox }, "\(production.results)")
    }

    func testDalComuneAlSaldoPassandoPerAccedi() async throws {
        let storage = MemorySecureStorage()
        let browser = SandboxBrowser()
        let root = RootViewModel(environment: try environment(try dataDir(for: self), storage), platform: testPlatform(browser).0)
        let comuni = try comuneScreen(root)
        comuni.query = "sandbox"
        comuni.choose(try XCTUnwrap(comuni.results.first { $0.id == Sandbox.comuneId }))

        let login = try loginScreen(root)
        XCTAssertEqual(login.comune.id, Sandbox.comuneId)
        XCTAssertEqual(login.phase, .idle)
        await login.login()
        XCTAssertEqual(login.phase, .loggedIn)
        XCTAssertEqual(browser.opened.count, 1)
        XCTAssertTrue(browser.opened[0].hasPrefix(try Sandbox.url()), "the portal's own page: \(browser.opened)")
        XCTAssertNotNil(root.home, "\(root.screen)")
        XCTAssertEqual(storage.keys.filter { $0.hasSuffix(".tokens") }.count, 1, "\(storage.keys)")
        XCTAssertEqual(root.profiles.activeProfile?.loggedIn, true)
    }

    func testAccessoAnnullatoChiudendoIlBrowser() async throws {
        let storage = MemorySecureStorage()
        let root = RootViewModel(environment: try environment(try dataDir(for: self), storage),
                                 platform: testPlatform(SandboxBrowser(closesLogin: true)).0)
        root.switchTo(comuneId: Sandbox.comuneId)
        let login = try loginScreen(root)
        await login.login()
        XCTAssertEqual(login.phase, .cancelled)
        XCTAssertNil(root.home)
        XCTAssertEqual(storage.keys.filter { $0.hasSuffix(".tokens") }, [])
    }

    func testUnCallbackFalsoFallisceConIlMessaggioDelCore() async throws {
        final class ForgingBrowser: WebAuthenticator, @unchecked Sendable {
            func open(url: String, callbackScheme: String) async throws -> String? {
                let callback = try await Browser.login(authorizeUrl: url)
                return callback.replacingOccurrences(of: "state=[^&]*", with: "state=falso", options: .regularExpression)
            }
        }
        let root = RootViewModel(environment: try environment(try dataDir(for: self), MemorySecureStorage()),
                                 platform: Platform(browser: ForgingBrowser(), opener: RecordingOpener(),
                                                    pasteboard: RecordingPasteboard()))
        root.switchTo(comuneId: Sandbox.comuneId)
        let login = try loginScreen(root)
        await login.login()
        guard case let .failed(error) = login.phase else { return XCTFail("\(login.phase)") }
        XCTAssertFalse(error.detail.isEmpty, "the core's message")
        XCTAssertFalse(error.code.isEmpty)
        XCTAssertNil(root.home)
    }

    func testSessioneScadutaSiRientraDaAccedi() async throws {
        let storage = MemorySecureStorage()
        let root = RootViewModel(environment: try environment(try dataDir(for: self), storage), platform: testPlatform().0)
        root.switchTo(comuneId: Sandbox.comuneId)
        try await loginScreen(root).login()
        let home = try XCTUnwrap(root.home)
        // The tokens are gone (revoked elsewhere, or this logout): the next refresh asks to log in.
        _ = try await home.app.logout()
        await home.saldo.refresh()
        let error = try XCTUnwrap(home.saldo.error)
        XCTAssertTrue(error.requiresLogin, "\(error)")
        root.loginAgain()
        let login = try loginScreen(root)
        await login.login()
        XCTAssertEqual(login.phase, .loggedIn)
        XCTAssertNotNil(root.home)
    }

    func testDueProfiliSiScelgonoESiRimuovono() async throws {
        let storage = MemorySecureStorage()
        let dir = try dataDir(for: self)
        let root = RootViewModel(environment: try environment(dir, storage), platform: testPlatform().0)
        root.switchTo(comuneId: Sandbox.comuneId)
        try await loginScreen(root).login()
        XCTAssertNotNil(root.home)

        // "Aggiungi profilo": a second comune, not logged in yet.
        root.chooseComune()
        let comuni = try comuneScreen(root)
        comuni.query = "Valenza"
        comuni.choose(try XCTUnwrap(comuni.results.first { $0.id == "valenza" }))
        XCTAssertEqual(try loginScreen(root).comune.name, "Valenza")
        XCTAssertEqual(root.profiles.profiles.map(\.comuneId).sorted(), [Sandbox.comuneId, "valenza"])
        XCTAssertEqual(root.profiles.activeProfileId, "valenza")
        XCTAssertEqual(root.profiles.profiles.first { $0.comuneId == Sandbox.comuneId }?.loggedIn, true)
        XCTAssertEqual(root.profiles.profiles.first { $0.comuneId == "valenza" }?.loggedIn, false)

        // Back to the first: still logged in, straight to its tabs.
        root.switchTo(comuneId: Sandbox.comuneId)
        XCTAssertNotNil(root.home)
        XCTAssertEqual(root.profiles.activeProfileId, Sandbox.comuneId)

        // The app started again remembers the last profile.
        do {
            let restarted = RootViewModel(environment: try environment(dir, storage), platform: testPlatform().0,
                                          lastProfileId: Sandbox.comuneId)
            XCTAssertNotNil(restarted.home)
        }

        let valenza = try XCTUnwrap(root.profiles.profiles.first { $0.comuneId == "valenza" })
        root.profiles.askRemoval(valenza)
        XCTAssertEqual(root.profiles.removalCandidate?.profileId, valenza.profileId)
        root.profiles.cancelRemoval()
        XCTAssertNil(root.profiles.removalCandidate)
        XCTAssertEqual(root.profiles.profiles.count, 2)
        root.profiles.askRemoval(valenza)
        await root.confirmRemoval()
        XCTAssertEqual(root.profiles.profiles.map(\.comuneId), [Sandbox.comuneId])
        XCTAssertNotNil(root.home, "the open profile stays open")

        // Removing the open one logs it out and goes back to Scelta del comune.
        root.profiles.askRemoval(try XCTUnwrap(root.profiles.activeProfile))
        await root.confirmRemoval()
        XCTAssertEqual(root.profiles.profiles, [])
        _ = try comuneScreen(root)
        XCTAssertEqual(storage.keys.filter { $0.hasPrefix("comunicapp.") }, [])
    }
}
