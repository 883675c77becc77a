import Foundation
import MIFACore

extension S3Store: ConditionalStore {
    /// The most bytes one `CopyObject` copies (5 GiB); larger objects are copied in parts (see ``copy(_:to:)``).
    public static let maxCopyBytes = 5 << 30

    /// The object with its `ETag`; `nil` when there is no such object.
    /// - Throws: as ``get(_:range:)``, and `.storeFailure` when the server gives no `ETag`.
    public func getTagged(_ key: StoreKey) throws -> (bytes: [UInt8], tag: String)? {
        let answer = try send(.get, object: objectName(key), place: key.value)
        switch answer.status {
        case 200:
            guard let tag = answer.etag, !tag.isEmpty else {
                throw ZarrError(.storeFailure, "the S3 server gave '\(key)' without an ETag, so it cannot be changed conditionally",
                                context: ErrorContext(file: location, key: key.value))
            }
            return (answer.body, tag)
        case 404 where errorCode(answer) != "NoSuchBucket": return nil
        default: throw failure(answer, "reading", key.value)
        }
    }

    /// Writes the object only if none is there: `PUT` (or the completion of a multipart upload) with
    /// `If-None-Match: *`, which S3 answers `412 Precondition Failed` when the object exists.
    /// - Returns: the new object's `ETag` (empty when the server gave none), or `nil` when an object was there.
    /// - Throws: ``ZarrError`` `.readOnly` when opened read-only, `.storeFailure` when the server refuses.
    public func create(_ key: StoreKey, _ bytes: [UInt8]) throws -> String? {
        guard isWritable else { throw readOnlyError(key) }
        let condition = [(name: "If-None-Match", value: "*")]
        let answer = if bytes.count > multipartThreshold {
            try uploadInParts(key, bytes, completionHeaders: condition)
        } else {
            try send(.put, object: objectName(key), body: bytes, headers: condition, place: key.value)
        }
        if answer.status == 412 { return nil }
        guard (200..<300).contains(answer.status) else { throw failure(answer, "creating", key.value) }
        return answer.etag ?? ""
    }

    /// Removes the object only if its `ETag` is `tag` (`DELETE` with `If-Match`).
    /// - Returns: `false` when the object has another `ETag` (`412`); `true` when it was removed or is missing.
    /// - Throws: ``ZarrError`` `.readOnly` when opened read-only, `.storeFailure` when the server refuses.
    public func delete(_ key: StoreKey, ifTag tag: String) throws -> Bool {
        guard isWritable else { throw readOnlyError(key) }
        let answer = try send(.delete, object: objectName(key), headers: [(name: "If-Match", value: tag)], place: key.value)
        if answer.status == 412 { return false }
        guard (200..<300).contains(answer.status) || (answer.status == 404 && errorCode(answer) != "NoSuchBucket") else {
            throw failure(answer, "deleting", key.value)
        }
        return true
    }

    /// Copies `source` to `target` on the server. The source's size (`known`, else a `HEAD`) decides how, as
    /// boto3's managed copy does: up to ``copyPartSize`` bytes (by default ``maxCopyBytes``, S3's
    /// limit for one copy), one `CopyObject` (`PUT` with `x-amz-copy-source`); more, a multipart
    /// copy: `UploadPartCopy` of byte ranges (`x-amz-copy-source-range`) of at most
    /// ``copyPartSize`` bytes, completed, or aborted on failure, as a multipart upload is
    /// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html; see
    /// `multipartUpload`). S3 may answer `200` and
    /// still fail, with an error document as the body; that is an error here.
    /// - Returns: `false` when `source` does not exist (with `known` over ``copyPartSize``, a
    ///   missing source fails the first part's copy instead: an error).
    /// - Throws: ``ZarrError`` `.readOnly` when opened read-only, `.storeFailure` when the server
    ///   refuses or gives no size for `source`.
    public func copy(_ source: StoreKey, to target: StoreKey, size known: Int?) throws -> Bool {
        try copy(source, to: target, size: known, checksum: false) != nil
    }

