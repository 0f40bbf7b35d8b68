// swift-tools-version:5.9
// The Swift layer over the UniFFI bindings of comunicapp-core.
//
// Targets, bottom up:
// - comunicapp_ffiFFI: the C header UniFFI generates, as a module whose map also links
//   libcomunicapp_ffi (the Rust library).
// - ComunicAppFFI: the generated Swift bindings (copied here by scripts/bindings.sh).
// - ComunicAppCore: the thin Swift API the app uses; no logic about money or pagoPA.
//
// On Linux (scripts/swift-test.sh) the library comes from the host build in target/debug, passed
// with -Xlinker -L. An iOS build links the XCFramework made by `make ios-xcframework` instead.
//
// The view models are `@Observable` (the Observation module): iOS 17 and macOS 14 at least.
// Debian's Swift 6.0.3 ships a libswiftObservation.so that references a symbol its libswiftCore.so
// does not export (swift::threading::fatal, only called on a broken mutex), so linking the test
// executable on Linux needs --allow-shlib-undefined; the symbol is never bound unless called.
// Apple's toolchains need no such flag, hence the Linux-only condition.
import PackageDescription

let package = Package(
    name: "ComunicAppCore",
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [
        .library(name: "ComunicAppCore", targets: ["ComunicAppCore"]),
    ],
    targets: [
        .systemLibrary(name: "comunicapp_ffiFFI", path: "Sources/comunicapp_ffiFFI"),
        .target(
            name: "ComunicAppFFI",
            dependencies: ["comunicapp_ffiFFI"],
            path: "Sources/ComunicAppFFI"
        ),
        .target(name: "ComunicAppCore", dependencies: ["ComunicAppFFI"]),
        .testTarget(
            name: "ComunicAppCoreTests",
            dependencies: ["ComunicAppCore"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--allow-shlib-undefined"], .when(platforms: [.linux]))]
        ),
    ]
)
