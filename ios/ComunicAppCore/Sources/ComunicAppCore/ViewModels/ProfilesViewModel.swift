import Observation
import ComunicAppFFI

/// Where the app keeps its data and how it talks to the core, the same for every profile.
public struct AppEnvironment: Sendable {
    /// The app's private folder (Application Support on iOS).
    public let dataDir: String
    public let storage: SecureStorage
    public let options: AppOptions

    public init(dataDir: String, storage: SecureStorage, options: AppOptions) {
        self.dataDir = dataDir
        self.storage = storage
        self.options = options
    }
}

/// The profiles on this device, one per comune: listed and removed with the app closed, switched
/// from the top bar. The one open is `active`; opening another closes it.
@Observable @MainActor
public final class ProfilesViewModel {
    public private(set) var profiles: [ProfileInfo] = []
    public private(set) var active: ComunicApp?
    public private(set) var activeProfileId: String?
    public private(set) var error: ScreenError?
    /// The profile whose "Rimuovi profilo" confirmation is showing.
    public var removalCandidate: ProfileInfo?

    public let environment: AppEnvironment

    public init(environment: AppEnvironment) {
        self.environment = environment
        reload()
    }

    public var activeProfile: ProfileInfo? {
        profiles.first { $0.profileId == activeProfileId }
    }

    public func reload() {
        do {
            profiles = try listProfiles(dataDir: environment.dataDir, secureStorage: environment.storage)
            error = nil
        } catch {
            self.error = ScreenError(error)
        }
    }

    /// Opens the profile of `comuneId` (new or existing): no network, its cache is there at once.
    @discardableResult
    public func open(comuneId: String) -> ComunicApp? {
        do {
            // One profile open at a time: the old one is released before the new one opens.
            active = nil
            let app = try ComunicApp.open(
                dataDir: environment.dataDir, comuneId: comuneId,
                secureStorage: environment.storage, options: environment.options)
            active = app
            activeProfileId = comuneId
            error = nil
            reload()
            return app
        } catch {
            activeProfileId = nil
            self.error = ScreenError(error)
            return nil
        }
    }

    public func dismissError() {
        error = nil
    }

    public func askRemoval(_ profile: ProfileInfo) {
        removalCandidate = profile
    }

    public func cancelRemoval() {
        removalCandidate = nil
    }

    /// "Rimuovi": the active profile logs out first (its tokens revoked on the portal) and is
    /// closed; then its cache file and secrets go.
    public func confirmRemoval() async {
        guard let profile = removalCandidate else { return }
        removalCandidate = nil
        if profile.profileId == activeProfileId, let app = active {
            _ = try? await app.logout()
            active = nil
            activeProfileId = nil
        }
        do {
            try removeProfile(dataDir: environment.dataDir, profileId: profile.profileId,
                              secureStorage: environment.storage)
            error = nil
        } catch {
            self.error = ScreenError(error)
        }
        reload()
    }
}
