import Dispatch
import Foundation
import XCTest
import ComunicAppCore

/// The screens' subscriptions through the package's AsyncStreams and the raw listeners, against
/// the real sandbox portal. The esito story tops up Sofia's refezione, which no other story
/// touches, so its exact balance check is not moved by the others sharing the sandbox.
final class SubscriptionTests: XCTestCase {
    private var storage = InMemorySecureStorage()

    override func setUp() {
        storage = InMemorySecureStorage()
    }

    /// Logged in and refreshed, in a fresh data folder deleted after the test.
    private func readyApp() async throws -> ComunicApp {
        let dir = try Sandbox.tempDataDir()
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let app = try await Sandbox.loggedIn(dataDir: dir, storage: storage)
        _ = try await app.refresh()
        return app
    }

    func testLaSchermataEsitoVedeLaRicaricaRegistrataSenzaAltreChiamate() async throws {
        let app = try await readyApp()
        let sofia = try childId(app, named: "Sofia")
        let before = try XCTUnwrap(balance(in: try app.saldo(), child: sofia, service: "refezione"))

        let email = try await app.ricaricaOptions(childIds: [sofia]).payerEmail
        _ = try await app.ricaricaDraftApply(action: .choosePreset(cents: 2_000))
        _ = try await app.ricaricaDraftApply(action: .addItem(childId: sofia, serviceCode: "refezione"))
        _ = try await app.ricaricaDraftApply(action: .confirmCart(payerEmail: email))
        _ = try await app.ricaricaDraftApply(action: .confirmEmail)
        let riepilogo = try await app.ricaricaDraftApply(action: .chooseMode(mode: .online))
        XCTAssertEqual(riepilogo.step, .riepilogo)
        let submitted = try await app.submit()
        let checkout = try XCTUnwrap(submitted.checkout, "\(submitted)")
        let back = try await Checkout.press(checkoutUrl: checkout.checkoutUrl, button: "pay")
        let returned = try await app.handleReturnUrl(url: back)
        XCTAssertEqual(returned.step, .paidAwaitingRegistration)

        // From here the screen only listens: the core follows the top-up by itself.
        let esito = await firstView(of: try app.ricaricaUpdates(localId: submitted.localId), within: 20) {
            $0.step == .registered
        }
        let steps = esito.seen.map(\.step)
        let registered = try XCTUnwrap(esito.match, "no registration within 20 s: \(steps)")
        XCTAssertEqual(steps.first, .paidAwaitingRegistration, "\(steps)")
        XCTAssertEqual(registered.localId, submitted.localId)
        XCTAssertTrue(registered.settled)

        let saldo = await firstView(of: app.saldoUpdates(), within: 10) {
            balance(in: $0, child: sofia, service: "refezione") != before
        }
        let raised = try XCTUnwrap(saldo.match, "no new balance within 10 s: \(saldo.seen.count) views")
        XCTAssertEqual(balance(in: raised, child: sofia, service: "refezione"), before + 2_000)

        let localId = submitted.localId
        let pagamenti = await firstView(of: app.pagamentiUpdates(), within: 10) { view in
            view.storico.contains { $0.localId == localId }
        }
        let storico = try XCTUnwrap(pagamenti.match, "not in the storico within 10 s: \(pagamenti.seen.last.map { "\($0.storico.map(\.localId))" } ?? "no view")")
        XCTAssertEqual(storico.storico.first { $0.localId == localId }?.step, .registered)
        XCTAssertFalse(storico.ricaricheInCorso.contains { $0.localId == localId }, "\(storico.ricaricheInCorso)")
    }

    func testUnaRicaricaSconosciutaNonSiSegue() async throws {
        let app = try await readyApp()
        XCTAssertThrowsError(try app.ricaricaUpdates(localId: "ricarica-sconosciuta")) { error in
            guard case let ApiError.NotFound(code: code, detail: _, retryable: _) = error else {
                return XCTFail("expected ApiError.NotFound, got \(error)")
            }
            XCTAssertFalse(code.isEmpty)
        }
    }

