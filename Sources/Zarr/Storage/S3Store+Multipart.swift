import MIFACore

extension S3Store {
    /// Writes a large value as an S3 multipart upload
    /// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html) of ``partSize``
    /// parts (see ``multipartUpload(_:size:partSize:completionHeaders:sendPart:)``).
    /// - Throws: ``ZarrError`` `.storeFailure` when the server refuses a step.
    @discardableResult
    func uploadInParts(_ key: StoreKey, _ bytes: [UInt8], completionHeaders: [(name: String, value: String)] = []) throws -> HTTPResponseCheck.Answer {
        try multipartUpload(key, size: bytes.count, partSize: partSize, completionHeaders: completionHeaders) { number, range, uploadID in
            try uploadPart(key, number: number, uploadID: uploadID, body: Array(bytes[range]))
        }
    }

    /// Writes the regular file at `path` (never through a symbolic link) as `key`'s value: one
    /// `PUT` up to ``multipartThreshold`` bytes, else a multipart upload of ``partSize`` parts, each
    /// read from the file (`pread`) when it is sent, so that memory holds one part, whatever the
    /// file's size.
    /// - Throws: ``ZarrError`` `.readOnly` when opened read-only, `.storeFailure` when the file
    ///   cannot be read or is shorter than when the upload began (nothing is written), or the server refuses.
    public func set(_ key: StoreKey, contentsOf path: String) throws {
        guard isWritable else { throw readOnlyError(key) }
        guard let size = FileSystem.size(of: path) else {
            throw ZarrError(.storeFailure, "cannot write '\(key)' of \(location) from '\(path)': there is no file there", context: ErrorContext(file: path, key: key.value))
        }
        guard size > multipartThreshold else {
            try set(key, try fileBytes(path, 0..<size, for: key))
            return
        }
        try multipartUpload(key, size: size, partSize: partSize) { number, range, uploadID in
            try uploadPart(key, number: number, uploadID: uploadID, body: try fileBytes(path, range, for: key))
        }
    }

    /// Bytes `range` of the regular file at `path` (never through a symbolic link), every one of them.
    /// - Throws: ``ZarrError`` `.storeFailure` when the file cannot be read or ends before `range` does.
    private func fileBytes(_ path: String, _ range: Range<Int>, for key: StoreKey) throws -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.contents(of: path, offset: range.lowerBound, length: range.count, followingLinks: false)
        } catch let error as CoreError {
            throw ZarrError(.storeFailure, "cannot write '\(key)' of \(location) from the file: \(error.message)", context: error.context, underlying: error)
        }
        guard bytes.count == range.count else {
            throw ZarrError(.storeFailure, "'\(path)' ends at byte \(range.lowerBound + bytes.count), before byte \(range.upperBound): it changed while it was written as '\(key)' of \(location); nothing was written",
                            context: ErrorContext(file: path, key: key.value))
        }
        return bytes
    }

    /// Sends part `number` of the multipart upload `uploadID` to `key` (`UploadPart`) and returns its `ETag`.
    /// - Throws: ``ZarrError`` `.storeFailure` when the server refuses it or gives no `ETag`.
    func uploadPart(_ key: StoreKey, number: Int, uploadID: String, body: [UInt8]) throws -> String {
        let answer = try send(.put, object: objectName(key), query: [("partNumber", String(number)), ("uploadId", uploadID)], body: body, place: key.value)
        guard answer.status == 200 else { throw failure(answer, "uploading part \(number) of", key.value) }
        guard let etag = answer.etag, !etag.isEmpty else {
            throw ZarrError(.storeFailure, "the S3 server accepted part \(number) of '\(key)' without an ETag, so the upload cannot be completed",
                            context: ErrorContext(file: location, key: key.value))
        }
        return etag
    }

    /// Makes `key`'s value with an S3 multipart upload of `size` bytes: start it, have `sendPart`
    /// send each part of at most `partSize` bytes in order (its number from 1, its byte range and
    /// the upload's id; it returns the part's `ETag`), complete it with the parts' ETags. At most
    /// one part is in flight, so memory is bounded by a part, whatever `size` is. The object appears
    /// only when the upload is completed; when anything fails the upload is aborted, so neither a
    /// half value nor its parts are left behind (an abort that fails too leaves parts that the
    /// bucket's lifecycle rule for incomplete uploads removes; the old value stays either way).
    /// `completionHeaders` go with the completing request (`If-None-Match: *` makes it conditional);
    /// the answer to that request is returned when it is `412 Precondition Failed` (the upload is
    /// then aborted).
    /// - Throws: ``ZarrError`` `.storeFailure` when the server refuses a step, what `sendPart` throws.
    @discardableResult
    func multipartUpload(_ key: StoreKey, size: Int, partSize: Int, completionHeaders: [(name: String, value: String)] = [],
                         sendPart: (_ number: Int, _ range: Range<Int>, _ uploadID: String) throws -> String) throws -> HTTPResponseCheck.Answer {
        let object = objectName(key)
        let started = try send(.post, object: object, query: [("uploads", "")], place: key.value)
        guard started.status == 200 else { throw failure(started, "starting a multipart upload of", key.value) }
        // AWS S3 names the answer's root `InitiateMultipartUploadResult`, rclone's `serve s3`
        // `InitiateMultipartUpload`; the SDKs read the UploadId whatever the root is called.
        let answer = try S3XML(started.body, place: location)
        guard let uploadID = answer.value("InitiateMultipartUploadResult/UploadId") ?? answer.value("InitiateMultipartUpload/UploadId"),
              !uploadID.isEmpty else {
            throw ZarrError(.storeFailure, "the S3 server started a multipart upload of '\(key)' without naming it (no UploadId)",
                            context: ErrorContext(file: location, key: key.value))
        }
        do {
            var parts: [(number: Int, etag: String)] = []
            var offset = 0
            while offset < size {
                let end = Swift.min(offset + partSize, size)
                let number = parts.count + 1
                parts.append((number, try sendPart(number, offset..<end, uploadID)))
                offset = end
            }
            let list = parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(Self.xmlEscaped($0.etag))</ETag></Part>" }.joined()
            let body = Array("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(list)</CompleteMultipartUpload>".utf8)
            let completed = try send(.post, object: object, query: [("uploadId", uploadID)], body: body, headers: completionHeaders, place: key.value)
            if completed.status == 412 {
                _ = try? send(.delete, object: object, query: [("uploadId", uploadID)], place: key.value)
                return completed
            }
            // S3 may answer 200 and still fail: the body is then an error document.
            let document = try S3XML(completed.body, place: location)
            guard completed.status == 200, document.value("Error/Code") == nil else {
                let code = document.value("Error/Code").map { " (\($0): \(document.value("Error/Message") ?? ""))" } ?? ""
                throw completed.status == 200
                    ? ZarrError(.storeFailure, "the S3 server could not complete the multipart upload of '\(key)'\(code)", context: ErrorContext(file: location, key: key.value))
                    : failure(completed, "completing the multipart upload of", key.value)
            }
            return completed
        } catch {
            _ = try? send(.delete, object: object, query: [("uploadId", uploadID)], place: key.value)
            throw error
        }
    }

    /// Text with `&`, `<`, `>`, `"` and `'` escaped for an XML element.
    static func xmlEscaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
