import Foundation
import XCTest
import ComunicAppCore

/// Proves the tests exercise the library cargo built, not a stale or system copy.
final class NativeLibraryTests: XCTestCase {
    func testLaLibreriaCaricataEQuellaAppenaCompilata() throws {
        let libDir = try XCTUnwrap(
            ProcessInfo.processInfo.environment["COMUNICAPP_LIB_DIR"],
            "scripts/swift-test.sh sets COMUNICAPP_LIB_DIR"
        )
        let expected = URL(fileURLWithPath: libDir)
            .appendingPathComponent("libcomunicapp_ffi.so").resolvingSymlinksInPath().path
        XCTAssertTrue(FileManager.default.fileExists(atPath: expected), "missing \(expected)")

        XCTAssertEqual(formatCents(cents: 1), "€ 0,01")

        // The kernel's view of this process: which file is really mapped. /proc files report
        // size 0, so read to the end rather than trusting a size.
        let handle = try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/self/maps"))
        defer { try? handle.close() }
        let maps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertFalse(maps.isEmpty)
        let mapped = Set(
            maps.split(separator: "\n")
                .compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).last }
                .map(String.init)
                .filter { $0.hasSuffix("libcomunicapp_ffi.so") }
        )
        XCTAssertEqual(mapped, [expected])
    }
}
