import AuthenticationServices
import ComunicAppCore
import UIKit
import UserNotifications

/// The system browser: ASWebAuthenticationSession, never a web view of the app's own, for the
/// portal's login and for the pagoPA checkout.
final class SystemBrowser: NSObject, WebAuthenticator, ASWebAuthenticationPresentationContextProviding, @unchecked Sendable {
    // @unchecked: `session` is only touched on the main actor.
    private var session: ASWebAuthenticationSession?

    func open(url: String, callbackScheme: String) async throws -> String? {
        guard let start = URL(string: url) else { throw URLError(.badURL) }
        return try await withCheckedThrowingContinuation { continuation in
            Task { @MainActor in
                let session = ASWebAuthenticationSession(url: start, callbackURLScheme: callbackScheme) { [weak self] callback, error in
                    self?.session = nil
                    if let error = error as? ASWebAuthenticationSessionError, error.code == .canceledLogin {
                        continuation.resume(returning: nil)
                    } else if let error {
                        continuation.resume(throwing: error)
                    } else {
                        continuation.resume(returning: callback?.absoluteString)
                    }
                }
                session.presentationContextProvider = self
                self.session = session
                if !session.start() {
                    self.session = nil
                    continuation.resume(returning: nil)
                }
            }
        }
    }

    func presentationAnchor(for session: ASWebAuthenticationSession) -> ASPresentationAnchor {
        let windows = UIApplication.shared.connectedScenes.compactMap { $0 as? UIWindowScene }.flatMap(\.windows)
        return windows.first(where: \.isKeyWindow) ?? windows.first ?? ASPresentationAnchor()
    }
}

/// `tel:` to the dialer, `mailto:` to the mail app.
@MainActor
final class SystemURLOpener: URLOpener {
    func open(_ uri: String) {
        guard let url = URL(string: uri) else { return }
        UIApplication.shared.open(url)
    }
}

@MainActor
final class SystemPasteboard: Pasteboard {
    func copy(_ text: String) {
        UIPasteboard.general.string = text
    }
}

/// The core's notifications through UNUserNotificationCenter: its id, so an event posted again
/// replaces itself; its destination in userInfo, for the tap.
struct UserNotificationPoster: NotificationPoster {
    func post(_ notification: LocalNotification) async throws {
        let content = UNMutableNotificationContent()
        content.title = notification.title
        content.body = notification.body
        content.userInfo = notification.destination.userInfo
        content.sound = .default
        // Grouped in Notification Center as the two Android channels are: credit, and payments.
        content.threadIdentifier = notification.kind == .creditLow || notification.kind == .creditInDebt
            ? "it.comunicapp.credito" : "it.comunicapp.pagamenti"
        try await UNUserNotificationCenter.current().add(
            UNNotificationRequest(identifier: notification.id, content: content, trigger: nil))
    }
}
