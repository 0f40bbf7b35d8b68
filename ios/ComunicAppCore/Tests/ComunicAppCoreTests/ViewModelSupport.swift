import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import ComunicAppCore

/// The system browser as the view models see it, played against the sandbox: the login form
/// filled in with the demo parent, the pagoPA checkout's `checkoutButton` pressed ("pay",
/// "cancel", "fail"), or, with nil, the browser closed by the parent.
final class SandboxBrowser: WebAuthenticator, @unchecked Sendable {
    private let lock = NSLock()
    private var button: String?
    private var urls: [String] = []
    /// The parent closes the login page instead of signing in.
    private let closesLogin: Bool

    init(checkoutButton: String? = "pay", closesLogin: Bool = false) {
        button = checkoutButton
        self.closesLogin = closesLogin
    }

    var checkoutButton: String? {
        get { lock.lock(); defer { lock.unlock() }; return button }
        set { lock.lock(); defer { lock.unlock() }; button = newValue }
    }

    var opened: [String] {
        lock.lock(); defer { lock.unlock() }
        return urls
    }

    /// Records the URL and reads the button in one locked step.
    private func record(_ url: String) -> String? {
        lock.lock(); defer { lock.unlock() }
        urls.append(url)
        return button
    }

    func open(url: String, callbackScheme: String) async throws -> String? {
        let button = record(url)
        XCTAssertEqual(callbackScheme, AppLinks.customScheme)
        if Browser.query(of: url)["code_challenge"] != nil {
            return closesLogin ? nil : try await Browser.login(authorizeUrl: url)
        }
        guard let button else { return nil }
        return try await Checkout.press(checkoutUrl: url, button: button)
    }
}

/// The dialer and the mail app: what the screen asked to open.
@MainActor
final class RecordingOpener: URLOpener {
    private(set) var opened: [String] = []

    func open(_ uri: String) {
        opened.append(uri)
    }
}

@MainActor
final class RecordingPasteboard: Pasteboard {
    private(set) var copied: [String] = []

    func copy(_ text: String) {
        copied.append(text)
    }
}

final class RecordingPoster: NotificationPoster, @unchecked Sendable {
    let posted = Recorder<LocalNotification>()

    func post(_ notification: LocalNotification) async throws {
        posted.append(notification)
    }
}

/// Checks `condition` on the main actor every 20 ms for up to `seconds`; true as soon as it holds.
@MainActor
func until(_ seconds: Double = 10, _ condition: @MainActor () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return true
}

/// A screen's `.task`: runs `body` until the test ends (cancelled in the teardown).
@MainActor
func screenTask(_ test: XCTestCase, _ body: @escaping @MainActor () async -> Void) {
    let task = Task { @MainActor in await body() }
    test.addTeardownBlock { task.cancel() }
}

/// A fresh data folder, deleted after the test.
func dataDir(for test: XCTestCase) throws -> String {
    let dir = try Sandbox.tempDataDir()
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
}

/// The sandbox's fault knobs (`/admin/faults`), for a portal that answers 503 for a while.
enum SandboxFaults {
    static func set(_ json: String) async throws {
        try await admin("POST", "/admin/faults", body: json)
    }

    static func clear() async throws {
        try await admin("DELETE", "/admin/faults", body: nil)
    }

    static func admin(_ method: String, _ route: String, body: String?) async throws {
        guard let url = URL(string: "\(try Sandbox.url())\(route)") else { return }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
        }
        let status: Int = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { _, response, error in
                if let error { return continuation.resume(throwing: error) }
                continuation.resume(returning: (response as? HTTPURLResponse)?.statusCode ?? 0)
            }.resume()
        }
        guard (200...299).contains(status) else {
            throw SandboxError.browser("\(method) \(route): HTTP \(status)")
        }
    }
}

/// The sandbox's clock (`/admin/clock/advance`): pagoPA sessions and registrations see it.
enum SandboxClock {
    static func advance(seconds: Int) async throws {
        try await SandboxFaults.admin("POST", "/admin/clock/advance", body: #"{"seconds": \#(seconds)}"#)
    }
}

/// The platform for view models in a test: the sandbox browser and recorders.
@MainActor
func testPlatform(_ browser: SandboxBrowser = SandboxBrowser()) -> (Platform, RecordingOpener, RecordingPasteboard) {
    let opener = RecordingOpener()
    let pasteboard = RecordingPasteboard()
    return (Platform(browser: browser, opener: opener, pasteboard: pasteboard), opener, pasteboard)
}
