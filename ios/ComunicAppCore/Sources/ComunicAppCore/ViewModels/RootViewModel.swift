import Observation
import ComunicAppFFI

/// The app from its start: "Scelta del comune" when no profile exists, "Accedi" for a profile not
/// logged in, the tabs otherwise; the profile switcher on top of them.
@Observable @MainActor
public final class RootViewModel {
    public enum Screen {
        case comune(ComuneViewModel)
        case login(LoginViewModel)
        case home(HomeViewModel)
    }

    public private(set) var screen: Screen
    public let profiles: ProfilesViewModel

    private let platform: Platform

    /// `lastProfileId`: the profile used last (the app remembers it in UserDefaults).
    public init(environment: AppEnvironment, platform: Platform, lastProfileId: String? = nil) {
        profiles = ProfilesViewModel(environment: environment)
        self.platform = platform
        screen = .comune(ComuneViewModel(development: environment.options.development) { _ in })
        let start = profiles.profiles.first { $0.profileId == lastProfileId } ?? profiles.profiles.first
        if let start {
            switchTo(comuneId: start.comuneId)
        } else {
            chooseComune()
        }
    }

    public var home: HomeViewModel? {
        if case let .home(home) = screen { return home }
        return nil
    }

    /// "Aggiungi profilo" / "Cambia comune".
    public func chooseComune() {
        let development = profiles.environment.options.development
        screen = .comune(ComuneViewModel(development: development) { [weak self] comune in
            self?.switchTo(comuneId: comune.id)
        })
    }

    /// Opens a profile (a new one for a comune just chosen): its tabs when logged in, else Accedi.
    public func switchTo(comuneId: String) {
        // A profile that cannot be opened (its error is in `profiles.error`): back to the choice.
        guard let app = profiles.open(comuneId: comuneId) else { return chooseComune() }
        if (try? app.isLoggedIn()) == true {
            screen = .home(HomeViewModel(app: app, platform: platform))
            return
        }
        let development = profiles.environment.options.development
        let comune = (try? listComuni(development: development))?.first { $0.id == comuneId }
            ?? ComuneInfo(id: comuneId, name: profiles.activeProfile?.comuneName ?? comuneId,
                          provincia: "", portalUrl: "", sandbox: false)
        screen = .login(LoginViewModel(app: app, comune: comune, browser: platform.browser) { [weak self] in
            self?.loggedIn(app)
        })
    }

    private func loggedIn(_ app: ComunicApp) {
        profiles.reload()
        screen = .home(HomeViewModel(app: app, platform: platform))
    }

    /// "Rimuovi" confirmed: if it was the open profile, the next one opens (or Scelta del comune).
    public func confirmRemoval() async {
        if let candidate = profiles.removalCandidate, candidate.profileId == profiles.activeProfileId {
            // The open profile's screens go first: nothing may use it while its files go.
            chooseComune()
        }
        await profiles.confirmRemoval()
        if profiles.active == nil {
            if let next = profiles.profiles.first {
                switchTo(comuneId: next.comuneId)
            } else {
                chooseComune()
            }
        }
    }

    /// The session expired on the portal: Accedi again for the same profile.
    public func loginAgain() {
        guard let comuneId = profiles.activeProfileId else { return chooseComune() }
        switchTo(comuneId: comuneId)
    }
}
