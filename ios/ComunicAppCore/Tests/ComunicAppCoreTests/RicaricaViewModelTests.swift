import Foundation
import XCTest
import ComunicAppCore

/// The Ricarica screen's view model through every step before PROSEGUI — presets, the custom
/// amount checked as typed, the service's limits, several children in one cart, the e-mail check
/// and change, the mode, the Riepilogo, INDIETRO, a draft that outlives the app — against the
/// sandbox portal. Nothing here is paid.
@MainActor
final class RicaricaViewModelTests: XCTestCase {
    private let storage = MemorySecureStorage()

    private func readyApp(_ dir: String) async throws -> ComunicApp {
        let app = try await Sandbox.loggedIn(dataDir: dir, storage: storage)
        _ = try await app.refresh()
        return app
    }

    private func screen(_ app: ComunicApp, for child: String, service: String = "refezione") async throws -> RicaricaViewModel {
        let children = try app.saldo().children.map(\.childId)
        let screen = RicaricaViewModel(app: app, childIds: children,
                                       preselected: ServiceSelection(childId: child, serviceCode: service))
        await screen.load()
        XCTAssertNil(screen.error, "\(String(describing: screen.error))")
        return screen
    }

    private func preset(_ screen: RicaricaViewModel, cents: Int64) throws -> PresetView {
        try XCTUnwrap(screen.presets.first { $0.amountCents == cents }, "\(screen.presets)")
    }

    func testImportoPersonalizzatoControllatoMentreSiScriveEPiuBambiniInUnCarrello() async throws {
        let app = try await readyApp(try dataDir(for: self))
        let luca = try childId(app, named: "Luca")
        let giulia = try childId(app, named: "Giulia")
        let screen = try await self.screen(app, for: luca)
        XCTAssertEqual(screen.step, .composing)
        XCTAssertEqual(screen.selectedService?.code, "refezione")
        XCTAssertEqual(screen.presets.map(\.label),
                       ["Ricarica da 10 euro", "Ricarica da 20 euro", "Ricarica da 50 euro", "Ricarica da 100 euro"])

        screen.customText = "20,555"
        await screen.settle()
        XCTAssertEqual(screen.customError?.code, "importo.troppi_decimali", "\(String(describing: screen.customError))")
        XCTAssertFalse(screen.customError?.detail.isEmpty ?? true)
        XCTAssertNil(screen.draft?.pendingAmountCents, "a refused amount changes nothing")

        screen.customText = "12"
        screen.customText = "12,5"
        await screen.settle()
        XCTAssertNil(screen.customError)
        XCTAssertEqual(screen.draft?.pendingAmountCents, 1_250, "the last text typed wins")
        XCTAssertEqual(screen.draft?.pendingAmountDisplay, "€ 12,50")

        // € 600 is a valid amount, above the refezione's maximum (€ 500 in the sandbox): the
        // service's limits apply when the amount is assigned to it.
        screen.customText = "600"
        await screen.settle()
        XCTAssertNil(screen.customError)
        XCTAssertEqual(screen.draft?.pendingAmountCents, 60_000)
        await screen.addSelected()
        XCTAssertEqual(screen.error?.code, "importo.sopra_massimo", "\(String(describing: screen.error))")
        XCTAssertEqual(screen.draft?.items.count, 0)

        await screen.choosePreset(try preset(screen, cents: 2_000))
        XCTAssertEqual(screen.customText, "")
        XCTAssertNil(screen.error)
        XCTAssertEqual(screen.draft?.pendingAmountCents, 2_000)
        await screen.addSelected()
        XCTAssertEqual(screen.draft?.items.map(\.amountCents), [2_000])
        XCTAssertEqual(screen.draft?.totalLabel, "Totale Pagamento: € 20,00")

        await screen.addSelected()
        XCTAssertNotNil(screen.error, "no amount left to assign, or the same child and service twice")
        XCTAssertEqual(screen.draft?.items.count, 1)

        screen.selectedChildId = giulia
        screen.selectedServiceCode = "refezione"
        XCTAssertTrue(screen.selectedChild?.name.hasPrefix("Giulia") == true, "\(String(describing: screen.selectedChild))")
        await screen.choosePreset(try preset(screen, cents: 1_000))
        await screen.addSelected()
        XCTAssertEqual(screen.draft?.items.map(\.childId), [luca, giulia])
        XCTAssertEqual(screen.draft?.totalLabel, "Totale Pagamento: € 30,00")
        XCTAssertEqual(screen.draft?.canAddItem, true)
        XCTAssertEqual(screen.childName(giulia), screen.selectedChild?.name)

        let lucaItem = try XCTUnwrap(screen.draft?.items.first { $0.childId == luca })
        await screen.remove(lucaItem)
        XCTAssertEqual(screen.draft?.items.map(\.childId), [giulia])

        await screen.discard()
        XCTAssertEqual(screen.step, .composing)
        XCTAssertEqual(screen.draft?.items.count, 0)
    }

