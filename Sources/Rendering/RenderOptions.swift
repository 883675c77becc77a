/// What one rendering shows: which plane, which channels and which layers.
public struct RenderOptions: Sendable, Hashable {
    /// The time point (ignored when the image has no `t` axis); `nil` for the default plane.
    public var t: Int?
    /// The z plane (ignored when the image has no `z` axis); `nil` for the default plane.
    public var z: Int?
    /// The channels drawn, by index on the `c` axis; `nil` for the active ones (see ``ImageRenderer/activeChannels``).
    public var channels: [Int]?
    /// Whether the image's pixels are drawn; without them the picture is transparent where no
    /// overlay is drawn (an overlay tile for a browser to stack on the image tile).
    public var showImage: Bool
    /// The label layers drawn, by name; `nil` for all of the renderer's.
    public var labels: [String]?
    /// The vector layers drawn, by name; `nil` for all of the renderer's.
    public var vectors: [String]?

    /// Options; by default the default plane, the active channels and every layer.
    public init(t: Int? = nil, z: Int? = nil, channels: [Int]? = nil, showImage: Bool = true, labels: [String]? = nil, vectors: [String]? = nil) {
        self.t = t
        self.z = z
        self.channels = channels
        self.showImage = showImage
        self.labels = labels
        self.vectors = vectors
    }
}

/// The square tiles a level is cut into, row by row from the top-left corner; the last row and
/// column are smaller when the level is not a multiple of the tile size.
public struct TileGrid: Sendable, Hashable {
    /// The level's height and width.
    public let height: Int, width: Int
    /// The side of a tile.
    public let tileSize: Int

    /// The grid of a `height` × `width` level with tiles of `tileSize` pixels.
    public init(height: Int, width: Int, tileSize: Int = 256) {
        self.height = max(0, height)
        self.width = max(0, width)
        self.tileSize = max(1, tileSize)
    }

    /// Number of tile rows.
    public var rows: Int { (height + tileSize - 1) / tileSize }
    /// Number of tile columns.
    public var columns: Int { (width + tileSize - 1) / tileSize }

    /// The rows and columns of level pixels that tile (`row`, `column`) covers.
    /// - Throws: ``RenderingError`` `.invalidRequest` for a tile outside the grid.
    public func tile(row: Int, column: Int) throws -> (y: Range<Int>, x: Range<Int>) {
        guard row >= 0, row < rows, column >= 0, column < columns else {
            throw RenderingError(.invalidRequest, "tile (\(row), \(column)) is outside the \(rows)×\(columns) grid of this \(height)×\(width) level (tiles of \(tileSize) pixels)")
        }
        return (row * tileSize..<min(height, (row + 1) * tileSize), column * tileSize..<min(width, (column + 1) * tileSize))
    }
}
