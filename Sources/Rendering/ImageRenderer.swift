import MIFACore
public import OMEZarr

/// Draws an OME-Zarr image as RGBA pictures: a region of any level, a tile of a level's
/// ``TileGrid``, or a thumbnail, with its channels in their colours and contrast windows, label
/// images over them in their `image-label` colours and vector annotations drawn as outlines.
///
/// Contrast comes from the `omero` block's window of each channel; where there is none, 8-bit
/// and boolean images use their type's range and others the range of values in the lowest
/// resolution level (read once, when the renderer is made), so that every tile of every level is
/// drawn with the same window.
public struct ImageRenderer: Sendable {
    /// The image.
    public let image: OMEZarrImage
    /// How each channel is drawn, one per index of the `c` axis (one when there is none).
    public var channels: [ChannelDisplay]
    /// The channels drawn when a request names none: those the `omero` block marks active, else the first three.
    public var activeChannels: [Int]
    /// Label images drawn over the image, in order.
    public var labels: [LabelLayer]
    /// Vector annotations drawn over the labels, in order.
    public var vectors: [VectorLayer]
    /// The largest picture drawn, in pixels (a bigger region is refused, not allocated).
    public static let maximumPixels = 4096 * 4096

    let axes: (t: Int?, c: Int?, z: Int?, y: Int, x: Int)

    /// A renderer of `image` with the given layers.
    /// - Throws: ``RenderingError`` `.unsupportedImage` when the image has no `y` and `x` axes;
    ///   `.readFailed` when the lowest level cannot be read for a contrast window.
    public init(image: OMEZarrImage, labels: [LabelLayer] = [], vectors: [VectorLayer] = []) throws {
        guard let y = image.axisIndex("y"), let x = image.axisIndex("x") else {
            throw RenderingError(.unsupportedImage, "the image has axes \(image.axes.map(\.name)); it needs 'y' and 'x' axes to be drawn",
                                 context: ErrorContext(file: image.group.file))
        }
        let axes = (t: image.axisIndex("t"), c: image.axisIndex("c"), z: image.axisIndex("z"), y: y, x: x)
        self.axes = axes
        self.image = image
        self.labels = labels
        self.vectors = vectors
        let channelCount = axes.c.map { image.shape[$0] } ?? 1
        let lowest = image.levels[image.levels.count - 1]
        var ranges: [(Double, Double)]? = nil
        let fallbackType = lowest.dataType ?? .float64
        channels = try ChannelDisplay.defaults(for: image, channelCount: channelCount) { c in
            if let range = PlaneValues.typeRange(fallbackType) { return range }
            if ranges == nil { ranges = try Self.valueRanges(image: image, axes: axes, channelCount: channelCount) }
            return ranges![c]
        }
        let active = image.omero?.channels.enumerated().filter { $0.element.active ?? true }.map(\.offset).filter { $0 < channelCount } ?? []
        activeChannels = active.isEmpty ? Array(0..<min(3, channelCount)) : active
    }

    /// The number of planes along `t` and `z` (1 for a missing axis).
    public var planeCounts: (t: Int, z: Int) {
        (axes.t.map { image.shape[$0] } ?? 1, axes.z.map { image.shape[$0] } ?? 1)
    }

    /// The plane shown first: the `omero` block's `defaultT` / `defaultZ` where valid, else the
    /// first time point and the middle z plane.
    public var defaultPlane: (t: Int, z: Int) {
        let counts = planeCounts
        let t = image.omero?.defaultT.flatMap { (0..<counts.t).contains($0) ? $0 : nil } ?? 0
        let z = image.omero?.defaultZ.flatMap { (0..<counts.z).contains($0) ? $0 : nil } ?? counts.z / 2
        return (t, z)
    }

    /// The height and width of a level.
    /// - Throws: ``RenderingError`` `.invalidRequest` for a level the image does not have.
    public func size(ofLevel level: Int) throws -> (height: Int, width: Int) {
        guard image.levels.indices.contains(level) else {
            throw RenderingError(.invalidRequest, "level \(level) does not exist; the image has levels 0...\(image.levels.count - 1)", context: ErrorContext(file: image.group.file))
        }
        let shape = image.levels[level].shape
        return (shape[axes.y], shape[axes.x])
    }

    /// The tile grid of a level.
    /// - Throws: ``RenderingError`` `.invalidRequest` for a level the image does not have.
    public func grid(level: Int, tileSize: Int = 256) throws -> TileGrid {
        let (height, width) = try size(ofLevel: level)
        return TileGrid(height: height, width: width, tileSize: tileSize)
    }

