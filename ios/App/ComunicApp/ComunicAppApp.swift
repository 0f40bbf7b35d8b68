import BackgroundTasks
import ComunicAppCore
import SwiftUI

/// The app shell: one scene whose screens render the view models of ComunicAppCore. Everything a
/// parent sees is decided there and in the core; here are only the platform's doors in — the
/// pagoPA return links, the background refresh and the notifications' taps.
@main
struct ComunicAppApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate
    @Environment(\.scenePhase) private var scenePhase
    @State private var root = AppShell.shared.root

    var body: some Scene {
        WindowGroup {
            RootView(model: root)
                // The pagoPA return in the custom-scheme form, when it reaches the app outside
                // the browser session. The URL carries no outcome: the core matches it to the
                // top-up and asks the portal.
                .onOpenURL { url in
                    Task { await root.home?.handleIncoming(url: url.absoluteString) }
                }
                // The same return as a Universal Link (applinks:app.comunicapp.it).
                .onContinueUserActivity(NSUserActivityTypeBrowsingWeb) { activity in
                    guard let url = activity.webpageURL else { return }
                    Task { await root.home?.handleIncoming(url: url.absoluteString) }
                }
        }
        .onChange(of: scenePhase) { _, phase in
            if phase == .background { AppShell.scheduleRefresh() }
        }
        // Registers the BGAppRefreshTask handler (its id is in Info.plist's
        // BGTaskSchedulerPermittedIdentifiers) and runs the core's background entry point.
        .backgroundTask(.appRefresh(AppShell.refreshTaskId)) {
            AppShell.scheduleRefresh()
            await AppShell.shared.runBackground()
        }
    }
}
