import Foundation
import MIFACore
import MIFAModel

extension AuditRun {
    /// Machine-learning splits: an image is in at most one split. The places that say which split
    /// an image is in are its `images[].split` in mifa.json (listed twice, an image can get two),
    /// the `file_metadata[].split` of its annotation files there, and the `Split` column of the file list, kept per packed file in `annotations/files.json`
    /// (the image's own row and the rows of its annotation files). Two different splits for one
    /// image is an error: its pixels would be trained on and tested on.
    mutating func checkSplits(_ document: MIFADocument, manifest: Manifest) {
        var claims: [String: [(split: String, place: String, path: String, pointer: String?)]] = [:]
        for (index, image) in (document.images ?? []).enumerated() {
            guard let id = image.id, let split = image.split else { continue }
            claims[id, default: []].append((split, "mifa.json images[\(index)]", PackageLayout.metadata, "/images/\(index)/split"))
        }
        for (setIndex, set) in (document.annotations ?? []).enumerated() {
            for (index, file) in (set.fileMetadata ?? []).enumerated() {
                guard let id = file.sourceImageID, let split = file.split else { continue }
                let pointer = "/annotations/\(setIndex)/file_metadata/\(index)/split"
                claims[id, default: []].append((split, "mifa.json annotations[\(setIndex)].file_metadata[\(index)]", PackageLayout.metadata, pointer))
            }
        }
        if manifest.files[IngestedFileIndex.path] != nil {
            do {
                let bytes = try package.reader.read(IngestedFileIndex.path, limit: 256 << 20)
                let index = try JSONValueDecoder().decode(IngestedFileIndex.self, from: try JSONParser.parse(bytes, file: IngestedFileIndex.path))
                for file in index.files {
                    guard let split = file.attributes.first(where: { SourceFileList.headerKey($0.key) == "split" })?.value else { continue }
                    for id in file.imageIDs {
                        claims[id, default: []].append((split, "the file list's Split of \(file.source)", IngestedFileIndex.path, nil))
                    }
                }
            } catch {
                add(.error, .unreadable, path: IngestedFileIndex.path,
                    "annotations/files.json cannot be read as the index of packed files (\(error)); the splits its Split column gives cannot be checked")
            }
        }
        for id in claims.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let list = claims[id]!
            let splits = Set(list.map(\.split))
            guard splits.count > 1 else { continue }
            let first = list.first { $0.path == PackageLayout.metadata } ?? list[0]
            let places = splits.sorted().map { split in
                "'\(split)' (\(list.filter { $0.split == split }.map(\.place).joined(separator: ", ")))"
            }
            add(.error, .imageInTwoSplits, path: first.path, pointer: first.pointer,
                "image '\(id)' is in \(splits.count) splits: \(places.joined(separator: " and ")); an image belongs to one split, or what it trains on is also tested on; give it one split in mifa.json and the file list, and publish that with `mifa version`")
        }
    }
}
