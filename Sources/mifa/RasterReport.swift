import Foundation
import MIFACore
import RasterIO

/// What `mifa raster info` prints about a file, as text lines and as a JSON object.
struct RasterReport {
    var json: JSONObject
    var lines: [String]

    /// Inspects the file at `path` without decoding pixels (TIFF tags, PNG header, .npy header).
    /// - Throws: ``RasterIOError`` from the readers.
    ///
    /// The decoded size of the array is reported with the limit `limits` sets; an array over it is
    /// described, not refused (`limit_problem` says how to read it).
    static func make(_ path: String, limits: ReadLimits) throws -> RasterReport {
        var report: RasterReport
        let shape: [Int], dataType: DataType?
        switch try RasterFile.format(ofFileAt: path) {
        case .tiff: (report, shape, dataType) = try tiff(path, limits: limits)
        case .png:
            let info = try PNGFile.info(path: path)
            (report, shape, dataType) = (try png(path, info: info), info.shape, info.dataType)
        case .npy:
            let header = try NPYFile.readHeader(path: path)
            (report, shape, dataType) = (try npy(path, header: header), header.shape, header.dataType)
        }
        report.json["max_memory"] = try JSONValue(encoding: limits.maxBytes)
        if let dataType {
            do {
                report.json["bytes"] = try JSONValue(encoding: try limits.check(claimedShape: shape, dataType: dataType, file: path))
            } catch let error as RasterIOError {
                report.json["limit_problem"] = .string(error.message)
                report.lines.append("too large to read: \(error.message)")
            }
        }
        return report
    }

    private static func tiff(_ path: String, limits: ReadLimits) throws -> (RasterReport, [Int], DataType?) {
        let file = try TIFFFile(path: path, limits: limits)
        var arrayShape = file.pages[0].shape
        var arrayType = file.pages[0].dataType
        let first = file.pages[0]
        var json: JSONObject = [
            "file": .string(path), "format": "tiff", "pages": try JSONValue(encoding: file.pageCount), "bigtiff": .bool(file.isBigTIFF),
            "byte_order": .string(file.byteOrder.rawValue), "compression": .string(first.compression.description),
            "tiled": .bool(first.isTiled), "tile": try JSONValue(encoding: first.isTiled ? [first.tileWidth ?? 0, first.tileHeight ?? 0] : nil),
            "rows_per_strip": try JSONValue(encoding: first.rowsPerStrip), "imagej": .bool(file.imageJ != nil),
            "pixel_size": try pixelSizeJSON(file.pixelSize),
        ]
        var lines = ["file: \(path)", "format: \(file.isBigTIFF ? "BigTIFF" : "TIFF"), \(file.byteOrder.rawValue)-endian, \(file.pageCount) page\(file.pageCount == 1 ? "" : "s")"]
        do {
            let layout = try file.stackLayout()
            json["shape"] = try JSONValue(encoding: layout.shape)
            json["dtype"] = .string(layout.dataType.rawValue)
            json["axes"] = try JSONValue(encoding: layout.axes)
            json["stack_pages"] = try JSONValue(encoding: layout.pages.count)
            (arrayShape, arrayType) = (layout.shape, layout.dataType)
            lines.append("array: \(layout.axes) \(layout.shape) \(layout.dataType.rawValue)\(layout.isImageJ ? " (ImageJ hyperstack)" : "")")
        } catch let error as RasterIOError {
            json["shape"] = try JSONValue(encoding: first.shape)
            json["dtype"] = try JSONValue(encoding: first.dataType?.rawValue)
            json["axes"] = try JSONValue(encoding: first.axes)
            json["stack_problem"] = .string(error.message)
            lines.append("array: page 0 is \(first.axes) \(first.shape) \(first.dataType?.rawValue ?? "unsupported"); no stack: \(error.message)")
        }
        if let size = file.pixelSize { lines.append("pixel size: \(describe(size))") }
        let series = try file.series()
        json["series"] = .array(try series.map { item -> JSONValue in
            let squeezed = item.squeezed
            return .object([
                "index": try JSONValue(encoding: item.index), "kind": try JSONValue(encoding: item.kind), "name": .string(item.name),
                "axes": try JSONValue(encoding: squeezed.axes), "shape": try JSONValue(encoding: squeezed.shape),
                "dtype": .string(item.dataType.rawValue), "pages": try JSONValue(encoding: item.levels[0].pages.count),
                "pixel_size": try pixelSizeJSON(item.pixelSize), "channel_names": try JSONValue(encoding: item.channelNames),
                "levels": .array(try item.levels.indices.map { level -> JSONValue in
                    .object(["axes": try JSONValue(encoding: item.reported(level: level).axes), "shape": try JSONValue(encoding: item.reported(level: level).shape)])
                }),
            ])
        })
        for item in series {
            let squeezed = item.squeezed
            let levels = item.levels.count > 1 ? ", \(item.levels.count) levels: " + item.levels.indices.map { "\(item.reported(level: $0).shape)" }.joined(separator: " ") : ""
            let size = item.pixelSize.map { ", pixel size \(describe($0))" } ?? ""
            lines.append("series \(item.index) (\(item.kind)\(item.name.isEmpty ? "" : " '\(item.name)'")): \(squeezed.axes) \(squeezed.shape) \(item.dataType.rawValue)\(levels)\(size)")
        }
        let listed = file.pages.prefix(1000)
        json["page_info"] = .array(try listed.map(pageJSON))
        if file.pageCount > listed.count { json["page_info_truncated"] = true }
        var runStart = 0
        for index in file.pages.indices {
            let summary = pageSummary(file.pages[index])
            if index + 1 < file.pageCount, pageSummary(file.pages[index + 1]) == summary { continue }
            lines.append((runStart == index ? "page \(index)" : "pages \(runStart)-\(index)") + ": " + summary)
            runStart = index + 1
        }
        return (RasterReport(json: json, lines: lines), arrayShape, arrayType)
    }

