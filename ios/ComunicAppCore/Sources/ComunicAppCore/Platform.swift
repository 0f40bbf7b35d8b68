import ComunicAppFFI

// What the view models need from the platform, each behind a small protocol: the iOS app gives
// ASWebAuthenticationSession, UIApplication.open, UIPasteboard and UNUserNotificationCenter; the
// tests give URLSession playing the sandbox's pages and recorders.

/// The app's own addresses, as the core generates them (OAuth redirect, pagoPA returns).
public enum AppLinks {
    /// `it.comunicapp://oauth/callback` and `it.comunicapp://pagopa/return/…`.
    public static let customScheme = "it.comunicapp"
    /// The Universal Link host of the pagoPA returns (`applinks:` in the entitlements).
    public static let universalLinkHost = "app.comunicapp.it"
}

/// The system browser for a round trip that ends at one of the app's URLs: never a web view in
/// the app, so the parent's portal password and card never pass through it.
public protocol WebAuthenticator: Sendable {
    /// Opens `url`; returns the URL the browser was sent back to (`callbackScheme`), or nil when
    /// the parent closed the browser first.
    func open(url: String, callbackScheme: String) async throws -> String?
}

/// Opens `tel:` and `mailto:` URIs (the dialer, the mail app).
@MainActor
public protocol URLOpener: AnyObject {
    func open(_ uri: String)
}

/// The system clipboard.
@MainActor
public protocol Pasteboard: AnyObject {
    func copy(_ text: String)
}

/// Posts a local notification the core decided on (UNUserNotificationCenter in the app).
public protocol NotificationPoster: Sendable {
    func post(_ notification: LocalNotification) async throws
}
