public import MIFACore

/// A raster read from or written to a PNG, TIFF or `.npy` file: an array and the names of its axes.
///
/// Axis letters: `T` time, `Z` depth (and the pages of a plain TIFF stack), `C` channel (an ImageJ
/// channel or a page-wise channel), `Y` rows, `X` columns, `S` the samples of one pixel (RGB/RGBA,
/// gray+alpha), which OME-NGFF calls `c`. Axes follow the file's own layout so the array agrees
/// element for element with tifffile and Pillow: `YX`, `YXS` (interleaved RGB), `SYX` (planar RGB),
/// `ZYX` (a stack of pages), ImageJ hyperstacks in ImageJ's page order `TZCYX` (absent axes left out).
public struct RasterImage: Sendable, Equatable {
    /// The pixels.
    public var array: AnyNDArray
    /// One letter per axis of ``array``, from `TZCYXS`, no letter twice.
    public var axes: String
    /// Physical pixel sizes, when the file says (ImageJ description, TIFF resolution tags).
    public var pixelSize: PixelSize?

    /// An image from an array and its axes.
    ///
    /// - Parameters:
    ///   - array: the pixels.
    ///   - axes: one letter per axis; `nil` picks ``defaultAxes(shape:dataType:)``.
    ///   - pixelSize: physical sizes, if known.
    /// - Throws: ``RasterIOError`` `.invalidArgument` when the axes do not match the array's rank,
    ///   repeat a letter, use one outside `TZCYXS`, or lack `Y` and `X`.
    public init(array: AnyNDArray, axes: String? = nil, pixelSize: PixelSize? = nil) throws {
        let axes = axes ?? Self.defaultAxes(shape: array.shape, dataType: array.dataType)
        try Self.validate(axes: axes, shape: array.shape)
        self.array = array
        self.axes = axes
        self.pixelSize = pixelSize
    }

    /// An image whose axes are already known to be valid (the readers use this).
    init(checked array: AnyNDArray, axes: String, pixelSize: PixelSize?) {
        self.array = array
        self.axes = axes
        self.pixelSize = pixelSize
    }

    /// The shape of ``array``.
    public var shape: [Int] { array.shape }

    /// The extent of the axis with the given letter, or `nil` when there is no such axis.
    public func extent(of axis: Character) -> Int? {
        guard let index = axes.firstIndex(of: axis) else { return nil }
        return array.shape[axes.distance(from: axes.startIndex, to: index)]
    }

    /// The axes a bare array most likely has: `X`, `YX`, `YXS` (rank 3 or 4 whose last extent is
    /// 3 or 4 and whose type is `uint8`/`uint16`, as tifffile guesses RGB), otherwise the trailing
    /// letters of ImageJ's order `TZCYX` for ranks 2, 4, 5 (`YX`, `ZCYX`, `TZCYX`) and `ZYX` for rank 3.
    /// Ranks above 5 get no guess (`""`).
    public static func defaultAxes(shape: [Int], dataType: DataType) -> String {
        let rank = shape.count
        if rank >= 3, rank <= 4, let last = shape.last, last == 3 || last == 4,
           dataType == .uint8 || dataType == .uint16 {
            return String("ZYXS".suffix(rank))
        }
        switch rank {
        case 3: return "ZYX"
        case 0...5: return String("TZCYX".suffix(rank))
        default: return ""
        }
    }

    /// Checks that `axes` names every axis of `shape` once, with letters from `TZCYXS` and both `Y` and `X`.
    /// - Throws: ``RasterIOError`` `.invalidArgument` naming the problem.
    public static func validate(axes: String, shape: [Int]) throws {
        guard axes.count == shape.count else {
            throw RasterIOError(.invalidArgument, "axes '\(axes)' name \(axes.count) axes but the array has \(shape.count) (shape \(shape)); give one letter per axis", shape: shape)
        }
        guard Set(axes).count == axes.count, axes.allSatisfy({ "TZCYXS".contains($0) }) else {
            throw RasterIOError(.invalidArgument, "axes '\(axes)' must use each of the letters T, Z, C, Y, X, S at most once", shape: shape)
        }
        guard axes.contains("Y"), axes.contains("X") else {
            throw RasterIOError(.invalidArgument, "axes '\(axes)' must include Y and X", shape: shape)
        }
    }
}

/// The physical size of a pixel (and of a z step and a time step), as the file declares it.
public struct PixelSize: Sendable, Hashable, Codable {
    /// Width of a pixel, in ``unit``.
    public var x: Double?
    /// Height of a pixel, in ``unit``.
    public var y: Double?
    /// Distance between z slices, in ``unit`` (ImageJ `spacing`).
    public var z: Double?
    /// The spatial unit of x as written in the file, e.g. `micron`, `um`, `µm`, `centimeter`, `inch`;
    /// also that of y and z unless ``yUnit`` or ``zUnit`` say otherwise.
    public var unit: String?
    /// The unit of ``y`` when the file gives one of its own (OME-XML `PhysicalSizeYUnit`).
    public var yUnit: String?
    /// The unit of ``z`` when the file gives one of its own (OME-XML `PhysicalSizeZUnit`).
    public var zUnit: String?
    /// Time between frames (ImageJ `finterval`), in ``timeUnit``.
    public var timeInterval: Double?
    /// The time unit (ImageJ `tunit`), e.g. `sec`.
    public var timeUnit: String?

    /// A pixel size; every field defaults to unknown.
    public init(x: Double? = nil, y: Double? = nil, z: Double? = nil, unit: String? = nil, yUnit: String? = nil, zUnit: String? = nil,
                timeInterval: Double? = nil, timeUnit: String? = nil) {
        self.x = x
        self.y = y
        self.z = z
        self.unit = unit
        self.yUnit = yUnit
        self.zUnit = zUnit
        self.timeInterval = timeInterval
        self.timeUnit = timeUnit
    }

    /// Whether nothing is known.
    public var isEmpty: Bool { x == nil && y == nil && z == nil && unit == nil && yUnit == nil && zUnit == nil && timeInterval == nil && timeUnit == nil }
}
