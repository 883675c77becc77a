import ArgumentParser
import Foundation
import MIFACore
import MIFAServer
import Rendering

/// `mifa preview <package> <image> <out.png> [--set S] [--label L]`: one image of a package drawn
/// as a PNG with its label images and vector annotations, as `mifa serve` draws it.
struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Draw an image of a package with its annotations as a PNG (the rendering of `mifa serve`).",
        discussion: """
            Channels are drawn in their omero colours and windows (else the type's range or the values' \
            range), label images in their image-label colours (else a stable palette), vector sets as \
            outlines. Without --label or --set every label image and vector set of the image is drawn; \
            with either, only those named. The level defaults to the finest one no larger than 2048 \
            pixels a side. Exit 0 written; 1 bad input (unknown image, set, level, region); 2 usage.
            """)

    @Argument(help: "The package folder.")
    var package: String

    @Argument(help: "The image id (images/<id> in the package).")
    var image: String

    @Argument(help: "The PNG file to write.")
    var output: String

    @Option(name: .customLong("set"), help: "A vector annotation set drawn as outlines (repeat for several).")
    var sets: [String] = []

    @Option(name: .customLong("label"), help: "A label image drawn in its colours (repeat for several).")
    var labels: [String] = []

    @Option(name: .long, help: "The pyramid level (0 = full resolution).")
    var level: Int?

    @Option(name: .long, help: "Rows and columns of the level, y0:y1,x0:x1 (default: all).")
    var region: String?

    @Option(name: .long, help: "Comma-separated channel indices (default: the active channels).")
    var channel: String?

    @Option(name: .long, help: "How opaque label images are drawn, 0...1 (default 1: exactly their colours).")
    var opacity: Double = 1

    @Option(name: .long, help: "The time point (default: the first, or omero's defaultT).")
    var t: Int?

    @Option(name: .long, help: "The z plane (default: the middle one, or omero's defaultZ).")
    var z: Int?

    func validate() throws {
        guard (0...1).contains(opacity) else { throw ValidationError("--opacity must be between 0 and 1, not \(opacity)") }
    }

    func run() throws {
        let view = try PackageView(root: package)
        var renderer = try view.renderer(image)
        for index in renderer.labels.indices { renderer.labels[index].opacity = opacity }
        let known = Set(renderer.labels.map(\.name)), drawnSets = Set(renderer.vectors.map(\.name))
        for name in labels where !known.contains(name) {
            throw InvalidInput(message: "image '\(image)' has no label image '\(name)'; it has \(known.isEmpty ? "none" : known.sorted().joined(separator: ", "))")
        }
        for name in sets where !drawnSets.contains(name) {
            guard view.vectorSets.contains(name) else {
                throw InvalidInput(message: "the package has no vector set '\(name)'; it has \(view.vectorSets.isEmpty ? "none" : view.vectorSets.joined(separator: ", "))")
            }
            throw InvalidInput(message: "vector set '\(name)' has no objects on image '\(image)'")
        }
        let channels = try channel.map { text in
            try text.split(separator: ",").map { part -> Int in
                guard let value = Int(part) else { throw InvalidInput(message: "--channel takes comma-separated channel indices, not '\(text)'") }
                return value
            }
        }
        let chosenLevel = try level ?? (0..<renderer.image.levels.count).first { try max(renderer.size(ofLevel: $0).height, renderer.size(ofLevel: $0).width) <= 2048 }
            ?? renderer.image.levels.count - 1
        let (height, width) = try renderer.size(ofLevel: chosenLevel)
        var y: Range<Int>? = nil, x: Range<Int>? = nil
        if let region {
            let parsed = try Region(parsing: region, shape: [height, width])
            (y, x) = (parsed.ranges[0], parsed.ranges[1])
        }
        let drawAll = labels.isEmpty && sets.isEmpty
        let options = RenderOptions(t: t, z: z, channels: channels, labels: drawAll ? nil : labels, vectors: drawAll ? nil : sets)
        let picture = try renderer.render(level: chosenLevel, y: y, x: x, options: options)
        try AtomicFile.write(picture.png(compressionLevel: 6), to: output)
        print("wrote \(output): image \(image), level \(chosenLevel), \(picture.width)×\(picture.height)")
    }
}
