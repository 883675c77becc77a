import Annotations
import Foundation
import MIFACore
import MIFAModel

/// Makes a new immutable version of a package (`mifa version`).
///
/// The current version is staged (hard links), the request's edits are applied to the copy, then
/// `mifa.json` gets the credit changes (see ``AnnotatorCredit``) and its version module
/// `{version, timestamp, changes, previous_version}`, and must validate. The record credits every
/// annotator of the previous version plus the new ones, keeps which sets the new ones are credited
/// on, and carries the computed change summary (files, and objects per annotation set: see
/// ``AnnotationChanges``). The package changes only at
/// the commit point of ``PackageTransaction``; any error leaves it as it was.
public enum VersionMaker {
    /// Makes the version and returns its record.
    /// - Throws: ``PackageError`` `.invalidVersion` (unsafe or taken id), `.invalidArgument` (blank
    ///   changes text, time stamp not later than the previous one, bad edits), `.invalidMetadata`,
    ///   `.invalidInput` (annotations not matching the package's images), `.creditRemoved`, the
    ///   edits' own errors; the package is unchanged in every case.
    @discardableResult
    public static func make(_ request: VersionRequest, in package: DatasetPackage) throws -> VersionRecord {
        try check(request, package: package)
        let transaction = try PackageTransaction(package: package)
        let prepared: Prepared
        do {
            try transaction.stageCurrentContent()
            prepared = try prepare(request, staging: VersionStaging(root: transaction.stagingRoot, package: package))
        } catch {
            transaction.abandon()
            throw error
        }
        return try transaction.commit { context in
            let previous = context.previousManifest!.fileList
            let old = VersionContent(fileList: previous) { try package.contents(of: $0, in: previous) }
            let new = VersionContent.tree(context.stagingRoot, fileList: context.fileList)
            let annotations = try AnnotationChanges.between(
                old, new, files: context.fileChanges, oldName: "\(package.root)@\(prepared.previous.version)", newName: "\(package.root)@\(request.version)")
            return VersionRecord(
                version: request.version, timestamp: prepared.timestamp, changes: request.changes, previousVersion: nil, previousRecordSHA256: nil,
                manifestSHA256: context.fileListSHA256, fileCount: 0, totalBytes: 0, creditedAnnotators: prepared.credit.credited,
                creditRemoved: prepared.credit.removed, changeSummary: ChangeSummary(files: context.fileChanges, annotations: annotations),
                setCredits: prepared.credit.setCredits, proposal: request.proposal)
        }
    }

    struct Prepared {
        var previous: VersionRecord
        var timestamp: String
        var credit: AnnotatorCredit.Outcome
    }

    /// Checks what can be checked before anything is staged.
    static func check(_ request: VersionRequest, package: DatasetPackage) throws {
        guard SafeName.isSafe(request.version) else {
            throw PackageError(.invalidVersion, "'\(request.version)' cannot be a version id: use 1-128 letters, digits, '.', '_' or '-', not starting with '.' or '-'", context: ErrorContext(file: package.root))
        }
        let recordFile = package.path(PackageLayout.versionRecord(request.version))
        guard !FileSystem.exists(recordFile) else {
            throw PackageError(.invalidVersion, "version '\(request.version)' already exists; versions are immutable, choose a new id", context: ErrorContext(file: recordFile))
        }
        guard !request.changes.allSatisfy(\.isWhitespace) else {
            throw PackageError(.invalidArgument, "say what changed (--changes TEXT); the record keeps it for everyone who reuses the data")
        }
        if request.force && !request.hasReason || !request.creditRemovals.isEmpty && !request.hasReason {
            throw PackageError(.invalidArgument, "removing credit needs --reason TEXT, which the record keeps")
        }
    }

