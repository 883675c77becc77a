public import MIFACore

/// Audits a MIFA package (DESIGN.md, "Curators audit a package"): the files against the manifest,
/// the version chain and its digests, restorability of every version, credit, the metadata, the
/// license and ORCID iDs, and declared against measured annotation coverage.
///
/// ```swift
/// let report = try PackageAuditor().audit("nuclei.mifa")
/// report.verdict        // "clean", "warnings" or "errors"
/// report.findings       // errors first, each with a code, a path and how to fix it
/// ```
///
/// Opening the package finishes or discards an interrupted write when no other process is writing
/// (``DatasetPackage/Recovery/ifUnlocked``); the report says which version the package is then.
public struct PackageAuditor: Sendable {
    /// Hashes the files (on every core by default).
    public var scanner: ContentScanner

    /// An auditor hashing with `scanner`.
    public init(scanner: ContentScanner = ContentScanner()) {
        self.scanner = scanner
    }

    /// Audits the package at `root`: a folder, or (read in place, as it is) a `.zip` made by
    /// `mifa export --to zip`, an `http(s)://` or an `s3://bucket/prefix` URL.
    /// - Throws: ``PackageError`` `.notAPackage` when `root` is not a MIFA package, `.io` when its
    ///   root cannot be listed. Everything wrong inside the package is a finding, not an error.
    public func audit(_ root: String) throws -> AuditReport {
        let reader = try PackageReader.open(root)
        // Read in place: each file is requested once (hashed, then checked from memory).
        guard reader.folder != nil else { return try audit(DatasetPackage.open(reader.keepingWhatItReads())) }
        let unchecked = DatasetPackage(unchecked: root)
        try unchecked.checkRootGroup()
        let problems = unchecked.structuralProblems()
        guard problems.isEmpty else {
            // Reading on would follow the links out of the package: report them and stop.
            var run = AuditRun(package: unchecked, scanner: scanner)
            for problem in problems {
                run.add(.error, .irregularFile, path: problem.path,
                        "'\(problem.path)' is \(problem.found), not a \(problem.expected); a link here leads reads and writes out of the package. Replace it with the real \(problem.expected); nothing else was checked")
            }
            return run.report()
        }
        let transaction = "\(root)/\(PackageLayout.transaction)"
        let hadTransaction = FileSystem.exists(transaction)
        let wasCommitted = FileSystem.kind(of: "\(transaction)/COMMIT") == .file
        let package: DatasetPackage
        var lockFailure: String?
        do {
            package = try DatasetPackage.open(root, recovery: .ifUnlocked)
        } catch let error as PackageError where error.kind == .io {
            // A read-only copy (an archive, a mounted medium) cannot take the write lock: audit it as it is.
            package = DatasetPackage(unchecked: root)
            lockFailure = error.message
        }
        var run = AuditRun(package: package, scanner: scanner)
        if let lockFailure {
            run.add(hadTransaction ? .error : .info, .readOnly, path: hadTransaction ? PackageLayout.transaction : ".",
                    hadTransaction
                        ? "an interrupted write is present but the package cannot be locked (\(lockFailure)), so it was not finished or discarded and the findings may show a mix of two versions; run `mifa audit` on a writable copy"
                        : "the package cannot be locked (\(lockFailure)); it was audited as it is")
        }
        if hadTransaction, lockFailure == nil {
            if FileSystem.exists(transaction) {
                run.add(.warning, .writeInProgress, path: PackageLayout.transaction,
                        "another process is writing to the package; it was audited as it is now. Run the audit again when that write has ended")
            } else {
                let now = (try? package.currentVersion()).map { "version \($0)" } ?? "an unreadable version"
                run.recovered = wasCommitted
                    ? "an interrupted write was committed and has been finished; the package is now \(now)"
                    : "an interrupted write had not been committed and was discarded; the package is still \(now)"
                run.add(.info, .recovered, path: PackageLayout.transaction, run.recovered!)
            }
        }
        return run.finish()
    }

    /// Audits a package that is read in place (a zip or URL): nothing there can be recovered or locked.
    /// - Throws: nothing beyond what opening threw; every problem is a finding.
    public func audit(_ package: DatasetPackage) throws -> AuditReport {
        var run = AuditRun(package: package, scanner: scanner)
        return run.finish()
    }

    /// The audit's findings about the root group's consolidated metadata alone (code
    /// `consolidated-metadata-stale`, or why the manifest or a `zarr.json` could not be read), as
    /// an audit reports them: what `mifa validate` checks of a package beside its metadata, without
    /// hashing its files.
    public func consolidatedMetadataFindings(_ package: DatasetPackage) -> [AuditFinding] {
        var run = AuditRun(package: package, scanner: scanner)
        if let manifest = run.readManifest() { run.checkConsolidatedMetadata(manifest) }
        return run.report().findings
    }
}