    /// Draws tile (`row`, `column`) of a level's grid.
    /// - Throws: ``RenderingError`` as ``render(level:y:x:options:)``, `.invalidRequest` for a tile outside the grid.
    public func tile(level: Int, row: Int, column: Int, tileSize: Int = 256, options: RenderOptions = RenderOptions()) throws -> RGBAImage {
        let (y, x) = try grid(level: level, tileSize: tileSize).tile(row: row, column: column)
        return try render(level: level, y: y, x: x, options: options)
    }

    /// A small picture of the whole image: the finest level whose sides are at most `maxSide`
    /// (else the lowest level, reduced to fit).
    /// - Throws: ``RenderingError`` as ``render(level:y:x:options:)``.
    public func thumbnail(maxSide: Int = 256, options: RenderOptions = RenderOptions()) throws -> RGBAImage {
        let level = try (0..<image.levels.count).first { try max(size(ofLevel: $0).height, size(ofLevel: $0).width) <= maxSide } ?? image.levels.count - 1
        return try render(level: level, options: options).fitting(maxSide: maxSide)
    }

    /// Draws rows `y` and columns `x` of a level (the whole level by default), one output pixel per level pixel.
    /// - Throws: ``RenderingError`` `.invalidRequest` for a level, region, plane or channel the image
    ///   does not have, or a region over ``maximumPixels``; `.labelMismatch` when a label image has
    ///   no level of this level's size; `.readFailed` when pixels cannot be read.
    public func render(level: Int, y: Range<Int>? = nil, x: Range<Int>? = nil, options: RenderOptions = RenderOptions()) throws -> RGBAImage {
        let (height, width) = try size(ofLevel: level)
        let y = y ?? 0..<height, x = x ?? 0..<width
        guard y.lowerBound >= 0, y.upperBound <= height, x.lowerBound >= 0, x.upperBound <= width, !y.isEmpty, !x.isEmpty else {
            throw RenderingError(.invalidRequest, "rows \(y.lowerBound):\(y.upperBound), columns \(x.lowerBound):\(x.upperBound) are not a non-empty part of level \(level), which is \(height)×\(width)",
                                 context: ErrorContext(file: image.group.file))
        }
        guard y.count * x.count <= Self.maximumPixels else {
            throw RenderingError(.invalidRequest, "a \(y.count)×\(x.count) picture is more than the \(Self.maximumPixels) pixels drawn at once; ask for a smaller region or a lower level",
                                 context: ErrorContext(file: image.group.file))
        }
        let plane = try checkedPlane(options)
        var canvas = RGBAImage(width: x.count, height: y.count)
        if options.showImage {
            let chosen = options.channels ?? activeChannels
            for c in chosen where !channels.indices.contains(c) {
                throw RenderingError(.invalidRequest, "channel \(c) does not exist; the image has channels 0...\(channels.count - 1)", context: ErrorContext(file: image.group.file))
            }
            try drawChannels(chosen, level: level, y: y, x: x, t: plane.t, z: plane.z, into: &canvas)
        }
        for layer in labels where options.labels?.contains(layer.name) ?? true {
            try drawLabels(layer, levelShape: (height, width), y: y, x: x, t: plane.t, z: plane.z, into: &canvas)
        }
        let full = try size(ofLevel: 0)
        let scaleX = Double(full.width) / Double(width), scaleY = Double(full.height) / Double(height)
        for layer in vectors where options.vectors?.contains(layer.name) ?? true {
            layer.draw(into: &canvas, originX: Double(x.lowerBound) * scaleX, originY: Double(y.lowerBound) * scaleY,
                       scaleX: scaleX, scaleY: scaleY, frame: axes.t == nil ? nil : plane.t)
        }
        return canvas
    }

    /// The plane of `options`, checked against the image.
    func checkedPlane(_ options: RenderOptions) throws -> (t: Int, z: Int) {
        let counts = planeCounts, fallback = defaultPlane
        let t = options.t ?? fallback.t, z = options.z ?? fallback.z
        guard (0..<counts.t).contains(t), (0..<counts.z).contains(z) else {
            throw RenderingError(.invalidRequest, "plane t=\(t), z=\(z) does not exist; the image has \(counts.t) time point(s) and \(counts.z) z plane(s)",
                                 context: ErrorContext(file: image.group.file))
        }
        return (t, z)
    }