    private static func pageSummary(_ page: TIFFPageInfo) -> String {
        let layout = page.isTiled ? "tiled \(page.tileWidth ?? 0)×\(page.tileHeight ?? 0)" : "strips of \(page.rowsPerStrip ?? page.height) rows"
        return "\(page.width)×\(page.height), \(page.samplesPerPixel) × \(page.bitsPerSample)-bit \(page.sampleFormatName), \(page.photometricName)\(page.samplesPerPixel > 1 ? (page.isPlanar ? ", planar" : ", interleaved") : ""), \(page.compression), \(layout)"
    }

    private static func pageJSON(_ page: TIFFPageInfo) throws -> JSONValue {
        .object([
            "index": try JSONValue(encoding: page.index), "width": try JSONValue(encoding: page.width), "height": try JSONValue(encoding: page.height),
            "samples": try JSONValue(encoding: page.samplesPerPixel), "bits": try JSONValue(encoding: page.bitsPerSample),
            "sample_format": .string(page.sampleFormatName), "dtype": try JSONValue(encoding: page.dataType?.rawValue),
            "compression": .string(page.compression.description), "photometric": .string(page.photometricName), "planar": .bool(page.isPlanar),
            "tiled": .bool(page.isTiled), "tile": try JSONValue(encoding: page.isTiled ? [page.tileWidth ?? 0, page.tileHeight ?? 0] : nil),
            "rows_per_strip": try JSONValue(encoding: page.rowsPerStrip), "predictor": try JSONValue(encoding: page.predictor),
            "shape": try JSONValue(encoding: page.shape), "axes": try JSONValue(encoding: page.axes),
        ])
    }

    private static func png(_ path: String, info: PNGInfo) throws -> RasterReport {
        let json: JSONObject = [
            "file": .string(path), "format": "png", "pages": 1, "shape": try JSONValue(encoding: info.shape), "dtype": .string(info.dataType.rawValue),
            "axes": try JSONValue(encoding: info.axes), "bit_depth": try JSONValue(encoding: info.bitDepth), "color_type": .string(info.colorTypeName),
            "interlaced": .bool(info.isInterlaced), "compression": "deflate", "tiled": false, "byte_order": "big", "bigtiff": false, "pixel_size": nil,
        ]
        let lines = ["file: \(path)", "format: PNG, \(info.bitDepth)-bit \(info.colorTypeName)\(info.isInterlaced ? ", interlaced" : "")",
                     "array: \(info.axes) \(info.shape) \(info.dataType.rawValue)"]
        return RasterReport(json: json, lines: lines)
    }

    private static func npy(_ path: String, header: NPYHeader) throws -> RasterReport {
        let axes = RasterImage.defaultAxes(shape: header.shape, dataType: header.dataType)
        let json: JSONObject = [
            "file": .string(path), "format": "npy", "pages": 1, "shape": try JSONValue(encoding: header.shape), "dtype": .string(header.dataType.rawValue),
            "axes": try JSONValue(encoding: axes.count == header.shape.count ? axes : nil), "order": header.fortranOrder ? "F" : "C",
            "byte_order": .string(header.endianness.rawValue), "version": .string("\(header.majorVersion).\(header.minorVersion)"),
            "compression": "none", "tiled": false, "bigtiff": false, "pixel_size": nil,
        ]
        let lines = ["file: \(path)", "format: .npy \(header.majorVersion).\(header.minorVersion), \(header.endianness.rawValue)-endian, \(header.fortranOrder ? "Fortran" : "C") order",
                     "array: \(header.shape) \(header.dataType.rawValue)"]
        return RasterReport(json: json, lines: lines)
    }

    /// - Throws: `EncodingError` for a size that is not finite (JSON cannot hold it).
    private static func pixelSizeJSON(_ size: PixelSize?) throws -> JSONValue {
        guard let size else { return nil }
        return .object([
            "x": try JSONValue(encoding: size.x), "y": try JSONValue(encoding: size.y), "z": try JSONValue(encoding: size.z),
            "unit": try JSONValue(encoding: size.unit),
            "y_unit": try JSONValue(encoding: size.y == nil ? nil : size.yUnit ?? size.unit),
            "z_unit": try JSONValue(encoding: size.z == nil ? nil : size.zUnit ?? size.unit),
            "time_interval": try JSONValue(encoding: size.timeInterval), "time_unit": try JSONValue(encoding: size.timeUnit),
        ])
    }

    private static func describe(_ size: PixelSize) -> String {
        var parts: [String] = []
        if let x = size.x { parts.append("x \(x)\(size.unit.map { " \($0)" } ?? "")") }
        if let y = size.y { parts.append("y \(y)\((size.yUnit ?? size.unit).map { " \($0)" } ?? "")") }
        if let z = size.z { parts.append("z \(z)\((size.zUnit ?? size.unit).map { " \($0)" } ?? "")") }
        var text = parts.joined(separator: ", ")
        if let t = size.timeInterval { text += ", frame interval \(t)\(size.timeUnit.map { " \($0)" } ?? "")" }
        return text
    }
}