    func testInIngleseITestiDelCoreSonoInglesi() async throws {
        let app = try await Sandbox.loggedIn(dataDir: try dataDir(for: self), storage: storage, language: .english)
        _ = try await app.refresh()
        let luca = try childId(app, named: "Luca")
        let screen = try await self.screen(app, for: luca)
        XCTAssertEqual(screen.presets.count, 4)
        XCTAssertFalse(screen.presets.contains { $0.label.hasPrefix("Ricarica") }, "\(screen.presets.map(\.label))")
        screen.customText = "20,555"
        await screen.settle()
        let error = try XCTUnwrap(screen.customError)
        XCTAssertEqual(error.code, "importo.troppi_decimali")
        XCTAssertEqual(error.detail, "Use at most two decimals")
        await screen.choosePreset(try preset(screen, cents: 2_000))
        await screen.addSelected()
        XCTAssertFalse(screen.draft?.totalLabel.hasPrefix("Totale") ?? true, "\(String(describing: screen.draft?.totalLabel))")
        await screen.discard()
    }

    func testControlloMailModalitaRiepilogoEIndietro() async throws {
        let dir = try dataDir(for: self)
        let app = try await readyApp(dir)
        let giulia = try childId(app, named: "Giulia")
        let screen = try await self.screen(app, for: giulia)
        let original = try XCTUnwrap(screen.payerEmail)

        await screen.choosePreset(try preset(screen, cents: 1_000))
        // "Ricarica" with the amount still unassigned: it goes to the pickers' child and service.
        await screen.ricarica()
        XCTAssertEqual(screen.step, .checkingEmail, "\(String(describing: screen.error))")
        XCTAssertEqual(screen.draft?.items.map(\.childId), [giulia])
        XCTAssertEqual(screen.options?.emailOk, true)
        XCTAssertEqual(screen.options?.emailMessage, "✓ Procedi! Mail corretta. Puoi procedere al pagamento.")
        XCTAssertEqual(screen.payerEmail, original)

        // "Per modificare la mail clicca qui".
        screen.openEmailChange()
        XCTAssertEqual(screen.emailChange?.typed, original)
        screen.emailChange?.typed = "non-una-mail"
        await screen.saveEmail()
        XCTAssertEqual(screen.emailChange?.error?.field, "email", "\(String(describing: screen.emailChange))")
        XCTAssertTrue(screen.emailChange?.error?.code.hasPrefix("email.") == true)
        XCTAssertEqual(screen.payerEmail, original, "refused: nothing changed")
        screen.emailChange?.typed = "maria.nuova@example.it"
        await screen.saveEmail()
        XCTAssertNil(screen.emailChange, "saved and closed")
        XCTAssertEqual(screen.payerEmail, "maria.nuova@example.it")
        XCTAssertEqual(screen.options?.payerEmail, "maria.nuova@example.it", "updated on the portal too")
        screen.openEmailChange()
        screen.cancelEmailChange()
        XCTAssertNil(screen.emailChange)

        await screen.confirmEmail()
        XCTAssertEqual(screen.step, .choosingMode)
        await screen.chooseMode(.online)
        XCTAssertEqual(screen.step, .riepilogo)
        let riepilogo = try XCTUnwrap(screen.riepilogo)
        XCTAssertEqual(riepilogo.totalLabel, "Totale Pagamento: € 10,00")
        XCTAssertEqual(riepilogo.mode, .online)
        XCTAssertEqual(riepilogo.lines.map(\.childId), [giulia])
        XCTAssertEqual(riepilogo.lines.first?.childName, screen.childName(giulia))
        XCTAssertEqual(riepilogo.backLabel, "INDIETRO")
        XCTAssertEqual(riepilogo.proceedLabel, "PROSEGUI")
        XCTAssertTrue(riepilogo.commissionNote.contains("commissione che varia in base al canale di pagamento"),
                      riepilogo.commissionNote)

        await screen.back()
        XCTAssertEqual(screen.step, .choosingMode)
        XCTAssertNil(screen.riepilogo)
        await screen.chooseMode(.avviso)
        XCTAssertEqual(screen.riepilogo?.mode, .avviso)

        // The app is killed here: the next one finds the Riepilogo as it was.
        let reopened = try Sandbox.open(dataDir: dir, storage: storage)
        let again = try await self.screen(reopened, for: giulia)
        XCTAssertEqual(again.step, .riepilogo)
        XCTAssertEqual(again.riepilogo?.totalLabel, "Totale Pagamento: € 10,00")
        XCTAssertEqual(again.riepilogo?.mode, .avviso)
        XCTAssertEqual(again.payerEmail, "maria.nuova@example.it")

        await again.discard()
        XCTAssertEqual(again.step, .composing)
        _ = try await app.changeEmail(newEmail: original)
    }
}