    /// The region of the image's axes that holds rows `y`, columns `x` of plane (`t`, `z`) and channels `c`.
    func region(shape: [Int], y: Range<Int>, x: Range<Int>, t: Int, z: Int, c: Range<Int>) -> Region {
        var ranges = shape.map { 0..<$0 }
        if let axis = axes.t { ranges[axis] = t..<(t + 1) }
        if let axis = axes.z { ranges[axis] = z..<(z + 1) }
        if let axis = axes.c { ranges[axis] = c }
        ranges[axes.y] = y
        ranges[axes.x] = x
        return Region(ranges)
    }

    private func drawChannels(_ chosen: [Int], level: Int, y: Range<Int>, x: Range<Int>, t: Int, z: Int, into canvas: inout RGBAImage) throws {
        let count = y.count * x.count
        let distinct = Set(chosen).sorted()
        guard let low = distinct.first, let high = distinct.last else {
            canvas.pixels.withUnsafeMutableBufferPointer { out in for i in 0..<count { out[i * 4 + 3] = 255 } }  // opaque black
            return
        }
        let pixels = try read(level: level, region: region(shape: image.levels[level].shape, y: y, x: x, t: t, z: z, c: low..<(high + 1)))
        // Channel c's values are block c - low of the read (t and z have extent 1, c comes before y
        // and x). One channel is drawn straight into the canvas; several are summed first.
        // Safety: the read holds high - low + 1 blocks of `count` values and the canvas count * 4
        // bytes (it is x.count × y.count); sum holds count * 3 values.
        if distinct.count == 1 {
            Self.shade(pixels, weights: channels[low].weights, into: &canvas)
            return
        }
        var sum = [Float](repeating: 0, count: count * 3)
        let values = PlaneValues.doubles(pixels)
        values.withUnsafeBufferPointer { values in
            sum.withUnsafeMutableBufferPointer { sum in
                for c in distinct {
                    let (start, scale, r, g, b) = channels[c].weights, base = (c - low) * count
                    for i in 0..<count {
                        let f = Float(min(max((values[base + i] - start) * scale, 0), 1))
                        sum[i * 3] += r * f; sum[i * 3 + 1] += g * f; sum[i * 3 + 2] += b * f
                    }
                }
            }
        }
        sum.withUnsafeBufferPointer { sum in
            canvas.pixels.withUnsafeMutableBufferPointer { pixels in
                for i in 0..<count {
                    pixels[i * 4] = Self.byte(sum[i * 3])
                    pixels[i * 4 + 1] = Self.byte(sum[i * 3 + 1])
                    pixels[i * 4 + 2] = Self.byte(sum[i * 3 + 2])
                    pixels[i * 4 + 3] = 255
                }
            }
        }
    }

    /// Draws one channel's values in its colour, one pass over the values of the read's own type.
    private static func shade(_ pixels: AnyNDArray, weights: (start: Double, scale: Double, red: Float, green: Float, blue: Float),
                              into canvas: inout RGBAImage) {
        canvas.pixels.withUnsafeMutableBufferPointer { pixels.visit(Shade(weights: weights, out: UnsafeMutableRawPointer($0.baseAddress!))) }
    }

    private struct Shade: NDArrayVisitor {
        let weights: (start: Double, scale: Double, red: Float, green: Float, blue: Float)
        let out: UnsafeMutableRawPointer

        func visit<E: NDArrayElement>(_ array: NDArray<E>) {
            let (start, scale, r, g, b) = weights
            // Safety: the read holds one value per canvas pixel, and the canvas 4 bytes per pixel.
            array.reordered(.rowMajor).elements.withUnsafeBufferPointer { values in
                if r == g && g == b {
                    for i in 0..<values.count {
                        let f = Float(min(max((values[i].doubleValue - start) * scale, 0), 1))
                        let v = ImageRenderer.byte(r * f)
                        (out + i * 4).storeBytes(of: ImageRenderer.opaque(v, v, v), as: UInt32.self)
                    }
                } else {
                    for i in 0..<values.count {
                        let f = Float(min(max((values[i].doubleValue - start) * scale, 0), 1))
                        (out + i * 4).storeBytes(of: ImageRenderer.opaque(ImageRenderer.byte(r * f), ImageRenderer.byte(g * f), ImageRenderer.byte(b * f)), as: UInt32.self)
                    }
                }
            }
        }
    }

