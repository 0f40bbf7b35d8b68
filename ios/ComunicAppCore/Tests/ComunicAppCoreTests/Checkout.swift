import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Refuses every redirect, so the checkout's 303 comes back as the response: its Location (the
/// app's return URL) is what the browser would hand to the app.
private final class KeepRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

/// Plays the payer in the sandbox's pagoPA checkout with Foundation's URLSession, as
/// ASWebAuthenticationSession would: opens the checkout page, presses one of its buttons, and
/// hands back where the checkout sends the browser.
enum Checkout {
    private static let session = URLSession(
        configuration: .ephemeral, delegate: KeepRedirects(), delegateQueue: nil)

    private static func send(_ request: URLRequest) async throws -> (HTTPURLResponse, String) {
        try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else if let http = response as? HTTPURLResponse {
                    continuation.resume(returning: (http, String(decoding: data ?? Data(), as: UTF8.self)))
                } else {
                    continuation.resume(throwing: SandboxError.browser("no HTTP response"))
                }
            }.resume()
        }
    }

    /// The Location of the checkout's 303 after pressing `button` ("pay", "cancel", "fail").
    static func press(checkoutUrl: String, button: String = "pay") async throws -> String {
        guard let checkout = URL(string: checkoutUrl) else {
            throw SandboxError.browser("bad checkout URL \(checkoutUrl)")
        }
        var get = URLRequest(url: checkout)
        get.timeoutInterval = 10
        let (page, html) = try await send(get)
        guard page.statusCode == 200 else {
            throw SandboxError.browser("checkout page: HTTP \(page.statusCode): \(html)")
        }
        let pattern = #"<form method="post" action="([^"]+)"><button id=""#
            + NSRegularExpression.escapedPattern(for: button) + #"""#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)),
              let range = Range(match.range(at: 1), in: html),
              let target = URL(string: String(html[range]), relativeTo: checkout)
        else {
            throw SandboxError.browser("no '\(button)' button in \(html)")
        }
        var post = URLRequest(url: target.absoluteURL)
        post.httpMethod = "POST"
        post.timeoutInterval = 10
        let (answer, body) = try await send(post)
        guard answer.statusCode == 303, let location = answer.value(forHTTPHeaderField: "Location") else {
            throw SandboxError.browser("checkout '\(button)': expected 303, got HTTP \(answer.statusCode): \(body)")
        }
        return location
    }

    /// A payment made at a tobacconist: the sandbox's admin door, on only in test runs.
    static func payAvvisoElsewhere(noticeNumber: String) async throws {
        guard let url = URL(string: "\(try Sandbox.url())/admin/avvisi/\(noticeNumber)/pay") else {
            throw SandboxError.browser("bad notice number \(noticeNumber)")
        }
        var post = URLRequest(url: url)
        post.httpMethod = "POST"
        post.timeoutInterval = 10
        let (answer, body) = try await send(post)
        guard answer.statusCode == 200 else {
            throw SandboxError.browser("pay avviso: HTTP \(answer.statusCode): \(body)")
        }
    }
}
