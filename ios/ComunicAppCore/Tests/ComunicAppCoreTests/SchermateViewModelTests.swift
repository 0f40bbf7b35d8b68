import Foundation
import XCTest
import ComunicAppCore

/// Pagamenti, Avviso and Contatti through their view models, against the sandbox portal.
@MainActor
final class SchermateViewModelTests: XCTestCase {
    private let storage = MemorySecureStorage()

    private func readyApp() async throws -> ComunicApp {
        let app = try await Sandbox.loggedIn(dataDir: try dataDir(for: self), storage: storage)
        _ = try await app.refresh()
        return app
    }

    func testPagamentiMostraGliAvvisiEApreAvvisoERicarica() async throws {
        let app = try await readyApp()
        var avvisi: [AvvisoView] = []
        var nuove = 0
        let screen = PagamentiViewModel(app: app, onAvviso: { avvisi.append($0) }, onNewRicarica: { nuove += 1 })
        XCTAssertEqual(screen.phase, .loading)
        screenTask(self) { await screen.start() }
        let loaded = await until {
            if case .loaded = screen.phase { return true }
            return false
        }
        XCTAssertTrue(loaded, "\(screen.phase)")
        let view = try XCTUnwrap(screen.view)
        let seeded = try XCTUnwrap(view.avvisiDaPagare.first, "the seeded avviso")
        XCTAssertEqual(seeded.noticeNumberDisplay.split(separator: " ").first?.count, 4)
        XCTAssertFalse(screen.showsOfflineBanner)
        XCTAssertTrue(view.freshness.label.hasPrefix("Dati aggiornati al "), view.freshness.label)

        screen.open(seeded)
        screen.newRicarica()
        XCTAssertEqual(avvisi.map(\.id), [seeded.id])
        XCTAssertEqual(nuove, 1)

        await screen.refresh()
        XCTAssertNil(screen.error)
    }

    func testAvvisoConQrDaCopiareECondividere() async throws {
        let app = try await readyApp()
        let seeded = try XCTUnwrap(try app.pagamenti().avvisiDaPagare.first)
        let pasteboard = RecordingPasteboard()
        let screen = AvvisoViewModel(avviso: AvvisoContent(seeded), pasteboard: pasteboard)
        XCTAssertEqual(screen.avviso.noticeNumberDisplay, seeded.noticeNumberDisplay)
        XCTAssertEqual(screen.avviso.amountDisplay, seeded.amountDisplay)
        XCTAssertEqual(screen.avviso.cbillCode, seeded.cbillCode)
        XCTAssertFalse(screen.avviso.whereToPay.isEmpty)

        let matrix = try qrMatrix(payload: seeded.qrPayload)
        let qr = try XCTUnwrap(screen.qr, "\(String(describing: screen.qrError))")
        XCTAssertEqual(qr.side, Int(matrix.size) + 2 * QrDrawing.quietZone)
        XCTAssertEqual(qr.dark.count, matrix.modules.filter { $0 }.count)
        XCTAssertTrue(qr.dark.allSatisfy { (4..<qr.side - 4).contains($0.row) && (4..<qr.side - 4).contains($0.column) },
                      "the quiet zone stays light")
        // The finder pattern's corner: the top left module of a QR code is always dark.
        XCTAssertTrue(qr.dark.contains(QrModule(row: 4, column: 4)))

        XCTAssertFalse(screen.copied)
        screen.copyNoticeNumber()
        XCTAssertTrue(screen.copied)
        XCTAssertEqual(pasteboard.copied, [seeded.noticeNumber], "the 18 digits, no spaces")
        XCTAssertEqual(screen.avviso.shareText, seeded.shareText)
        XCTAssertTrue(screen.avviso.shareText.contains(seeded.noticeNumberDisplay), screen.avviso.shareText)
        XCTAssertTrue(screen.avviso.shareText.contains(seeded.amountDisplay), screen.avviso.shareText)

        let broken = AvvisoView(
            id: seeded.id, noticeNumber: seeded.noticeNumber, noticeNumberDisplay: seeded.noticeNumberDisplay,
            fiscalCode: seeded.fiscalCode, amountCents: seeded.amountCents, amountDisplay: seeded.amountDisplay,
            dueDate: seeded.dueDate, dueDateLabel: seeded.dueDateLabel, description: seeded.description,
            childName: seeded.childName, qrPayload: "NON|UN|QR", cbillCode: seeded.cbillCode,
            whereToPay: seeded.whereToPay, shareText: seeded.shareText)
        let unreadable = AvvisoViewModel(avviso: AvvisoContent(broken), pasteboard: pasteboard)
        XCTAssertNil(unreadable.qr)
        XCTAssertTrue(unreadable.qrError?.code.hasPrefix("pagopa.qr.") == true, "\(String(describing: unreadable.qrError))")
    }

    func testContattiChiamaEScrive() async throws {
        // Never synced: the office is not known yet, so the screen asks the portal.
        let app = try await Sandbox.loggedIn(dataDir: try dataDir(for: self), storage: storage)
        XCTAssertNil(try app.contatti())
        let opener = RecordingOpener()
        let screen = ContattiViewModel(app: app, opener: opener)
        await screen.load()
        XCTAssertNil(screen.error, "\(String(describing: screen.error))")
        XCTAssertFalse(screen.isLoading)
        let contatti = try XCTUnwrap(screen.contatti)
        XCTAssertFalse(contatti.officeName.isEmpty)
        XCTAssertFalse(contatti.hours.isEmpty)
        let phone = try XCTUnwrap(contatti.phones.first)
        XCTAssertTrue(phone.uri.hasPrefix("tel:"), phone.uri)
        screen.call(phone)
        screen.write()
        XCTAssertEqual(opener.opened, [phone.uri, contatti.emailUri])
        XCTAssertTrue(contatti.emailUri.hasPrefix("mailto:"), contatti.emailUri)
    }

    func testContattiSenzaReteDallaCacheOConErrore() async throws {
        let dir = try dataDir(for: self)
        do {
            let app = try await Sandbox.loggedIn(dataDir: dir, storage: storage)
            _ = try await app.refresh()
        }
        let offline = try Sandbox.open(dataDir: dir, storage: storage, sandboxUrl: try Sandbox.closedPortUrl())
        let cached = ContattiViewModel(app: offline, opener: RecordingOpener())
        await cached.load()
        XCTAssertNotNil(cached.contatti, "from the cache, no network needed")
        XCTAssertNil(cached.error)

        // Another profile never synced, and no network: the error with "Riprova".
        let fresh = try Sandbox.open(dataDir: try dataDir(for: self), storage: MemorySecureStorage(),
                                     sandboxUrl: try Sandbox.closedPortUrl())
        let screen = ContattiViewModel(app: fresh, opener: RecordingOpener())
        await screen.load()
        XCTAssertNil(screen.contatti)
        let error = try XCTUnwrap(screen.error)
        XCTAssertFalse(error.detail.isEmpty)
    }
}
