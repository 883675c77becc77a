// libFuzzer target for packages from strangers: crafted manifests, file lists, version records and
// whole version chains. The first byte of an input chooses what the rest is:
// - 0: one document, decoded as a manifest, a file list and a version record. Every path a
//   decoded manifest or file list holds must be package content that stays inside the package.
// - 1 and up: a package. The rest is split at NUL bytes (which JSON cannot hold) into
//   `manifest.json`, `versions/1.json`, `versions/2.json` and stored objects (each under its own
//   SHA-256). The package (with a valid root `zarr.json`) is audited and version 1 and 2 are
//   checked out. Nothing may be created outside the package and the checkout folder, the checkout
//   must only hold what the version's file list names, and an audit that finds a path leaving the
//   package must not be clean.
// Thrown errors are the expected outcome for malformed input; a crash, a sanitizer report, a
// failed check, a timeout or an allocation over the fuzzer's limit is a bug. `make fuzz` builds it
// with -DFUZZING (libFuzzer supplies `main`); a plain build replays the files given as arguments.
import DatasetPackage
import MIFACore
import Foundation
import FuzzSupport

/// A private folder holding the package and the checkout; everything else created is an escape.
let jail: String = {
    var template = Array("\(NSTemporaryDirectory())/fuzz-package-XXXXXX".utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { fatalError("cannot create a temporary folder") }
    // A run ends by exit() (libFuzzer's time limit, or the replay's end): the jail goes with it. After
    // a crash it stays, with what the failing input made.
    atexit { try? FileSystem.removeTree(jail) }
    return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}()

/// Every path of a decoded file list is content inside the package.
func checkPaths(_ list: FileList) {
    for path in list.paths {
        precondition(PackageLayout.isRelativePath(path) && PackageLayout.isContent(path), "a file list with the path '\(path)' was accepted")
    }
}

/// The entries below `folder`, package-relative (folders included).
func entries(_ folder: String) -> Set<String> {
    let walked: [(path: String, kind: FileSystem.EntryKind)] = (try? PackageFileSystem.walk(folder)) ?? []
    return Set(walked.map { $0.path })
}

func fuzzDocument(_ bytes: [UInt8]) {
    if let manifest = try? Manifest.decode(bytes, file: "manifest.json") { checkPaths(manifest.fileList) }
    if let list = try? FileList.decode(bytes, file: "list.json") { checkPaths(list) }
    _ = try? VersionRecord.decode(bytes, file: "versions/1.json")
}

/// Where the package and the checkout are made: a few folders deep, so that a path climbing out
/// with `..` still lands inside the jail, where it is seen.
let box = "\(jail)/a/b/c"

func fuzzPackage(_ bytes: [UInt8]) {
    let root = "\(box)/p"
    let out = "\(box)/out"
    let parts = bytes.split(separator: 0, maxSplits: 7, omittingEmptySubsequences: false).map(Array.init)
    do {
        try PackageFileSystem.createDirectories("\(root)/\(PackageLayout.objects)")
        try Data(DatasetPackage.rootGroupJSON).write(to: URL(fileURLWithPath: "\(root)/zarr.json"))
        let names = [PackageLayout.manifest, PackageLayout.versionRecord("1"), PackageLayout.versionRecord("2")]
        for (index, part) in parts.enumerated() {
            let name = index < names.count ? names[index] : PackageLayout.object(SHA256Digest(of: part))
            try Data(part).write(to: URL(fileURLWithPath: "\(root)/\(name)"))
        }
    } catch {
        fatalError("cannot write the fuzz package: \(error)")
    }
    let report = try? PackageAuditor(scanner: ContentScanner(concurrency: 1)).audit(root)
    if let report, report.findings.contains(where: { $0.code == .unsafePath }) {
        precondition(report.verdict == "errors", "an audit that found an unsafe path was not an error")
    }
    guard let package = try? DatasetPackage.open(root) else {
        try? PackageFileSystem.removeTree(root)
        return
    }
    for version in ["1", "2"] {
        if (try? package.restore(version: version, to: out)) != nil {
            let list = try? package.fileList(of: version)
            precondition(list != nil, "version \(version) was checked out without a readable file list")
            let walked: [(path: String, kind: FileSystem.EntryKind)] = (try? PackageFileSystem.walk(out)) ?? []
            let files = Set(walked.filter { $0.kind == .file }.map { $0.path })
            precondition(files == Set(list!.paths), "the checkout of version \(version) holds other files than its file list")
        }
        try? PackageFileSystem.removeTree(out)
    }
    let left = entries(jail).filter { !$0.hasPrefix("a/b/c/p/") && $0 != "a/b/c/p" }
    precondition(left == ["a", "a/b", "a/b/c"], "files were created outside the package: \(left.subtracting(["a", "a/b", "a/b/c"]).sorted())")
    try? PackageFileSystem.removeTree(root)
}

/// Feeds one input to the package layer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] == 0 { fuzzDocument(bytes) } else { fuzzPackage(bytes) }
    return 0
}

#if FUZZING
/// The entry point SwiftPM links as `main`; see `runLibFuzzer`.
@_cdecl("FuzzPackage_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
#else
// A global initialiser, not a statement: plain builds run it as the program, while the library-mode
// parse of fuzzing builds (-parse-as-library) accepts it and never evaluates it.
let replayedFiles = replayFuzzInputs { data, size in fuzzOne(data, size) }
#endif
