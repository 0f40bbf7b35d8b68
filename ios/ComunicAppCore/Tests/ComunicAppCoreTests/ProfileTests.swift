import Foundation
import XCTest
import ComunicAppCore

/// The profile chooser and "Rimuovi profilo", with the app closed: what a data folder holds is
/// read and removed without opening a comune. One sandbox gives one comune, so one profile.
final class ProfileTests: XCTestCase {
    private func filesIn(_ dir: String) -> [String] {
        let root = URL(fileURLWithPath: dir)
        guard let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        return walk.compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .map(\.path)
    }

    func testIlProfiloDellaSandboxSiElencaESiRimuoveSenzaLasciareNulla() async throws {
        let storage = InMemorySecureStorage()
        let dataDir = try Sandbox.tempDataDir()
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dataDir) }
        do {
            let app = try await Sandbox.loggedIn(dataDir: dataDir, storage: storage)
            _ = try await app.refresh()
        }

        let profiles = try listProfiles(dataDir: dataDir, secureStorage: storage)
        XCTAssertEqual(profiles.count, 1, "\(profiles)")
        let profile = try XCTUnwrap(profiles.first)
        XCTAssertEqual(profile.comuneId, Sandbox.comuneId)
        XCTAssertFalse(profile.comuneName.isEmpty, "\(profile)")
        XCTAssertTrue(profile.parentName?.contains("Maria") == true, "\(profile)")
        XCTAssertTrue(profile.loggedIn, "\(profile)")

        try removeProfile(dataDir: dataDir, profileId: profile.profileId, secureStorage: storage)
        XCTAssertEqual(try listProfiles(dataDir: dataDir, secureStorage: storage), [])
        XCTAssertEqual(filesIn(dataDir), [])
        XCTAssertEqual(storage.keys.filter { $0.hasPrefix("comunicapp.") }, [], "the tokens go with the profile")
    }
}
