import Observation
import ComunicAppFFI

/// "Accedi": the portal's own login page in the system browser (ASWebAuthenticationSession),
/// its redirect handed to the core, which checks the state and keeps the tokens in the Keychain.
@Observable @MainActor
public final class LoginViewModel {
    public enum Phase: Equatable, Sendable {
        case idle
        case inProgress
        /// The parent closed the browser: "Accesso annullato", and "Accedi" again.
        case cancelled
        case failed(ScreenError)
        case loggedIn
    }

    public let comune: ComuneInfo
    public private(set) var phase: Phase = .idle

    private let app: ComunicApp
    private let browser: WebAuthenticator
    private let onLoggedIn: @MainActor () -> Void

    public init(app: ComunicApp, comune: ComuneInfo, browser: WebAuthenticator,
                onLoggedIn: @escaping @MainActor () -> Void) {
        self.app = app
        self.comune = comune
        self.browser = browser
        self.onLoggedIn = onLoggedIn
    }

    public func login() async {
        guard phase != .inProgress else { return }
        phase = .inProgress
        do {
            let authorize = try app.loginStart()
            guard let callback = try await browser.open(url: authorize, callbackScheme: AppLinks.customScheme) else {
                phase = .cancelled
                return
            }
            try await app.loginComplete(callbackUrl: callback)
            phase = .loggedIn
            onLoggedIn()
        } catch {
            phase = .failed(ScreenError(error))
        }
    }
}
