import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import XCTest
import ComunicAppCore

/// The sandbox portal the tests run against: started by scripts/with-sandbox.sh, which exports
/// its address and demo credentials. Without them the tests fail rather than skip, so a broken
/// script cannot pass as green.
enum Sandbox {
    static let comuneId = "sandbox"

    static func required(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw SandboxError.notConfigured(name)
        }
        return value
    }

    static func url() throws -> String { try required("SANDBOX_URL") }
    static func user() throws -> String { try required("SANDBOX_USER") }
    static func password() throws -> String { try required("SANDBOX_PASSWORD") }

    static func options(sandboxUrl: String, language: Language = .italian) -> AppOptions {
        AppOptions(
            development: true,
            sandboxUrl: sandboxUrl,
            redirectUri: nil,
            customSchemeReturns: false,
            returnUrlBase: nil,
            language: language
        )
    }

    static func tempDataDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("comunicapp-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    static func open(
        dataDir: String, storage: SecureStorage, sandboxUrl: String? = nil, language: Language = .italian
    ) throws -> ComunicApp {
        try ComunicApp.open(
            dataDir: dataDir,
            comuneId: comuneId,
            secureStorage: storage,
            options: options(sandboxUrl: try sandboxUrl ?? url(), language: language)
        )
    }

    /// The sandbox comune in `dataDir` with the demo parent logged in through the form.
    static func loggedIn(dataDir: String, storage: SecureStorage, language: Language = .italian) async throws -> ComunicApp {
        let app = try open(dataDir: dataDir, storage: storage, language: language)
        try await app.loginComplete(callbackUrl: try await Browser.login(authorizeUrl: try app.loginStart()))
        return app
    }

    /// A loopback address nobody listens on: the port was free a moment ago and is closed now.
    static func closedPortUrl() throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SandboxError.socket("socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw SandboxError.socket("bind") }
        return "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
    }
}

enum SandboxError: Error, CustomStringConvertible {
    case notConfigured(String)
    case socket(String)
    case browser(String)

    var description: String {
        switch self {
        case let .notConfigured(name):
            return "\(name) not set: run scripts/swift-test.sh (it starts the sandbox)"
        case let .socket(step):
            return "socket: \(step) failed"
        case let .browser(message):
            return "browser: \(message)"
        }
    }
}

/// What the Keychain is in the app: here a dictionary, so the tests can look inside.
final class InMemorySecureStorage: SecureStorage, @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: String] = [:]

    func get(key: String) throws -> String? {
        lock.lock(); defer { lock.unlock() }
        return entries[key]
    }

    func set(key: String, value: String) throws {
        lock.lock(); defer { lock.unlock() }
        entries[key] = value
    }

    func delete(key: String) throws {
        lock.lock(); defer { lock.unlock() }
        entries[key] = nil
    }

    var keys: [String] {
        lock.lock(); defer { lock.unlock() }
        return entries.keys.sorted()
    }
}

/// Refuses every redirect, so the 302 of the login form comes back as the response: its
/// Location (the app's redirect URI) is what the browser would hand to the app.
private final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
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

/// Plays the system browser of the OAuth round trip with Foundation's URLSession.
enum Browser {
    private static let session = URLSession(
        configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)

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

    /// The Location the portal answers a correct login with: redirect URI + code + state.
    static func login(authorizeUrl: String) async throws -> String {
        guard let authorize = URL(string: authorizeUrl) else {
            throw SandboxError.browser("bad authorize URL \(authorizeUrl)")
        }
        var get = URLRequest(url: authorize)
        get.timeoutInterval = 10
        let (page, html) = try await send(get)
        guard page.statusCode == 200 else {
            throw SandboxError.browser("authorize page: HTTP \(page.statusCode): \(html)")
        }
        guard let action = firstMatch(#"<form method="post" action="([^"]+)">"#, in: html).first,
              let target = URL(string: action, relativeTo: authorize)
        else {
            throw SandboxError.browser("no login form in \(html)")
        }
        var fields = allMatches(#"<input type="hidden" name="([^"]+)" value="([^"]*)">"#, in: html)
            .map { ($0[0], unescapeHtml($0[1])) }
        fields.append(("username", try Sandbox.user()))
        fields.append(("password", try Sandbox.password()))
        var post = URLRequest(url: target.absoluteURL)
        post.httpMethod = "POST"
        post.timeoutInterval = 10
        post.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        post.httpBody = Data(fields.map { "\(formEncode($0.0))=\(formEncode($0.1))" }
            .joined(separator: "&").utf8)
        let (submitted, body) = try await send(post)
        guard (300...399).contains(submitted.statusCode),
              let location = submitted.value(forHTTPHeaderField: "Location")
        else {
            throw SandboxError.browser("login form: HTTP \(submitted.statusCode): \(body)")
        }
        return location
    }

    /// The query parameters of a URL, decoded.
    static func query(of url: String) -> [String: String] {
        var result: [String: String] = [:]
        for item in URLComponents(string: url)?.queryItems ?? [] {
            result[item.name] = item.value ?? ""
        }
        return result
    }

    private static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static func unescapeHtml(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    private static func allMatches(_ pattern: String, in text: String) -> [[String]] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).map { match in
            (1..<match.numberOfRanges).compactMap { index in
                Range(match.range(at: index), in: text).map { String(text[$0]) }
            }
        }
    }

    private static func firstMatch(_ pattern: String, in text: String) -> [String] {
        allMatches(pattern, in: text).first ?? []
    }
}
