import ComunicAppFFI

/// An error as a screen shows it, made in one place from the core's `ApiError`: the message in the
/// app's language (`detail`), whether "Riprova" makes sense (`retryable`), the stable `code` and,
/// for a refused input, the `field`. Screens branch on these and never on a message.
public struct ScreenError: Error, Equatable, Sendable {
    public let code: String
    /// The core's message; empty for an error that did not come from the core (the view then shows
    /// the generic text of the catalog).
    public let detail: String
    public let retryable: Bool
    public let field: String?
    /// The login is gone or never happened: the screen offers "Accedi", not "Riprova".
    public let requiresLogin: Bool

    public init(code: String, detail: String, retryable: Bool, field: String? = nil, requiresLogin: Bool = false) {
        self.code = code
        self.detail = detail
        self.retryable = retryable
        self.field = field
        self.requiresLogin = requiresLogin
    }

    public init(_ error: Error) {
        if let screen = error as? ScreenError {
            self = screen
            return
        }
        guard let api = error as? ApiError else {
            // The browser or the platform failed, not the core: nothing worded to show.
            self.init(code: "errore.app", detail: "", retryable: true)
            return
        }
        switch api {
        case let .InvalidInput(field, code, detail, retryable):
            self.init(code: code, detail: detail, retryable: retryable, field: field)
        case let .SessionExpired(code, detail, retryable), let .NotLoggedIn(code, detail, retryable):
            self.init(code: code, detail: detail, retryable: retryable, requiresLogin: true)
        case let .Offline(code, detail, retryable),
             let .Timeout(code, detail, retryable),
             let .Login(code, detail, retryable),
             let .PaymentInProgress(code, detail, retryable),
             let .PaymentDuplicated(code, detail, retryable),
             let .NotFound(code, detail, retryable),
             let .Contract(code, detail, retryable),
             let .Storage(code, detail, retryable),
             let .ReturnUrlRejected(code, detail, retryable),
             let .SecureStorage(code, detail, retryable):
            self.init(code: code, detail: detail, retryable: retryable)
        case let .Server(_, code, detail, retryable):
            self.init(code: code, detail: detail, retryable: retryable)
        case let .Portal(_, code, detail, retryable):
            self.init(code: code, detail: detail, retryable: retryable)
        case let .RicaricaNotConfirmed(_, code, detail, retryable):
            self.init(code: code, detail: detail, retryable: retryable)
        }
    }
}

extension ComunicApp {
    /// Pull to refresh and "Riprova" of every live screen: the new view comes through the
    /// screen's subscription; what is left to show is the error, if any.
    public func refreshForScreen() async -> ScreenError? {
        do {
            _ = try await refresh()
            return nil
        } catch {
            return ScreenError(error)
        }
    }
}
