import Foundation
import XCTest
import ComunicAppCore

/// `make bench`'s Swift row: one small call across the C ABI (`parseAmount("20,50")`), median of
/// batches, written where `COMUNICAPP_BENCH_OUT` says. Skipped in `make test`: timings are never
/// asserted.
final class FfiCallBench: XCTestCase {
    func testUnaChiamataPiccolaAttraversoLaFFI() throws {
        guard let out = ProcessInfo.processInfo.environment["COMUNICAPP_BENCH_OUT"], !out.isEmpty else {
            throw XCTSkip("only under make bench")
        }
        for _ in 0..<20_000 { _ = try parseAmount(text: "20,50") }
        let batch = 10_000
        var perCall: [UInt64] = []
        for _ in 0..<15 {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<batch {
                let parsed = try parseAmount(text: "20,50")
                XCTAssertEqual(parsed.cents, 2050)
            }
            perCall.append((DispatchTime.now().uptimeNanoseconds - start) / UInt64(batch))
        }
        perCall.sort()
        try "{\"ns_per_call\": \(perCall[perCall.count / 2])}\n".write(
            toFile: out, atomically: true, encoding: .utf8)
    }
}