    func testChiudereLaSchermataFermaIlLavoroDelCore() async throws {
        let app = try await readyApp()
        let baseline = app.liveTasks()
        let seen = Recorder<SaldoView>()
        let collector = Task {
            for await view in app.saldoUpdates() {
                seen.append(view)
            }
        }
        let arrived = await eventually { seen.count > 0 }
        XCTAssertTrue(arrived, "no first view")
        XCTAssertEqual(app.liveTasks(), baseline + 1)

        collector.cancel()
        await collector.value
        _ = await eventually { app.liveTasks() == baseline }
        XCTAssertEqual(app.liveTasks(), baseline)
    }

    func testUnAscoltatoreLentoNonBloccaIlCore() async throws {
        let app = try await readyApp()
        let listener = StuckListener()
        defer { listener.letGo() }
        let handle = app.subscribeSaldo(listener: listener)

        let arrived = await eventually { listener.views.count == 1 }
        XCTAssertTrue(arrived, "no first view")
        // Both return while the listener still holds the core's call: that is the proof.
        _ = try await app.refresh()
        _ = try await app.refresh()
        XCTAssertTrue(listener.isStuck)
        XCTAssertEqual(listener.views.count, 1)

        listener.letGo()
        let latest = try app.saldo().freshness.fetchedAt
        let again = await eventually { listener.views.count > 1 && listener.views.last?.freshness.fetchedAt == latest }
        XCTAssertTrue(again, "after the release: \(listener.views.count) views, the last fetched at "
            + "\(String(describing: listener.views.last?.freshness.fetchedAt)), the cache at \(String(describing: latest))")
        XCTAssertFalse(handle.isFinished())
        handle.cancel()
    }

    func testChiNonLeggeIlFlussoRiceveSoloLaVistaPiuRecente() async throws {
        let app = try await readyApp()
        let received = Recorder<SaldoView>()
        let gate = Flag()
        let consumer = Task {
            for await view in app.saldoUpdates() {
                received.append(view)
                while received.count == 1 && !gate.isRaised && !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 10_000_000)
                }
            }
        }
        defer {
            gate.raise()
            consumer.cancel()
        }

        let arrived = await eventually { received.count == 1 }
        XCTAssertTrue(arrived, "no first view")
        for _ in 0..<3 { _ = try await app.refresh() }
        XCTAssertEqual(received.count, 1, "the consumer has not read on")
        gate.raise()
        let latest = try app.saldo().freshness.fetchedAt
        let caughtUp = await eventually { received.count > 1 && received.last?.freshness.fetchedAt == latest }
        XCTAssertTrue(caughtUp, "after the gate: \(received.count) views, the last fetched at "
            + "\(String(describing: received.last?.freshness.fetchedAt)), the cache at \(String(describing: latest))")
    }
}

/// Takes the first view, then holds the core's call until released, as a frozen UI would.
private final class StuckListener: SaldoListener, @unchecked Sendable {
    private let lock = NSLock()
    private var received: [SaldoView] = []
    private var stuck = false
    private let release = DispatchSemaphore(value: 0)

    func onUpdate(view: SaldoView) {
        lock.lock()
        received.append(view)
        let first = received.count == 1
        if first { stuck = true }
        lock.unlock()
        guard first else { return }
        // Bounded, so a failing test cannot hang the run.
        _ = release.wait(timeout: .now() + 60)
        lock.lock()
        stuck = false
        lock.unlock()
    }

    /// Safe to call more than once: only the first view ever waits.
    func letGo() {
        release.signal()
    }

    var views: [SaldoView] {
        lock.lock(); defer { lock.unlock() }
        return received
    }

    var isStuck: Bool {
        lock.lock(); defer { lock.unlock() }
        return stuck
    }
}
