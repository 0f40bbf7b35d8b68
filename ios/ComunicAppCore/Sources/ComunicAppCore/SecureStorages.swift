import Foundation
import ComunicAppFFI
#if canImport(Security)
import Security
#endif

/// The `SecureStorage` of a process with no Keychain (Linux, the tests, previews): the tokens
/// live as long as the object. Never used by the iOS app itself.
public final class MemorySecureStorage: SecureStorage, @unchecked Sendable {
    // @unchecked: every access to `entries` goes through `lock`; the core calls from its threads.
    private let lock = NSLock()
    private var entries: [String: String] = [:]

    public init() {}

    public func get(key: String) throws -> String? {
        lock.lock(); defer { lock.unlock() }
        return entries[key]
    }

    public func set(key: String, value: String) throws {
        lock.lock(); defer { lock.unlock() }
        entries[key] = value
    }

    public func delete(key: String) throws {
        lock.lock(); defer { lock.unlock() }
        entries[key] = nil
    }

    public var keys: [String] {
        lock.lock(); defer { lock.unlock() }
        return entries.keys.sorted()
    }
}

#if canImport(Security)
/// The tokens in the Keychain: generic passwords of one service, readable after the first unlock
/// (so BGAppRefreshTask can refresh while the phone is locked) and on this device only (never in a
/// backup or on another phone).
public final class KeychainSecureStorage: SecureStorage, @unchecked Sendable {
    // @unchecked: immutable after init; the Keychain API is thread-safe.
    private let service: String

    public init(service: String = "it.comunicapp.secrets") {
        self.service = service
    }

    private func query(_ key: String) -> [CFString: Any] {
        [kSecClass: kSecClassGenericPassword, kSecAttrService: service, kSecAttrAccount: key]
    }

    private func failure(_ what: String, _ status: OSStatus) -> SecureStorageError {
        .Unavailable(reason: "Keychain \(what): OSStatus \(status)")
    }

    public func get(key: String) throws -> String? {
        var request = query(key)
        request[kSecReturnData] = true
        request[kSecMatchLimit] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(request as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let data = item as? Data, let value = String(data: data, encoding: .utf8) else {
                throw failure("read", status)
            }
            return value
        case errSecItemNotFound:
            return nil
        default:
            throw failure("read", status)
        }
    }

    public func set(key: String, value: String) throws {
        let data = Data(value.utf8)
        let attributes: [CFString: Any] = [
            kSecValueData: data,
            kSecAttrAccessible: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        let updated = SecItemUpdate(query(key) as CFDictionary, attributes as CFDictionary)
        if updated == errSecSuccess { return }
        guard updated == errSecItemNotFound else { throw failure("update", updated) }
        let added = SecItemAdd(query(key).merging(attributes) { $1 } as CFDictionary, nil)
        guard added == errSecSuccess else { throw failure("add", added) }
    }

    public func delete(key: String) throws {
        let status = SecItemDelete(query(key) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw failure("delete", status) }
    }
}
#endif
