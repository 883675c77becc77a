import ArgumentParser
import Foundation
import MIFACore
import MIFAModel

/// The package steps of `mifa demo`: each one runs `mifa` commands in this process, showing them
/// as a user would type them.
struct DemoStory {
    /// The nuclei sample folder.
    let samples: String
    /// Where the demo writes.
    let work: String

    var package: String { work + "/nuclei.mifa" }

    // MARK: - Steps

    func annotatorPacks() throws {
        step(3, "The images, masks, COCO and QuPath GeoJSON files and the sheet become one package")
        try mifa("pack", samples, package, "--metadata", samples + "/mifa.yaml", "--file-list", samples + "/files.tsv")
    }

    func curatorAudits() throws {
        step(4, "The curator validates the metadata and audits the package (files, digests, coverage, credit)")
        try mifa("validate", package)
        try mifa("audit", package)
    }

    func annotatorCorrects() throws {
        let (setID, corrected, removed) = try correctedQuPathSet()
        step(5, "An annotator removes a false detection (\(removed)) and redraws one outline in QuPath; a new version keeps every earlier annotator's credit and credits her on the one set she changed (\(setID))")
        try mifa(
            "version", package, "--version", "1.1", "--changes", "Removed a false detection and redrew one nucleus outline",
            "--annotations", "\(setID)=\(corrected)", "--annotator", "Mina Okoye <0000-0002-7182-8185>=\(setID)")
        step(6, "A later edit of the sheet that leaves out an annotator is refused: credit survives every version")
        let (sheet, dropped) = try sheetWithoutFirstAnnotator()
        print("   (\(DemoStory.shown(sheet)) is the package's mifa.json without \(dropped))")
        try mifa("version", package, "--version", "1.2", "--changes", "Tidy up the author list", "--metadata", sheet, expectFailure: true)
    }

    func curatorReviews() throws {
        step(7, "The curator sees exactly what changed and who is credited for which objects, and audits the two-version chain")
        try mifa("diff", package, "1.0", "1.1")
        try mifa("credits", package)
        try mifa("audit", package)
        step(8, "Published as one zip (Zarr tools read it in place), described for ML dataset tools (Croissant) and made citable (CITATION.cff)")
        try mifa("export", package, "--to", "zip", work + "/nuclei.mifa.zip")
        try mifa("export", package, "--to", "croissant", work + "/nuclei.croissant.json")
        try mifa("export", package, "--to", "citation", work + "/CITATION.cff")
        step(9, "Annotations in the format each tool wants: COCO for detection models, QuPath GeoJSON, label images")
        try FileSystem.createDirectories(work + "/converted")
        let coco = samples + "/coco/instances.json"
        try mifa("convert", coco, work + "/converted/nuclei.geojson", "--to", "geojson")
        try mifa("convert", coco, work + "/converted/masks", "--to", "mask-png")
    }

    func developerStreams() throws {
        step(10, "Random 128x128 training patches with their masks (set1) and polygons stream from the package's OME-Zarr chunks, reproducibly from a seed; the image the sheet keeps for testing (IM6, split test) is never among them")
        try mifa("bench", package, "--split", "train", "--label", "set1", "--patch", "128,128", "--batch", "16", "--epochs", "2", "--seed", "1")
    }

    // MARK: - Helpers

    /// Writes the annotator's correction of the QuPath set (the set whose objects carry QuPath measurements): the smallest object removed, the first
    /// one's outline shifted by 1.5 pixels. Returns the set id, the corrected file and the removed object.
    private func correctedQuPathSet() throws -> (String, String, String) {
        let folder = package + "/annotations"
        let sets = try FileSystem.entries(of: folder) ?? []
        for setID in sets {
            let path = "\(folder)/\(setID)/annotations.geojson"
            guard FileSystem.kind(of: path) == .file,
                var collection = try JSONParser.parse(RegularFile.contents(of: path, limit: 1 << 30, followingLinks: false), file: path).objectValue,
                var features = collection["features"]?.arrayValue, features.count > 2,
                features.allSatisfy({ $0["properties"]?["measurements"] != nil })
            else { continue }
            let smallest = features.indices.min { area(features[$0]) < area(features[$1]) }!
            let removed = features.remove(at: smallest)
            if var first = features[0].objectValue, var geometry = first["geometry"]?.objectValue, let rings = Self.rings(geometry["coordinates"]) {
                geometry["coordinates"] = try JSONValue(encoding: rings.map { ring in ring.map { [$0[0] + 1.5, $0[1]] } })
                first["geometry"] = .object(geometry)
                features[0] = .object(first)
            }
            collection["features"] = .array(features)
            let corrected = "\(work)/corrected-\(setID).geojson"
            try AtomicFile.write(JSONWriter.bytes(of: .object(collection), sortingKeys: true), to: corrected)
            let imageID = removed["properties"]?["image_id"]?.stringValue
            return (setID, corrected, "\(Int(area(removed))) px² on \(imageID ?? "its image")")
        }
        throw InvalidInput(message: "\(folder): no QuPath GeoJSON annotation set was packed; the sample should have one")
    }

