import BackgroundTasks
import ComunicAppCore
import Foundation
import UIKit
import UserNotifications

/// What the app is made of at launch: where its data lives, the Keychain, the core's options and
/// the platform pieces the view models use.
@MainActor
final class AppShell {
    static let shared = AppShell()
    nonisolated static let refreshTaskId = "it.comunicapp.refresh"
    private static let lastProfileKey = "it.comunicapp.lastProfile"

    let root: RootViewModel

    private init() {
        var support = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("ComunicApp", isDirectory: true)
        try? FileManager.default.createDirectory(at: support, withIntermediateDirectories: true)
        // The cache (children's names, balances) stays on this phone, like the tokens: the core
        // rebuilds it from the portal after a restore.
        var local = URLResourceValues()
        local.isExcludedFromBackup = true
        try? support.setResourceValues(local)
        let environment = AppEnvironment(
            dataDir: support.path,
            storage: KeychainSecureStorage(),
            options: AppOptions(
                development: Self.development,
                // The iOS simulator reaches the Mac's `make sandbox` on the Mac's loopback.
                sandboxUrl: Self.development ? "http://127.0.0.1:8787" : nil,
                redirectUri: nil,
                // ASWebAuthenticationSession hands back a custom-scheme URL to its completion for
                // every outcome (ok, cancel, error, waiting); an https callback would have to name
                // one path. The Universal Link form still works through onContinueUserActivity.
                customSchemeReturns: true,
                returnUrlBase: nil,
                language: Self.language))
        root = RootViewModel(
            environment: environment,
            platform: Platform(browser: SystemBrowser(), opener: SystemURLOpener(), pasteboard: SystemPasteboard()),
            lastProfileId: UserDefaults.standard.string(forKey: Self.lastProfileKey))
    }

    private static var development: Bool {
        #if DEBUG
        return true
        #else
        return false
        #endif
    }

    /// The language the app's own texts are shown in, so the core's texts match them.
    private static var language: Language {
        let shown = Bundle.main.preferredLocalizations.first.flatMap { Locale(identifier: $0).language.languageCode }
        return shown == .english ? .english : .italian
    }

    func remember(profileId: String?) {
        UserDefaults.standard.set(profileId, forKey: Self.lastProfileKey)
    }

    /// Asks iOS for the next refresh; iOS decides when (at the earliest in 30 minutes).
    nonisolated static func scheduleRefresh() {
        let request = BGAppRefreshTaskRequest(identifier: refreshTaskId)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 30 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    /// The BGAppRefreshTask: the core refreshes and settles; its notifications are posted.
    func runBackground() async {
        guard let app = root.home?.app else { return }
        _ = try? await BackgroundRefresh.run(app: app, poster: UserNotificationPoster())
    }
}

/// Sets the notification delegate at launch, so a tap that launched the app is not missed.
final class AppDelegate: NSObject, UIApplicationDelegate, UNUserNotificationCenterDelegate {
    func application(
        _ application: UIApplication, didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil
    ) -> Bool {
        UNUserNotificationCenter.current().delegate = self
        return true
    }

    /// Shown as a banner even while the app is open.
    func userNotificationCenter(
        _ center: UNUserNotificationCenter, willPresent notification: UNNotification
    ) async -> UNNotificationPresentationOptions {
        [.banner, .list, .sound]
    }

    /// The tap: the screen the core named.
    func userNotificationCenter(_ center: UNUserNotificationCenter, didReceive response: UNNotificationResponse) async {
        guard let destination = Destination(userInfo: response.notification.request.content.userInfo) else { return }
        await MainActor.run { AppShell.shared.root.home?.open(destination) }
    }
}