extension AuditRun {
    /// Runs every check on the opened package and returns the report.
    mutating func finish() -> AuditReport {
        checkRoot()
        let manifest = readManifest()
        let listing = BackgroundValue { [scanner, package] in try scanner.list(package.reader, manifest: manifest) }
        if let manifest {
            let digest = BackgroundValue { try manifest.fileList.digest() }
            checkFiles(manifest, listing: listing)
            checkConsolidatedMetadata(manifest)
            checkVersions(manifest, fileListDigest: try? digest.value())
            checkProposals(manifest)
            checkFlags()
            checkMetadataAndCoverage(manifest)
            measureAgreement()
        }
        return report()
    }
}

/// The state of one audit: the package, what has been established so far, and the findings.
struct AuditRun {
    let package: DatasetPackage
    let scanner: ContentScanner
    var findings: [AuditFinding] = []
    var recovered: String?
    var version: String?
    /// The package format version (`attributes.mifa.version`), read once by
    /// ``checkFormatVersion()``; `nil` before that or when the root group could not be read.
    var formatVersion: String?
    var fileCount = 0
    var byteCount = 0
    var versionCount = 0
    /// The digests of the content files as they are in the tree.
    var treeDigests: [String: SHA256Digest] = [:]
    var coverage = AuditReport.Coverage(sets: [:], annotatedImages: [], unannotatedImages: [], declaredAnnotatedImages: [])
    var imageIDs: [String] = []
    /// Agreement of the annotation sets that share images.
    var agreement: [SetAgreement] = []
    /// The metadata and REMBI completeness (``QualityIndicators``); 0 of 0 while mifa.json is unread.
    var metadataShares = (QualityIndicators.Share(met: 0, of: 0), QualityIndicators.Share(met: 0, of: 0))

    init(package: DatasetPackage, scanner: ContentScanner) {
        self.package = package
        self.scanner = scanner
    }

    mutating func add(_ severity: AuditFinding.Severity, _ code: AuditFinding.Code, path: String, pointer: String? = nil, _ message: String) {
        findings.append(AuditFinding(severity, code, path: path, pointer: pointer, message))
    }

    /// Reads `manifest.json`, reporting why it cannot be read.
    mutating func readManifest() -> Manifest? {
        do {
            let manifest = try package.manifest()
            version = manifest.version
            fileCount = manifest.files.count
            byteCount = manifest.fileList.totalBytes
            return manifest
        } catch let error as PackageError where error.kind == .invalidPath {
            add(.error, .unsafePath, path: PackageLayout.manifest, pointer: error.context.pointer, "\(error.message). Restore manifest.json from a trusted copy of the package")
        } catch let error as PackageError {
            add(.error, .manifestUnreadable, path: PackageLayout.manifest, pointer: error.context.pointer,
                "\(error.message). Without a manifest nothing can be checked; restore manifest.json from a copy of the package")
        } catch {
            add(.error, .manifestUnreadable, path: PackageLayout.manifest, "\(error)")
        }
        return nil
    }

    func report() -> AuditReport {
        let order: (AuditFinding, AuditFinding) -> Bool = { a, b in
            if a.severity != b.severity { return a.severity < b.severity }
            if a.path != b.path { return a.path.utf8.lexicographicallyPrecedes(b.path.utf8) }
            return (a.pointer ?? "").utf8.lexicographicallyPrecedes((b.pointer ?? "").utf8)
        }
        let sorted = findings.sorted(by: order)
        let count: (AuditFinding.Severity) -> Int = { severity in sorted.count { $0.severity == severity } }
        let counts = AuditReport.Counts(
            files: fileCount, bytes: byteCount, images: imageIDs.count, annotationSets: coverage.sets.count, versions: versionCount,
            errors: count(.error), warnings: count(.warning), info: count(.info))
        let verdict = counts.errors > 0 ? "errors" : counts.warnings > 0 ? "warnings" : "clean"
        var report = AuditReport(package: package.root, version: version, verdict: verdict, counts: counts, findings: sorted, coverage: coverage,
                                 recovered: recovered, agreement: agreement)
        report.indicators = QualityIndicators(metadata: metadataShares.0, rembi: metadataShares.1, coverage: QualityIndicators.coverage(coverage),
                                              annotationValidity: QualityIndicators.annotationValidity(coverage, findings: sorted))
        return report
    }
}

/// Byte order of package paths, the order every listing of the audit uses.
func byteOrder(_ lhs: String, _ rhs: String) -> Bool { lhs.utf8.lexicographicallyPrecedes(rhs.utf8) }