    /// Applies the edits and writes the final `mifa.json` into the staged tree.
    static func prepare(_ request: VersionRequest, staging: VersionStaging) throws -> Prepared {
        let package = staging.package
        let previous = try package.record(try package.currentVersion()).record
        let timestamp = request.timestamp ?? PackageClock.now()
        try checkOrder(timestamp, after: previous)
        for edit in request.edits {
            try apply(edit, to: staging)
        }
        try FormatUpgrade.apply(to: staging)
        let metadataFile = staging.path(PackageLayout.metadata)
        guard FileSystem.kind(of: metadataFile) == .file else {
            throw PackageError(.invalidMetadata, "the new version has no mifa.json; give --metadata", context: ErrorContext(file: PackageLayout.metadata))
        }
        let loaded = try loadMetadata(metadataFile, display: PackageLayout.metadata)
        let changedSets = request.annotators.isEmpty ? [] : try changedSets(staging: staging, previous: previous)
        var credit = try AnnotatorCredit.apply(to: loaded.document, previous: previous.creditedAnnotators, request: request, changedSets: changedSets)
        credit.document.version = VersionMetadata(version: request.version, timestamp: timestamp, changes: request.changes, previousVersion: previous.version)
        try checkValid(credit.document.validate(), file: PackageLayout.metadata)
        try checkImages(credit.document, staging: staging)
        try staging.replaceFile(PackageLayout.metadata, with: credit.document.canonicalJSON())
        return Prepared(previous: previous, timestamp: timestamp, credit: credit)
    }

    /// The ids of the sets whose objects the staged content adds, removes or changes, compared with
    /// the current version (worked out only when new annotators are to be credited on them; only the
    /// annotation files, `annotations/` and `images/<id>/labels/`, are hashed).
    static func changedSets(staging: VersionStaging, previous: VersionRecord) throws -> Set<String> {
        let package = staging.package
        let isAnnotation: (String) -> Bool = { path in
            let parts = path.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
            return parts.first == Substring(PackageLayout.annotations) || parts.count > 3 && parts[0] == Substring(PackageLayout.images) && parts[2] == "labels"
        }
        let old = FileList(files: try package.manifest().fileList.files.filter { isAnnotation($0.key) })
        let scanner = ContentScanner()
        let new = FileList(files: try scanner.hash(try scanner.list(staging.root).files.filter(isAnnotation), in: staging.root))
        let changes = try AnnotationChanges.between(
            VersionContent(fileList: old) { try package.contents(of: $0, in: old) }, VersionContent.tree(staging.root, fileList: new),
            files: FileChanges(from: old, to: new), oldName: "\(package.root)@\(previous.version)", newName: "\(package.root) (staged)")
        return Set(changes.keys)
    }

    static func apply(_ edit: VersionEdit, to staging: VersionStaging) throws {
        switch edit {
        case .replaceMetadata(let file):
            let loaded = try loadMetadata(file, display: file)
            try staging.replaceFile(PackageLayout.metadata, with: loaded.document.canonicalJSON())
        case .setAnnotations(let set, let file, let format):
            try checkSetName(set)
            let detected = try format ?? AnnotationFormat.detect(input: file)
            // A raster set (label images under images/<id>/labels/<set>/) is corrected in place:
            // masks replace its label images, which the loader reads; a vector copy beside them would not.
            let labelled = try LabelSetCorrection.labelledImages(of: set, in: staging)
            let hasVectorSet = FileSystem.kind(of: staging.path(PackageLayout.annotationSet(set))) == .directory
            if !labelled.isEmpty && detected.isMask {
                try LabelSetCorrection.apply(set: set, masks: file, staging: staging, labelled: labelled)
                return
            }
            if !labelled.isEmpty && !hasVectorSet {
                throw PackageError(
                    .invalidArgument,
                    "'\(set)' is a raster set (label images of \(labelled.count) image\(labelled.count == 1 ? "" : "s")), and \(detected) is not a mask format; correct it with masks (PNG, TIFF or .npy files, or a folder of them, named after their images), or convert the annotations first (`mifa convert IN masks/ --to mask-tiff`); nothing was written",
                    context: ErrorContext(file: file))
            }
            let read = try Converter.read(file, format: detected)
            _ = try ObjectAnnotator.annotators(of: read.document, file: file)
            let normalized = try AnnotationSetNormalizer.normalize(read.document, staging: staging, file: file)
            try staging.remove(PackageLayout.annotationSet(set))
            let encoded = try AnnotationIndex.encode(normalized, file: file)
            try staging.replaceFile(PackageLayout.annotationFile(set), with: encoded.geojson)
            try staging.replaceFile(PackageLayout.annotationIndex(set), with: encoded.index)
        case .removeAnnotations(let set):
            try checkSetName(set)
            guard FileSystem.kind(of: staging.path(PackageLayout.annotationSet(set))) == .directory else {
                let sets = (try? PackageFileSystem.walkTopLevel(staging.path(PackageLayout.annotations))) ?? []
                throw PackageError(.invalidArgument, "the package has no annotation set '\(set)' to remove; it has: \(sets.isEmpty ? "none" : sets.joined(separator: ", "))")
            }
            try staging.remove(PackageLayout.annotationSet(set))
        case .custom(let body):
            try body(staging)
        }
    }

