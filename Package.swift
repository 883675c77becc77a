// swift-tools-version: 6.1
// MIFAKit: bioimage datasets made AI-ready (MIFA metadata, formats, OME-Zarr, streaming loader).
// Layers and folders follow ../shared/DESIGN.md; arrows between modules only point down.
import PackageDescription

/// A system library target for a C library that Debian ships as a -dev package.
func systemLibrary(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, pkgConfig: pkgConfig, providers: [.apt([apt])])
}

/// `make fuzz` evaluates this manifest with MIFA_FUZZ=1 and builds the fuzz targets in the ordinary
/// .build: our modules get libFuzzer's coverage and AddressSanitizer, while the dependencies (NIO,
/// swift-crypto's BoringSSL, ...) are the plain debug build's, reused as they are, uninstrumented. A
/// separate scratch folder would compile every dependency a second time (most of the fuzz step's time).
let fuzzing = Context.environment["MIFA_FUZZ"] == "1"

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
] + (fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : [])

/// The Swift runtime and Foundation linked in statically (their archives' own dependencies named,
/// since autolink entries are not read from archives; lld needs no archive order), for `condition`:
/// libMIFAKit.so always (Python loads it on machines without a Swift toolchain), a release `mifa`
/// (start-up). `-z defs` turns a missing one into a link error.
func staticFoundation(_ condition: BuildSettingCondition? = nil) -> [LinkerSetting] {
    ["FoundationInternationalization", "_FoundationICU", "_FoundationCollections", "_FoundationCShims", "Foundation",
     "FoundationEssentials", "CoreFoundation", "swiftDispatch", "dispatch", "BlocksRuntime", "swiftSynchronization"]
        .map { LinkerSetting.linkedLibrary($0, condition) }
        + [.unsafeFlags(["-static-stdlib", "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "defs"], condition)]
}

/// The fuzz targets: in a fuzzing build libFuzzer supplies `main` (library-mode parse, -DFUZZING) and
/// the link pulls in the sanitizers' runtimes (lld: gold prints ~140 "cannot export local symbol"
/// warnings per ASan-instrumented target); a plain build replays files named as arguments.
let fuzzSettings: [SwiftSetting] = strict + (fuzzing ? [.define("FUZZING"), .unsafeFlags(["-parse-as-library"])] : [])
let fuzzLink: [LinkerSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])] : []

/// A fuzz target over the FuzzSupport driver and the library it fuzzes.
func fuzzTarget(_ name: String, fuzzing library: Target.Dependency) -> Target {
    .executableTarget(
        name: name, dependencies: ["FuzzSupport", library], path: "Fuzz/\(name)",
        swiftSettings: fuzzSettings, linkerSettings: fuzzLink)
}

let package = Package(
    name: "MIFAKit",
    products: [
        .library(name: "MIFACore", targets: ["MIFACore"]),
        .library(name: "RasterIO", targets: ["RasterIO"]),
        .library(name: "Zarr", targets: ["Zarr"]),
        .library(name: "OMEZarr", targets: ["OMEZarr"]),
        .library(name: "MIFAModel", targets: ["MIFAModel"]),
        .library(name: "Annotations", targets: ["Annotations"]),
        .library(name: "DatasetPackage", targets: ["DatasetPackage"]),
        .library(name: "BatchLoader", targets: ["BatchLoader"]),
        .library(name: "PackageLoading", targets: ["PackageLoading"]),
        .library(name: "Rendering", targets: ["Rendering"]),
        .library(name: "MIFAServer", targets: ["MIFAServer"]),
        .executable(name: "mifa", targets: ["mifa"]),
        // The C ABI (include/mifakit.h) as one shared library, libMIFAKit.so, for Python and other languages.
        .library(name: "MIFAKit", type: .dynamic, targets: ["MIFAKitABI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        // MIFAServer's NIOCore (Hummingbird's), and NIOEmbedded for the server tests' in-process client.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // MIFAServer's HTTP server (`mifa serve`).
        // No traits: swift-configuration (ConfigurationSupport) and Foundation-only form coding are
        // unused. (With the default traits, a clean `make test` compiled Hummingbird three times:
        // in `swift build`, again in `swift test` and again for the docs.)
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    ],
    targets: [
        // C shims: thin system library targets; Unsafe* and C calls stay in one wrapper file each.
        systemLibrary("CZstd", pkgConfig: "libzstd", apt: "libzstd-dev"),
        systemLibrary("CBlosc", pkgConfig: "blosc", apt: "libblosc-dev"),
        systemLibrary("CZlib", pkgConfig: "zlib", apt: "zlib1g-dev"),
        systemLibrary("CPNG", pkgConfig: "libpng", apt: "libpng-dev"),
        systemLibrary("CTIFF", pkgConfig: "libtiff-4", apt: "libtiff-dev"),
        systemLibrary("CLzma", pkgConfig: "liblzma", apt: "liblzma-dev"),
        // HTTPStore's and S3Store's transport (Sources/Zarr/Storage/CurlEasy.swift): libcurl, loaded
        // on first use (dlopen), not linked, so that local commands never map its ~35 libraries;
        // <curl/curl.h> (libcurl4-openssl-dev) at build time only.
        .target(name: "CCurl"),
        // libbz2 ships no pkg-config file on Debian; its header and library sit on the default paths.
        .systemLibrary(name: "CBzip2", providers: [.apt(["libbz2-dev"])]),
        // A C target of our own (with CCurl above): hints Swift cannot spell (prefetch, malloc_trim, SCHED_BATCH; see Sources/CPrefetch).
        .target(name: "CPrefetch"),

        .target(name: "MIFACore", dependencies: ["CPrefetch"], swiftSettings: strict),
        .target(name: "RasterIO", dependencies: ["MIFACore", "CPNG", "CTIFF"], swiftSettings: strict),
        .target(
            name: "Zarr",
            dependencies: [
                "MIFACore", "CZstd", "CBlosc", "CZlib", "CBzip2", "CLzma", "CCurl",
                // S3Store's SigV4 signatures (HMAC-SHA256).
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .target(name: "OMEZarr", dependencies: ["MIFACore", "RasterIO", "Zarr"], swiftSettings: strict),
        .target(
            name: "MIFAModel",
            dependencies: ["MIFACore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        .target(name: "Annotations", dependencies: ["MIFACore", "RasterIO"], swiftSettings: strict),
        .target(
            name: "DatasetPackage",
            dependencies: [
                "MIFACore", "RasterIO", "Zarr", "OMEZarr", "MIFAModel", "Annotations",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        // Tiles, thumbnails and overlays as PNG (`mifa preview`, `mifa serve`); knows images and annotations, not packages.
        .target(name: "Rendering", dependencies: ["MIFACore", "RasterIO", "OMEZarr", "Annotations"], swiftSettings: strict),
        // `mifa serve`: pages, tiles, the JSON API and the package's files over HTTP (Hummingbird); nothing depends on it.
        .target(
            name: "MIFAServer",
            dependencies: [
                "MIFACore", "RasterIO", "Zarr", "OMEZarr", "Annotations", "MIFAModel", "DatasetPackage", "Rendering",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict),
        .target(
            name: "BatchLoader",
            dependencies: [
                "MIFACore", "Zarr", "OMEZarr", "Annotations", "CPrefetch",
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strict),
        // The loader's seam to packages: a package's images, labels, vector sets and splits as
        // sample sources, so that BatchLoader users who read images do not link the package layer.
        .target(
            name: "PackageLoading",
            dependencies: ["MIFACore", "Zarr", "OMEZarr", "Annotations", "MIFAModel", "DatasetPackage", "BatchLoader"],
            swiftSettings: strict),
        .executableTarget(
            name: "mifa",
            dependencies: [
                "MIFACore", "RasterIO", "Zarr", "MIFAModel", "Annotations",
                "OMEZarr", "DatasetPackage", "BatchLoader", "PackageLoading", "Rendering", "MIFAServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            // A release mifa carries the Swift runtime and Foundation inside: each command then
            // starts in ~8 ms instead of ~16 (no dynamic binding of ~13,000 references into
            // libswiftCore and Foundation's libraries), a third of a whole `mifa zarr export`
            // (BENCHMARKS.md, "Whole-command export"). Debug builds, which the tests link many
            // times, stay dynamic.
            linkerSettings: staticFoundation(.when(configuration: .release))),
        // The C ABI: opaque handles, error codes, JSON documents; nothing depends on it. The Swift
        // runtime and Foundation are linked in statically, so libMIFAKit.so (and the Python wheel
        // that carries it) runs on a machine without a Swift toolchain.
        .target(
            name: "MIFAKitABI",
            dependencies: ["MIFACore", "Zarr", "OMEZarr", "Annotations", "MIFAModel", "DatasetPackage", "BatchLoader", "PackageLoading"],
            swiftSettings: strict,
            // Also FoundationNetworking, whose HTTP is libcurl, linked by its runtime name (Zarr's own
            // is loaded on first use, by CCurl).
            linkerSettings: [.linkedLibrary("FoundationNetworking"), .linkedLibrary("_CFURLSessionInterface")] + staticFoundation()
                + [.unsafeFlags(["-Xlinker", "-l:libcurl.so.4"])]),

        // Fuzz targets: built with `make fuzz` (libFuzzer); a plain build replays files given as arguments.
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport", swiftSettings: fuzzSettings),
        fuzzTarget("FuzzMetadata", fuzzing: "MIFAModel"),
        fuzzTarget("FuzzTIFF", fuzzing: "RasterIO"),
        fuzzTarget("FuzzZarr", fuzzing: "Zarr"),
        fuzzTarget("FuzzZip", fuzzing: "Zarr"),
        fuzzTarget("FuzzHTTP", fuzzing: "Zarr"),
        fuzzTarget("FuzzOMEZarr", fuzzing: "OMEZarr"),
        fuzzTarget("FuzzAnnotations", fuzzing: "Annotations"),
        fuzzTarget("FuzzPackage", fuzzing: "DatasetPackage"),

        // Benchmarks: `make bench` builds this in release mode and runs Benchmarks/zarr_bench.py.
        .executableTarget(name: "ZarrBench", dependencies: ["Zarr"], path: "Benchmarks/ZarrBench", swiftSettings: strict),
        .executableTarget(
            name: "AnnotationsBench", dependencies: ["Annotations", "RasterIO", "MIFACore"], path: "Benchmarks/annotations", swiftSettings: strict),

        // What every test target shares (seeded random numbers, temporary directories): one copy.
        .target(name: "TestSupport", dependencies: ["Zarr"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "MIFACoreTests", dependencies: ["MIFACore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "RasterIOTests", dependencies: ["TestSupport", "RasterIO"], swiftSettings: strict),
        .testTarget(
            name: "ZarrTests",
            dependencies: ["Zarr", "MIFACore", "TestSupport"],
            swiftSettings: strict),
        .testTarget(name: "OMEZarrTests", dependencies: ["TestSupport", "OMEZarr", "MIFACore", "RasterIO", "Zarr"], swiftSettings: strict),
        .testTarget(name: "MIFAModelTests", dependencies: ["TestSupport", "MIFAModel"], swiftSettings: strict),
        .testTarget(name: "AnnotationsTests", dependencies: ["TestSupport", "Annotations"], swiftSettings: strict),
        .testTarget(name: "DatasetPackageTests", dependencies: ["TestSupport", "DatasetPackage", "MIFACore", "MIFAModel", "RasterIO", "OMEZarr", "Annotations", "Zarr"], swiftSettings: strict),
        .testTarget(name: "RenderingTests", dependencies: ["TestSupport", "Rendering", "OMEZarr", "Annotations", "MIFACore", "RasterIO", "Zarr"], swiftSettings: strict),
        .testTarget(
            name: "MIFAServerTests",
            dependencies: [
                "MIFAServer", "TestSupport", "DatasetPackage", "MIFACore", "MIFAModel", "OMEZarr", "Annotations", "RasterIO", "Zarr", "Rendering",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .testTarget(name: "BatchLoaderTests", dependencies: ["TestSupport", "BatchLoader", "OMEZarr", "Zarr", "MIFACore"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
