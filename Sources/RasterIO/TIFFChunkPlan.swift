/// Where the strips or tiles of one TIFF page go in a dense page buffer.
///
/// The page buffer is `[planes][height][width][pixelBytes]` in row-major order: one plane for
/// interleaved samples (`PlanarConfiguration` 1), one per sample for planar pages (2). Strips are
/// tiles as wide as the image. Built only through ``init(width:height:planes:pixelBytes:tiled:chunkWidth:chunkHeight:differencing:)``,
/// which checks every product for overflow, so the computed sizes below cannot overflow.
struct TIFFChunkPlan: Sendable, Hashable {
    let width: Int
    let height: Int
    let planes: Int
    let pixelBytes: Int
    let tiled: Bool
    let chunkWidth: Int
    let chunkHeight: Int
    /// Bytes of the whole page.
    let pageBytes: Int
    /// Bytes of one full strip or tile as libtiff decodes it.
    let fullChunkBytes: Int
    /// The horizontal differencing RasterIO undoes after libtiff decodes each strip or tile
    /// (`Predictor` 2 on a page being read); `nil` when there is none to undo.
    let differencing: TIFFHorizontalDifferencing?

    /// A plan, or `nil` when a size overflows `Int` or an extent is not positive.
    init?(width: Int, height: Int, planes: Int, pixelBytes: Int, tiled: Bool, chunkWidth: Int, chunkHeight: Int,
          differencing: TIFFHorizontalDifferencing? = nil) {
        guard width > 0, height > 0, planes > 0, pixelBytes > 0, chunkWidth > 0, chunkHeight > 0 else { return nil }
        func product(_ values: [Int]) -> Int? {
            var result = 1
            for v in values {
                let (p, overflow) = result.multipliedReportingOverflow(by: v)
                if overflow { return nil }
                result = p
            }
            return result
        }
        let rows = tiled ? chunkHeight : Swift.min(chunkHeight, height)
        let columns = tiled ? chunkWidth : width
        guard let page = product([width, height, planes, pixelBytes]),
              let chunk = product([columns, rows, pixelBytes]),
              product([(width + columns - 1) / columns, (height + rows - 1) / rows, planes]) != nil
        else { return nil }
        self.width = width
        self.height = height
        self.planes = planes
        self.pixelBytes = pixelBytes
        self.tiled = tiled
        self.chunkWidth = columns
        self.chunkHeight = rows
        self.pageBytes = page
        self.fullChunkBytes = chunk
        self.differencing = differencing
    }

    /// Chunks side by side in one row of chunks (1 for strips).
    var chunksAcross: Int { (width + chunkWidth - 1) / chunkWidth }
    /// Rows of chunks.
    var chunksDown: Int { (height + chunkHeight - 1) / chunkHeight }
    /// Chunks per plane.
    var chunksPerPlane: Int { chunksAcross * chunksDown }
    /// Chunks of the page.
    var chunkCount: Int { chunksPerPlane * planes }
    /// Bytes of one image row in one plane.
    var rowBytes: Int { width * pixelBytes }
    /// Bytes of one plane.
    var planeBytes: Int { height * rowBytes }

    /// Bytes of one full row of chunks (a strip, or a row of tiles across the image).
    var bandBytes: Int { chunkHeight * rowBytes }

    /// The page bytes that chunks `chunks` fill, for whole rows of chunks
    /// (`chunks` starts and ends at multiples of ``chunksAcross``): one contiguous range.
    func byteRange(ofChunks chunks: Range<Int>) -> Range<Int> {
        precondition(!chunks.isEmpty && chunks.lowerBound % chunksAcross == 0 && chunks.upperBound % chunksAcross == 0, "not whole rows of chunks")
        let first = placement(ofChunk: chunks.lowerBound), last = placement(ofChunk: chunks.upperBound - 1)
        return (first.plane * planeBytes + first.y * rowBytes)..<(last.plane * planeBytes + (last.y + last.rows) * rowBytes)
    }

    /// The plane, first row, first column, rows and columns of chunk `index` inside the page.
    func placement(ofChunk index: Int) -> (plane: Int, y: Int, x: Int, rows: Int, columns: Int) {
        let plane = index / chunksPerPlane
        let within = index % chunksPerPlane
        let y = (within / chunksAcross) * chunkHeight
        let x = (within % chunksAcross) * chunkWidth
        return (plane, y, x, Swift.min(chunkHeight, height - y), Swift.min(chunkWidth, width - x))
    }

    /// Bytes libtiff decodes for chunk `index`: a full tile, or the rows a strip really has.
    func decodedBytes(ofChunk index: Int) -> Int {
        tiled ? fullChunkBytes : placement(ofChunk: index).rows * rowBytes
    }
}
