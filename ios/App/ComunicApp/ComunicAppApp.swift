import ComunicAppCore
import SwiftUI

@main
struct ComunicAppApp: App {
    @State private var lastReturnURL: URL?

    var body: some Scene {
        WindowGroup {
            NavigationStack {
                SaldoView(rows: SaldoRow.placeholder)
            }
            // The checkout comes back here (custom scheme or universal link). The URL carries no
            // outcome: it goes to the core, which matches it to the pending top-up and asks the
            // portal (`ComunicApp.handleReturnUrl`). The app shell does not open a ComunicApp yet:
            // wiring it here is the next step for the iOS app.
            .onOpenURL { url in lastReturnURL = url }
            .onContinueUserActivity(NSUserActivityTypeBrowsingWeb) { activity in
                lastReturnURL = activity.webpageURL
            }
        }
    }
}
