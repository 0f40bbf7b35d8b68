import Foundation
import XCTest
import ComunicAppCore

/// A parent's whole story through the view models the SwiftUI screens render, against the sandbox
/// portal, the test playing the browser: Scelta del comune, Accedi, Saldo, "+" on Giulia's
/// refezione, "Ricarica da 20 euro", Ricarica, ✓ Procedi!, Pagamento OnLine, Riepilogo, PROSEGUI,
/// pagoPA paid, the esito followed live to registered with the new balance on Saldo and the top-up
/// in Pagamenti > Storico. Giulia's refezione is topped up by RicaricaTests too, which waits for
/// its registration, so the exact balance below is not moved by another story.
@MainActor
final class StoriaCompletaViewModelTests: XCTestCase {
    func testRicaricaDa20EuroDallaSceltaDelComuneFinoARegistrata() async throws {
        let browser = SandboxBrowser(checkoutButton: "pay")
        let (platform, _, _) = testPlatform(browser)
        let environment = AppEnvironment(dataDir: try dataDir(for: self), storage: MemorySecureStorage(),
                                         options: Sandbox.options(sandboxUrl: try Sandbox.url()))
        let root = RootViewModel(environment: environment, platform: platform)

        guard case let .comune(comuni) = root.screen else { return XCTFail("\(root.screen)") }
        comuni.query = "sand"
        comuni.choose(try XCTUnwrap(comuni.results.first { $0.id == Sandbox.comuneId }))
        guard case let .login(login) = root.screen else { return XCTFail("\(root.screen)") }
        await login.login()
        let home = try XCTUnwrap(root.home, "\(login.phase)")
        screenTask(self) { await home.start() }

        // Saldo: never synced, it loads by itself.
        let saldo = home.saldo
        screenTask(self) { await saldo.start() }
        let loaded = await until {
            if case .loaded = saldo.phase { return true }
            return false
        }
        XCTAssertTrue(loaded, "\(saldo.phase)")
        let giulia = try XCTUnwrap(saldo.view?.children.first { $0.name == "Giulia" })
        let before = try XCTUnwrap(giulia.services.first { $0.serviceCode == "refezione" })

        // "+" on the card.
        saldo.ricarica(ServiceSelection(childId: giulia.childId, serviceCode: "refezione"))
        let ricarica = try XCTUnwrap(home.ricarica)
        await ricarica.load()
        XCTAssertTrue(ricarica.selectedChild?.name.hasPrefix("Giulia") == true, "\(String(describing: ricarica.selectedChild))")
        XCTAssertEqual(ricarica.selectedService?.code, "refezione")
        await ricarica.choosePreset(try XCTUnwrap(ricarica.presets.first { $0.label == "Ricarica da 20 euro" }))
        await ricarica.ricarica()
        XCTAssertEqual(ricarica.step, .checkingEmail)
        await ricarica.confirmEmail()
        await ricarica.chooseMode(.online)
        let riepilogo = try XCTUnwrap(ricarica.riepilogo)
        XCTAssertEqual(riepilogo.totalLabel, "Totale Pagamento: € 20,00")
        XCTAssertEqual(riepilogo.lines.map(\.serviceLabel), [before.serviceLabel])
        await ricarica.prosegui()
        XCTAssertNil(home.ricarica)

        // The esito screen opens pagoPA by itself and follows the top-up.
        let esito = try XCTUnwrap(home.esito)
        XCTAssertEqual(esito.phase, .inCheckout)
        var phases: [EsitoViewModel.Phase] = [esito.phase]
        screenTask(self) { await esito.start() }
        let registered = await until(30) {
            if phases.last != esito.phase { phases.append(esito.phase) }
            return esito.phase == .registered
        }
        XCTAssertTrue(registered, "phases seen: \(phases), \(esito.ricarica.message)")
        XCTAssertEqual(browser.opened.count, 2, "the login page and the checkout: \(browser.opened)")
        XCTAssertTrue(phases.contains(.paidAwaitingRegistration), "\(phases)")
        XCTAssertEqual(phases.last, .registered)
        XCTAssertNil(esito.error)

        // The new balance, on the esito and on Saldo.
        let raised = await until {
            saldo.view?.children.first { $0.childId == giulia.childId }?
                .services.first { $0.serviceCode == "refezione" }?.balanceCents == before.balanceCents + 2_000
        }
        XCTAssertTrue(raised, "Saldo: \(String(describing: saldo.view?.children.first { $0.childId == giulia.childId }?.services))")
        let card = try XCTUnwrap(saldo.view?.children.first { $0.childId == giulia.childId }?
            .services.first { $0.serviceCode == "refezione" })
        let shown = await until { esito.balances.first?.balanceDisplay == card.balanceDisplay }
        XCTAssertTrue(shown, "\(esito.balances) vs \(card.balanceDisplay)")
        XCTAssertEqual(esito.balances.first?.childName, "Giulia")

        // Pagamenti > Storico.
        let pagamenti = home.pagamenti
        screenTask(self) { await pagamenti.start() }
        let inStorico = await until {
            pagamenti.view?.storico.contains { $0.localId == esito.ricarica.localId } == true
        }
        XCTAssertTrue(inStorico, "\(String(describing: pagamenti.view?.storico.map(\.localId)))")
        XCTAssertFalse(pagamenti.view?.ricaricheInCorso.contains { $0.localId == esito.ricarica.localId } ?? true)
    }
}
