import Foundation
import MIFACore
import RasterIO

/// What `mifa raster info` prints about a file, as text lines and as a JSON object.
struct RasterReport {
    var json: [String: Any]
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
            (report, shape, dataType) = (png(path, info: info), info.shape, info.dataType)
        case .npy:
            let header = try NPYFile.readHeader(path: path)
            (report, shape, dataType) = (npy(path, header: header), header.shape, header.dataType)
        }
        report.json["max_memory"] = limits.maxBytes
        if let dataType {
            do {
                report.json["bytes"] = try limits.check(claimedShape: shape, dataType: dataType, file: path)
            } catch let error as RasterIOError {
                report.json["limit_problem"] = error.message
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
        var json: [String: Any] = [
            "file": path, "format": "tiff", "pages": file.pageCount, "bigtiff": file.isBigTIFF,
            "byte_order": file.byteOrder.rawValue, "compression": first.compression.description,
            "tiled": first.isTiled, "tile": first.isTiled ? [first.tileWidth ?? 0, first.tileHeight ?? 0] : NSNull(),
            "rows_per_strip": first.rowsPerStrip.map { $0 as Any } ?? NSNull(), "imagej": file.imageJ != nil,
            "pixel_size": pixelSizeJSON(file.pixelSize),
        ]
        var lines = ["file: \(path)", "format: \(file.isBigTIFF ? "BigTIFF" : "TIFF"), \(file.byteOrder.rawValue)-endian, \(file.pageCount) page\(file.pageCount == 1 ? "" : "s")"]
        do {
            let layout = try file.stackLayout()
            json["shape"] = layout.shape
            json["dtype"] = layout.dataType.rawValue
            json["axes"] = layout.axes
            json["stack_pages"] = layout.pages.count
            (arrayShape, arrayType) = (layout.shape, layout.dataType)
            lines.append("array: \(layout.axes) \(layout.shape) \(layout.dataType.rawValue)\(layout.isImageJ ? " (ImageJ hyperstack)" : "")")
        } catch let error as RasterIOError {
            json["shape"] = first.shape
            json["dtype"] = first.dataType?.rawValue ?? NSNull()
            json["axes"] = first.axes
            json["stack_problem"] = error.message
            lines.append("array: page 0 is \(first.axes) \(first.shape) \(first.dataType?.rawValue ?? "unsupported"); no stack: \(error.message)")
        }
        if let size = file.pixelSize { lines.append("pixel size: \(describe(size))") }
        let series = try file.series()
        json["series"] = series.map { item -> [String: Any] in
            let squeezed = item.squeezed
            return ["index": item.index, "kind": item.kind, "name": item.name, "axes": squeezed.axes, "shape": squeezed.shape,
                    "dtype": item.dataType.rawValue, "pages": item.levels[0].pages.count,
                    "pixel_size": pixelSizeJSON(item.pixelSize), "channel_names": item.channelNames,
                    "levels": item.levels.indices.map { level -> [String: Any] in ["axes": item.reported(level: level).axes, "shape": item.reported(level: level).shape] }]
        }
        for item in series {
            let squeezed = item.squeezed
            let levels = item.levels.count > 1 ? ", \(item.levels.count) levels: " + item.levels.indices.map { "\(item.reported(level: $0).shape)" }.joined(separator: " ") : ""
            let size = item.pixelSize.map { ", pixel size \(describe($0))" } ?? ""
            lines.append("series \(item.index) (\(item.kind)\(item.name.isEmpty ? "" : " '\(item.name)'")): \(squeezed.axes) \(squeezed.shape) \(item.dataType.rawValue)\(levels)\(size)")
        }
        let listed = file.pages.prefix(1000)
        json["page_info"] = listed.map(pageJSON)
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

    private static func pageJSON(_ page: TIFFPageInfo) -> [String: Any] {
        [
            "index": page.index, "width": page.width, "height": page.height, "samples": page.samplesPerPixel,
            "bits": page.bitsPerSample, "sample_format": page.sampleFormatName, "dtype": page.dataType?.rawValue ?? NSNull(),
            "compression": page.compression.description, "photometric": page.photometricName, "planar": page.isPlanar,
            "tiled": page.isTiled, "tile": page.isTiled ? [page.tileWidth ?? 0, page.tileHeight ?? 0] : NSNull(),
            "rows_per_strip": page.rowsPerStrip.map { $0 as Any } ?? NSNull(), "predictor": page.predictor,
            "shape": page.shape, "axes": page.axes,
        ]
    }

    private static func png(_ path: String, info: PNGInfo) -> RasterReport {
        let json: [String: Any] = [
            "file": path, "format": "png", "pages": 1, "shape": info.shape, "dtype": info.dataType.rawValue, "axes": info.axes,
            "bit_depth": info.bitDepth, "color_type": info.colorTypeName, "interlaced": info.isInterlaced,
            "compression": "deflate", "tiled": false, "byte_order": "big", "bigtiff": false, "pixel_size": NSNull(),
        ]
        let lines = ["file: \(path)", "format: PNG, \(info.bitDepth)-bit \(info.colorTypeName)\(info.isInterlaced ? ", interlaced" : "")",
                     "array: \(info.axes) \(info.shape) \(info.dataType.rawValue)"]
        return RasterReport(json: json, lines: lines)
    }

    private static func npy(_ path: String, header: NPYHeader) -> RasterReport {
        let axes = RasterImage.defaultAxes(shape: header.shape, dataType: header.dataType)
        let json: [String: Any] = [
            "file": path, "format": "npy", "pages": 1, "shape": header.shape, "dtype": header.dataType.rawValue,
            "axes": axes.count == header.shape.count ? axes : NSNull(), "order": header.fortranOrder ? "F" : "C",
            "byte_order": header.endianness.rawValue, "version": "\(header.majorVersion).\(header.minorVersion)",
            "compression": "none", "tiled": false, "bigtiff": false, "pixel_size": NSNull(),
        ]
        let lines = ["file: \(path)", "format: .npy \(header.majorVersion).\(header.minorVersion), \(header.endianness.rawValue)-endian, \(header.fortranOrder ? "Fortran" : "C") order",
                     "array: \(header.shape) \(header.dataType.rawValue)"]
        return RasterReport(json: json, lines: lines)
    }

    private static func pixelSizeJSON(_ size: PixelSize?) -> Any {
        guard let size else { return NSNull() }
        func value(_ v: Double?) -> Any { v.map { $0 as Any } ?? NSNull() }
        return ["x": value(size.x), "y": value(size.y), "z": value(size.z), "unit": size.unit.map { $0 as Any } ?? NSNull(),
                "y_unit": (size.y == nil ? nil : size.yUnit ?? size.unit).map { $0 as Any } ?? NSNull(),
                "z_unit": (size.z == nil ? nil : size.zUnit ?? size.unit).map { $0 as Any } ?? NSNull(),
                "time_interval": value(size.timeInterval), "time_unit": size.timeUnit.map { $0 as Any } ?? NSNull()] as [String: Any]
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
