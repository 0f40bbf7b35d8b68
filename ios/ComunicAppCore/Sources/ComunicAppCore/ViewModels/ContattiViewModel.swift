import Observation
import ComunicAppFFI

/// Contatti: the ente's office with its phones, e-mail and hours; a tap dials or writes through
/// the `tel:` and `mailto:` URIs the core made.
@Observable @MainActor
public final class ContattiViewModel {
    public private(set) var contatti: ContattiView?
    public private(set) var isLoading = false
    public private(set) var error: ScreenError?

    private let app: ComunicApp
    private let opener: URLOpener

    public init(app: ComunicApp, opener: URLOpener) {
        self.app = app
        self.opener = opener
    }

    /// From the cache; before the first sync the office is not known, so the portal is asked.
    public func load() async {
        do {
            contatti = try app.contatti()
            guard contatti == nil else {
                error = nil
                return
            }
            isLoading = true
            defer { isLoading = false }
            _ = try await app.refresh()
            contatti = try app.contatti()
            error = nil
        } catch {
            self.error = ScreenError(error)
        }
    }

    public func call(_ phone: PhoneContact) {
        opener.open(phone.uri)
    }

    public func write() {
        guard let contatti else { return }
        opener.open(contatti.emailUri)
    }
}
