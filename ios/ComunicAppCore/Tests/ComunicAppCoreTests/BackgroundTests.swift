import Foundation
import XCTest
import ComunicAppCore

/// What BGAppRefreshTask runs with the app closed: refresh, settle, and the local notifications to
/// post, against the real sandbox portal. The seeded family owes Sofia's November nursery fee, so
/// one of her services is in debt whatever the other stories do.
final class BackgroundTests: XCTestCase {
    private var storage = InMemorySecureStorage()

    override func setUp() {
        storage = InMemorySecureStorage()
    }

    private func loggedIn(language: Language = .italian, storage: InMemorySecureStorage? = nil) async throws -> ComunicApp {
        let dir = try Sandbox.tempDataDir()
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return try await Sandbox.loggedIn(dataDir: dir, storage: storage ?? self.storage, language: language)
    }

    /// Every child × service of the cache in debt, as the destination its notification opens.
    private func inDebt(_ app: ComunicApp) throws -> [Destination] {
        try app.saldo().children.flatMap { child in
            child.services.filter(\.inDebt).map { Destination.saldo(childId: child.childId, serviceCode: $0.serviceCode) }
        }
    }

    private func debtNotification(
        _ report: BackgroundReport, _ destination: Destination, file: StaticString = #filePath, line: UInt = #line
    ) throws -> LocalNotification {
        let found = report.notifications.filter { $0.kind == .creditInDebt && $0.destination == destination }
        XCTAssertEqual(found.count, 1, "CreditInDebt for \(destination) in \(report.notifications)", file: file, line: line)
        return try XCTUnwrap(found.first, file: file, line: line)
    }

    private func assertUniqueIds(_ report: BackgroundReport, file: StaticString = #filePath, line: UInt = #line) {
        let ids = report.notifications.map(\.id)
        let numeric = report.notifications.map(\.numericId)
        XCTAssertEqual(Set(ids).count, ids.count, "\(ids)", file: file, line: line)
        XCTAssertEqual(Set(numeric).count, numeric.count, "\(numeric)", file: file, line: line)
    }

    /// The child named in the title, the service and its balance in the body, the amount written
    /// the Italian way ("-€ 230,00", computed here in integers, not by the core).
    private func assertItalian(
        _ app: ComunicApp, _ notification: LocalNotification, _ destination: Destination,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        guard case let .saldo(childId, serviceCode) = destination else {
            return XCTFail("not a Saldo destination: \(destination)", file: file, line: line)
        }
        let child = try XCTUnwrap(try app.saldo().children.first { $0.childId == childId }, file: file, line: line)
        let service = try XCTUnwrap(child.services.first { $0.serviceCode == serviceCode }, file: file, line: line)
        XCTAssertTrue(notification.title.contains(child.name), "\(notification)", file: file, line: line)
        XCTAssertTrue(notification.body.contains(service.serviceLabel), "\(notification)", file: file, line: line)
        let amount = italianEuro(service.balanceCents)
        XCTAssertTrue(notification.body.contains(amount), "\(amount) in \(notification)", file: file, line: line)
    }

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

    func testIlLavoroInBackgroundAggiornaEAvvisaDelDebitoUnaVoltaSola() async throws {
        let app = try await loggedIn()
        let report = try await app.runBackground(budgetMillis: 10_000)
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertTrue(report.refreshed, "\(report)")
        assertUniqueIds(report)

        let debts = try inDebt(app)
        XCTAssertFalse(debts.isEmpty, "the seeded family owes the nursery fee")
        let sofia = try childId(app, named: "Sofia")
        XCTAssertTrue(debts.contains { if case let .saldo(childId, _) = $0 { return childId == sofia } else { return false } },
                      "\(debts)")
        for destination in debts {
            try assertItalian(app, try debtNotification(report, destination), destination)
        }

        let again = try await app.runBackground(budgetMillis: 10_000)
        XCTAssertTrue(again.completed, "\(again)")
        let repeated = Set(again.notifications.map(\.id)).intersection(report.notifications.map(\.id))
        XCTAssertEqual(repeated, [], "posted twice: \(again.notifications)")
    }

    func testInIngleseLeNotificheHannoITestiInglesi() async throws {
        let italianApp = try await loggedIn()
        let italian = try await italianApp.runBackground(budgetMillis: 10_000)
        let debts = try inDebt(italianApp)
        XCTAssertFalse(debts.isEmpty)

        // A storage of its own: one profile's tokens per storage, as on one phone.
        let app = try await loggedIn(language: .english, storage: InMemorySecureStorage())
        let report = try await app.runBackground(budgetMillis: 10_000)
        XCTAssertTrue(report.completed, "\(report)")
        XCTAssertEqual(try inDebt(app), debts)
        for destination in debts {
            let inItalian = try debtNotification(italian, destination)
            let inEnglish = try debtNotification(report, destination)
            XCTAssertNotEqual(inItalian.title, inEnglish.title)
            XCTAssertNotEqual(inItalian.body, inEnglish.body)
            XCTAssertFalse(inEnglish.title.isEmpty || inEnglish.body.isEmpty, "\(inEnglish)")
        }
    }

    func testSenzaTempoIlLavoroSiFermaPulitoEIlSuccessivoVaFinoInFondo() async throws {
        let app = try await loggedIn()
        let none = try await app.runBackground(budgetMillis: 0)
        XCTAssertFalse(none.completed, "\(none)")
        assertUniqueIds(none)

        let full = try await app.runBackground(budgetMillis: 10_000)
        XCTAssertTrue(full.completed, "\(full)")
        XCTAssertTrue(full.refreshed, "\(full)")
        let posted = none.notifications + full.notifications
        XCTAssertEqual(Set(posted.map(\.id)).count, posted.count, "posted twice: \(posted)")
        for destination in try inDebt(app) {
            XCTAssertTrue(posted.contains { $0.kind == .creditInDebt && $0.destination == destination },
                          "no CreditInDebt for \(destination) in \(posted)")
        }
    }
}