    /// Polygon coordinates as numbers (rings of [x, y, ...] positions), or `nil` if they are not.
    private static func rings(_ value: JSONValue?) -> [[[Double]]]? {
        guard let rings = value?.arrayValue else { return nil }
        var result: [[[Double]]] = []
        for ring in rings {
            guard let positions = ring.arrayValue else { return nil }
            var points: [[Double]] = []
            for position in positions {
                guard let numbers = position.arrayValue, numbers.count >= 2 else { return nil }
                let values = numbers.compactMap { $0.numberValue?.doubleValue }
                guard values.count == numbers.count else { return nil }
                points.append(values)
            }
            result.append(points)
        }
        return result
    }

    /// The package's mifa.json with the first credited annotator left out of every annotation set.
    private func sheetWithoutFirstAnnotator() throws -> (String, String) {
        let file = package + "/mifa.json"
        guard var document = try JSONParser.parse(RegularFile.contents(of: file, limit: 1 << 30, followingLinks: false), file: file).objectValue,
            var sets = document["annotations"]?.arrayValue,
            let first = sets.lazy.compactMap({ $0["authors"]?[0] }).first
        else { throw InvalidInput(message: "\(package)/mifa.json credits no annotator; the sample should") }
        func fullName(_ author: JSONValue) -> String {
            [author["author_first_name"], author["author_last_name"]].compactMap { $0?.stringValue }.joined(separator: " ")
        }
        let name = fullName(first)
        for index in sets.indices {
            guard var set = sets[index].objectValue else { continue }
            set["authors"] = set["authors"]?.arrayValue.map { .array($0.filter { fullName($0) != name }) }
            sets[index] = .object(set)
        }
        document["annotations"] = .array(sets)
        let path = work + "/mifa-without-\(first["author_last_name"]?.stringValue ?? "annotator").json"
        try AtomicFile.write(JSONWriter.bytes(of: .object(document), options: JSONWriter.Options(prettyPrinted: true), sortingKeys: true), to: path)
        return (path, name)
    }

    /// A polygon feature's area (shoelace formula over its outer ring).
    private func area(_ feature: JSONValue) -> Double {
        guard let ring = Self.rings(feature["geometry"]?["coordinates"])?.first, ring.count > 2 else { return 0 }
        var sum = 0.0
        for index in ring.indices.dropLast() {
            sum += ring[index][0] * ring[index + 1][1] - ring[index + 1][0] * ring[index][1]
        }
        return abs(sum) / 2
    }

    private func step(_ number: Int, _ text: String) {
        print("\n\(number). \(text)")
    }

    /// Runs `mifa ARGS` in this process, showing the command first. With `expectFailure`, an error
    /// is what the step wants to show: it is printed, and success would be the failure.
    private func mifa(_ arguments: String..., expectFailure: Bool = false) throws {
        print("   $ mifa " + arguments.map(Self.shown).joined(separator: " "))
        fflush(nil)
        do {
            var command = try MIFA.parseAsRoot(arguments)
            try command.run()
            fflush(nil)
            if expectFailure {
                throw InvalidInput(message: "`mifa \(arguments.joined(separator: " "))` should have been refused but succeeded")
            }
        } catch let error as any MIFAError where expectFailure {
            print("   refused (exit 1): \(error)")
        }
    }

    /// A path as it reads best: relative to the current folder when inside it.
    static func shown(_ text: String) -> String {
        let folder = FileManager.default.currentDirectoryPath
        let current = folder + "/"
        let relative = folder != "/" && text.hasPrefix(current) ? String(text.dropFirst(current.count)) : text
        return relative.contains(" ") ? "'\(relative)'" : relative
    }

    /// "First Last (ORCID ...)".
    static func name(_ author: Author) -> String {
        let name = [author.authorFirstName, author.authorLastName].compactMap { $0 }.joined(separator: " ")
        return author.orcidID.map { "\(name) (ORCID \($0))" } ?? name
    }
}