    /// An opaque pixel's four bytes (red, green, blue, alpha in memory order) as one word.
    @inline(__always) private static func opaque(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> UInt32 {
        let rg = UInt32(red) | UInt32(green) << 8
        return (rg | UInt32(blue) << 16 | 0xFF00_0000).littleEndian
    }

    /// `UInt8(min(255, value.rounded()))` for a value of 0 or more, without a call into libm per
    /// sample (x86-64's baseline has no rounding instruction): the truncation is exact below 2^23,
    /// and so is the fraction left.
    @inline(__always) static func byte(_ value: Float) -> UInt8 {
        let clamped = min(value, 255)
        let truncated = UInt8(clamped)
        return clamped - Float(truncated) >= 0.5 ? truncated + 1 : truncated
    }

    private func drawLabels(_ layer: LabelLayer, levelShape: (Int, Int), y: Range<Int>, x: Range<Int>, t: Int, z: Int, into canvas: inout RGBAImage) throws {
        let label = layer.image
        guard let ly = label.axisIndex("y"), let lx = label.axisIndex("x"),
              let level = label.levels.firstIndex(where: { $0.shape[ly] == levelShape.0 && $0.shape[lx] == levelShape.1 })
        else {
            throw RenderingError(.labelMismatch, "label image '\(layer.name)' has no level of \(levelShape.0)×\(levelShape.1) pixels, the size of the image level drawn; its levels are \(label.levels.map(\.shape))",
                                 context: ErrorContext(file: label.group.file))
        }
        let shape = label.levels[level].shape
        var ranges = shape.map { 0..<min($0, 1) }
        for (name, index) in [("t", t), ("z", z)] {
            guard let axis = label.axisIndex(name) else { continue }
            guard shape[axis] == 1 || index < shape[axis] else {
                throw RenderingError(.labelMismatch, "label image '\(layer.name)' has \(shape[axis]) planes along '\(name)', so it has no plane \(index)", context: ErrorContext(file: label.group.file))
            }
            ranges[axis] = shape[axis] == 1 ? 0..<1 : index..<(index + 1)
        }
        ranges[ly] = y
        ranges[lx] = x
        let values = try read(image: label, level: level, region: Region(ranges))
        var lastValue: Int64 = 0, lastColor = RGBA(0, 0, 0, 0)
        let width = x.count, opacity = layer.opacity
        PlaneValues.forEachLabel(values) { i, value in
            guard value != 0 else { return }
            if value != lastValue { (lastValue, lastColor) = (value, layer.color(of: value)) }
            canvas.blend(lastColor, row: i / width, column: i % width, opacity: opacity)
        }
    }

    private func read(image: OMEZarrImage? = nil, level: Int, region: Region) throws -> AnyNDArray {
        let source = image ?? self.image
        do {
            return try source.read(level: level, region: region)
        } catch {
            throw RenderingError(.readFailed, "cannot read level \(level), region [\(region)]: \(error)", context: ErrorContext(file: source.group.file), underlying: error)
        }
    }

    /// The lowest and highest value of each channel in the default plane of the lowest level.
    private static func valueRanges(image: OMEZarrImage, axes: (t: Int?, c: Int?, z: Int?, y: Int, x: Int), channelCount: Int) throws -> [(Double, Double)] {
        let lowest = image.levels.count - 1
        let shape = image.levels[lowest].shape
        var ranges = shape.map { 0..<$0 }
        if let t = axes.t { ranges[t] = 0..<min(1, shape[t]) }
        if let z = axes.z { ranges[z] = (shape[z] / 2)..<(shape[z] / 2 + min(1, shape[z])) }
        let region = Region(ranges)
        guard region.elementCount <= 1 << 24 else { return Array(repeating: (0, 65535), count: channelCount) }
        let pixels: AnyNDArray
        do {
            pixels = try image.read(level: lowest, region: region)
        } catch {
            throw RenderingError(.readFailed, "cannot read the lowest level for a contrast window: \(error)", context: ErrorContext(file: image.group.file), underlying: error)
        }
        let perChannel = max(1, region.elementCount / channelCount)
        var low = [Double](repeating: .infinity, count: channelCount), high = [Double](repeating: -.infinity, count: channelCount)
        PlaneValues.forEach(pixels) { i, value in
            guard value.isFinite else { return }
            // The c axis comes before y and x, so each channel's values are one block of the row-major read.
            let c = axes.c == nil ? 0 : min(channelCount - 1, i / perChannel)
            low[c] = min(low[c], value)
            high[c] = max(high[c], value)
        }
        return (0..<channelCount).map { c in
            guard low[c].isFinite, high[c].isFinite else { return (0, 1) }
            return high[c] > low[c] ? (low[c], high[c]) : (low[c], low[c] + 1)
        }
    }
}