    /// Every image the metadata describes is an image of the new version: its id names a folder
    /// `images/<id>/` holding an OME-Zarr group (an id such as `../x` never does).
    /// - Throws: ``PackageError`` `.invalidMetadata` with the pointer of the first id that is not.
    static func checkImages(_ document: MIFADocument, staging: VersionStaging) throws {
        for (index, image) in (document.images ?? []).enumerated() {
            guard let id = image.id else { continue }
            if SafeName.isSafe(id), FileSystem.kind(of: staging.path("\(PackageLayout.image(id))/zarr.json")) == .file { continue }
            let folder = staging.path(PackageLayout.images)
            let known = ((try? PackageFileSystem.walkTopLevel(folder)) ?? []).filter { FileSystem.kind(of: "\(folder)/\($0)") == .directory }
            let shown = known.prefix(10).joined(separator: ", ") + (known.count > 10 ? ", ..." : "")
            throw PackageError(
                .invalidMetadata,
                "mifa.json describes the image '\(id)', which the new version does not have (an image id is the name of its folder under images/; the package has: \(known.isEmpty ? "none" : shown)); fix the id, nothing was written",
                context: ErrorContext(file: PackageLayout.metadata, pointer: "/images/\(index)/id"))
        }
    }

    static func checkSetName(_ set: String) throws {
        guard SafeName.isSafe(set) else {
            throw PackageError(.invalidArgument, "'\(set)' cannot be an annotation set id: use 1-128 letters, digits, '.', '_' or '-', not starting with '.' or '-'")
        }
    }

    /// Reads a metadata file and refuses it when it does not validate.
    static func loadMetadata(_ file: String, display: String) throws -> LoadedMetadata {
        let loaded: LoadedMetadata
        do {
            loaded = try MetadataReader.read(contentsOf: file)
        } catch let error as MetadataError {
            throw PackageError(.invalidMetadata, error.message, context: error.context)
        }
        guard loaded.kind == .combined else {
            throw PackageError(.invalidMetadata, "\(display) holds only the \(loaded.kind.rawValue) module; a package's mifa.json holds study, images, annotations and version", context: ErrorContext(file: display))
        }
        try checkValid(loaded.report, file: display)
        return loaded
    }

    static func checkValid(_ report: ValidationReport, file: String) throws {
        let errors = report.issues(.error)
        guard !errors.isEmpty else { return }
        let list = errors.prefix(10).map { "  - \($0)" }.joined(separator: "\n")
        let more = errors.count > 10 ? "\n  ... and \(errors.count - 10) more (run `mifa validate`)" : ""
        throw PackageError(.invalidMetadata, "\(file) does not validate:\n\(list)\(more)", context: ErrorContext(file: file))
    }

    /// Refuses a time stamp that is not later than the previous version's.
    static func checkOrder(_ timestamp: String, after previous: VersionRecord) throws {
        guard let date = PackageClock.date(timestamp) else {
            throw PackageError(.invalidArgument, "'\(timestamp)' is not an RFC 3339 time stamp such as 2026-01-31T12:00:00Z")
        }
        guard let earlier = PackageClock.date(previous.timestamp) else {
            throw PackageError(.malformed, "version \(previous.version) has the time stamp '\(previous.timestamp)', which is not RFC 3339", context: ErrorContext(file: PackageLayout.versionRecord(previous.version), pointer: "/timestamp"))
        }
        guard date > earlier else {
            let source = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] != nil ? "SOURCE_DATE_EPOCH gives" : "the clock says"
            throw PackageError(
                .invalidArgument,
                "\(source) \(timestamp), which is not later than version \(previous.version)'s time stamp \(previous.timestamp); time stamps must increase along the version chain: check the clock (or SOURCE_DATE_EPOCH)")
        }
    }
}