    /// Copies `source` to `target` on the server as ``copy(_:to:size:)`` does, a single
    /// `CopyObject` asking for the copy's SHA-256 (`x-amz-checksum-algorithm: SHA256`, signed with
    /// the other headers), which S3 computes over the bytes it copies and names in the result
    /// (`CopyObjectResult/ChecksumSHA256`, base64).
    /// - Returns: `nil` when `source` does not exist; else the copy, whose ``StoreCopy/sha256`` is
    ///   `nil` for an object over ``copyPartSize`` (copied in parts: S3's checksum would be of the
    ///   parts' checksums) and when the server answers no whole-object SHA-256 (one that does not
    ///   compute checksums, or names another algorithm's).
    /// - Throws: as ``copy(_:to:size:)``.
    public func copyComputingSHA256(_ source: StoreKey, to target: StoreKey, size known: Int?) throws -> StoreCopy? {
        try copy(source, to: target, size: known, checksum: true)
    }

    /// The copies of ``copy(_:to:size:)`` and ``copyComputingSHA256(_:to:size:)``: a single
    /// `CopyObject` asks for the copy's SHA-256 when `checksum` is set.
    private func copy(_ source: StoreKey, to target: StoreKey, size known: Int?, checksum: Bool) throws -> StoreCopy? {
        guard isWritable else { throw readOnlyError(target) }
        let size: Int
        if let known {
            size = known
        } else {
            let head = try send(.head, object: objectName(source), place: source.value)
            if head.status == 404 { return nil }
            guard (200..<300).contains(head.status) else { throw failure(head, "checking the size of", source.value) }
            guard let length = head.headLength else {
                throw ZarrError(.storeFailure, "the S3 server gave no size (Content-Length) of '\(source)', so the copy to '\(target)' cannot be planned",
                                context: ErrorContext(file: location, key: source.value))
            }
            size = length
        }
        let copySource = [(name: "x-amz-copy-source", value: "/\(configuration.bucket)/\(S3Signer.uriEncode(objectName(source), encodeSlash: false))")]
        if size > copyPartSize {
            let completed = try multipartUpload(target, size: size, partSize: copyPartSize) { number, range, uploadID in
                let answer = try send(.put, object: objectName(target), query: [("partNumber", String(number)), ("uploadId", uploadID)],
                                      headers: copySource + [(name: "x-amz-copy-source-range", value: "bytes=\(range.lowerBound)-\(range.upperBound - 1)")],
                                      place: target.value)
                guard answer.status == 200 else { throw failure(answer, "copying part \(number) of '\(source)' to", target.value) }
                // The part's ETag is in the body, which may also be an error document.
                let document = try S3XML(answer.body, place: location)
                guard let etag = document.value("CopyPartResult/ETag"), !etag.isEmpty else {
                    throw ZarrError(.storeFailure, "the S3 server did not copy part \(number) of '\(source)' to '\(target)'\(document.value("Error/Code").map { " (\($0))" } ?? " (no ETag)")",
                                    context: ErrorContext(file: location, key: target.value))
                }
                return etag
            }
            guard completed.status == 200 else { throw failure(completed, "completing the copy of '\(source)' to", target.value) }
            return StoreCopy(sha256: nil)
        }
        let algorithm = checksum ? [(name: "x-amz-checksum-algorithm", value: "SHA256")] : []
        let answer = try send(.put, object: objectName(target), headers: copySource + algorithm, place: target.value)
        if answer.status == 404, errorCode(answer) == "NoSuchKey" { return nil }
        guard answer.status == 200 else { throw failure(answer, "copying '\(source)' to", target.value) }
        let document = answer.body.contains(UInt8(ascii: "<")) ? try S3XML(answer.body, place: location) : nil
        if let code = document?.value("Error/Code") {
            throw ZarrError(.storeFailure, "the S3 server could not copy '\(source)' to '\(target)' (\(code))", context: ErrorContext(file: location, key: target.value))
        }
        return StoreCopy(sha256: checksum ? document.flatMap(Self.wholeObjectSHA256) : nil)
    }

    /// The SHA-256 a `CopyObjectResult` names, when it is one of the whole object: 32 bytes in
    /// base64, and no `ChecksumType` other than `FULL_OBJECT` (a `COMPOSITE` checksum, `<base64>-<parts>`,
    /// is of the parts' checksums).
    private static func wholeObjectSHA256(_ document: S3XML) -> [UInt8]? {
        guard let text = document.value("CopyObjectResult/ChecksumSHA256"),
              document.value("CopyObjectResult/ChecksumType").map({ $0 == "FULL_OBJECT" }) ?? true,
              let bytes = Data(base64Encoded: text), bytes.count == 32 else { return nil }
        return Array(bytes)
    }
}
