import CPNG
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MIFACore

// The one file of RasterIO that calls libpng.
//
// libpng reports errors by calling an error function that must not return; its default longjmps,
// which Swift cannot catch (a longjmp across Swift frames is undefined behaviour). The simplified
// png_image API catches its own longjmps but cannot keep 16-bit RGBA exact (it premultiplies alpha)
// and converts gamma. So RasterIO uses the low-level API on a dedicated POSIX thread that touches
// only C memory: the error function records libpng's message and ends that thread with
// pthread_exit, the caller joins it and throws. Nothing on the worker's stack owns Swift
// references, so ending it early leaks nothing but what png_destroy_*_struct frees afterwards.

/// A libpng failure: its message.
struct LibPNGFailure: Error {
    var message: String
}

/// The state a libpng worker thread shares with its caller; plain C memory only.
private struct PNGJob {
    var input: UnsafePointer<UInt8>?
    var inputCount = 0
    var inputPosition = 0
    var rows: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?
    var width: UInt32 = 0
    var height: UInt32 = 0
    var bitDepth: Int32 = 8
    var colorType: Int32 = 0
    var rowBytes = 0
    var level: Int32 = 6
    var output: UnsafeMutableRawPointer?
    var outputCount = 0
    var outputCapacity = 0
    var png: OpaquePointer?
    var info: OpaquePointer?
    var completed = false
    var message: UnsafeMutablePointer<CChar>

    static let messageCapacity = 256
}

enum LibPNG {
    /// Decodes a PNG whose chunks the caller has checked into `array`, which holds
    /// `height × width × channels` samples: sub-byte samples unpacked to one per byte (not
    /// rescaled), palette indices as they are, 16-bit samples in native byte order, no gamma or
    /// transparency transformation.
    /// - Throws: ``LibPNGFailure`` with libpng's message.
    static func decode<E: NDArrayElement>(_ bytes: [UInt8], width: Int, height: Int, rowBytes: Int, into array: inout NDArray<E>) throws {
        precondition(array.count * MemoryLayout<E>.stride == height * rowBytes, "destination does not match the image")
        try bytes.withUnsafeBufferPointer { input in
            try array.withUnsafeMutableBytes { pixels in
                let rows = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: height)
                defer { rows.deallocate() }
                let base = pixels.baseAddress!.assumingMemoryBound(to: UInt8.self)
                for row in 0..<height { rows[row] = base + row * rowBytes }
                try withJob { job in
                    job.pointee.input = input.baseAddress
                    job.pointee.inputCount = input.count
                    job.pointee.rows = rows
                    job.pointee.width = UInt32(width)
                    job.pointee.height = UInt32(height)
                    job.pointee.rowBytes = rowBytes
                    try run(job) { raw in
                        if let raw { LibPNG.decodeOnWorker(raw.assumingMemoryBound(to: PNGJob.self)) }
                        return nil
                    }
                    var png = job.pointee.png, info = job.pointee.info
                    if png != nil { png_destroy_read_struct(&png, &info, nil) }
                }
            }
        }
    }

    /// Encodes `pixels` (`height × width × channels` samples of `bitDepth` 8 or 16 bits, native
    /// byte order, row-major) as a non-interlaced PNG.
    /// - Throws: ``LibPNGFailure`` with libpng's message.
    static func encode(_ pixels: UnsafeRawBufferPointer, width: Int, height: Int, channels: Int, bitDepth: Int, level: Int) throws -> [UInt8] {
        let rowBytes = width * channels * bitDepth / 8
        precondition(pixels.count == height * rowBytes, "pixels do not match the image")
        let rows = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: height)
        defer { rows.deallocate() }
        // libpng copies each row before transforming it; it never writes to these.
        let base = UnsafeMutablePointer(mutating: pixels.baseAddress!.assumingMemoryBound(to: UInt8.self))
        for row in 0..<height { rows[row] = base + row * rowBytes }
        return try withJob { job in
            job.pointee.rows = rows
            job.pointee.width = UInt32(width)
            job.pointee.height = UInt32(height)
            job.pointee.bitDepth = Int32(bitDepth)
            job.pointee.colorType = [1: 0, 2: 4, 3: 2, 4: 6][channels] ?? 0
            job.pointee.level = Int32(Swift.max(0, Swift.min(9, level)))
            defer { free(job.pointee.output) }
            try run(job) { raw in
                if let raw { LibPNG.encodeOnWorker(raw.assumingMemoryBound(to: PNGJob.self)) }
                return nil
            }
            var png = job.pointee.png, info = job.pointee.info
            if png != nil { png_destroy_write_struct(&png, &info) }
            guard let output = job.pointee.output else { return [] }
            return Array(UnsafeRawBufferPointer(start: output, count: job.pointee.outputCount))
        }
    }

    private static func withJob<R>(_ body: (UnsafeMutablePointer<PNGJob>) throws -> R) rethrows -> R {
        let message = UnsafeMutablePointer<CChar>.allocate(capacity: PNGJob.messageCapacity)
        message.initialize(repeating: 0, count: PNGJob.messageCapacity)
        let job = UnsafeMutablePointer<PNGJob>.allocate(capacity: 1)
        job.initialize(to: PNGJob(message: message))
        defer {
            job.deinitialize(count: 1)
            job.deallocate()
            message.deallocate()
        }
        return try body(job)
    }

    /// Runs `body` on a new thread with `job` and waits for it; throws the recorded message when
    /// the thread did not complete.
    private static func run(_ job: UnsafeMutablePointer<PNGJob>, _ body: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?) throws {
        var thread = pthread_t()
        guard pthread_create(&thread, nil, body, UnsafeMutableRawPointer(job)) == 0 else {
            throw LibPNGFailure(message: "cannot start a thread for libpng: \(String(cString: strerror(errno)))")
        }
        pthread_join(thread, nil)
        guard job.pointee.completed else {
            let text = String(cString: job.pointee.message)
            throw LibPNGFailure(message: text.isEmpty ? "libpng stopped without a message" : text)
        }
    }

    // MARK: Worker side: C memory only, may end at any libpng call.

    private static let onError: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Void = { png, message in
        if let job = png_get_error_ptr(png)?.assumingMemoryBound(to: PNGJob.self) {
            if let message {
                strncpy(job.pointee.message, message, PNGJob.messageCapacity - 1)
            } else {
                strncpy(job.pointee.message, "unknown libpng error", PNGJob.messageCapacity - 1)
            }
        }
        pthread_exit(nil)
    }

    private static let onWarning: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Void = { _, _ in }

    private static func decodeOnWorker(_ job: UnsafeMutablePointer<PNGJob>) {
        guard let png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job, onError, onWarning) else {
            strncpy(job.pointee.message, "libpng cannot create a reader", PNGJob.messageCapacity - 1)
            return
        }
        job.pointee.png = png
        guard let info = png_create_info_struct(png) else { return }
        job.pointee.info = info
        png_set_read_fn(png, job, { png, data, length in
            guard let job = png_get_io_ptr(png)?.assumingMemoryBound(to: PNGJob.self), let data, let input = job.pointee.input else {
                png_error(png, "no input")
            }
            guard length <= job.pointee.inputCount - job.pointee.inputPosition else {
                png_error(png, "the file ends in the middle of a chunk")
            }
            memcpy(data, input + job.pointee.inputPosition, length)
            job.pointee.inputPosition += length
        })
        png_set_user_limits(png, 0x7fff_ffff, 0x7fff_ffff)
        png_read_info(png, info)
        guard png_get_image_width(png, info) == job.pointee.width, png_get_image_height(png, info) == job.pointee.height else {
            png_error(png, "the image header changed between reads")
        }
        let depth = png_get_bit_depth(png, info)
        if depth < 8 { png_set_packing(png) }
        if depth == 16, Endianness.native == .little { png_set_swap(png) }
        _ = png_set_interlace_handling(png)
        png_read_update_info(png, info)
        guard png_get_rowbytes(png, info) == job.pointee.rowBytes else {
            png_error(png, "libpng's row size differs from the expected one")
        }
        png_read_image(png, job.pointee.rows)
        job.pointee.completed = true
    }

    private static func encodeOnWorker(_ job: UnsafeMutablePointer<PNGJob>) {
        guard let png = png_create_write_struct(PNG_LIBPNG_VER_STRING, job, onError, onWarning) else {
            strncpy(job.pointee.message, "libpng cannot create a writer", PNGJob.messageCapacity - 1)
            return
        }
        job.pointee.png = png
        guard let info = png_create_info_struct(png) else { return }
        job.pointee.info = info
        png_set_write_fn(png, job, { png, data, length in
            guard let job = png_get_io_ptr(png)?.assumingMemoryBound(to: PNGJob.self), let data else { png_error(png, "no output") }
            let needed = job.pointee.outputCount + length
            if needed > job.pointee.outputCapacity {
                let capacity = Swift.max(needed, job.pointee.outputCapacity * 2, 4096)
                guard let grown = realloc(job.pointee.output, capacity) else { png_error(png, "out of memory") }
                job.pointee.output = grown
                job.pointee.outputCapacity = capacity
            }
            memcpy(job.pointee.output! + job.pointee.outputCount, data, length)
            job.pointee.outputCount = needed
        }, { _ in })
        png_set_IHDR(png, info, job.pointee.width, job.pointee.height, job.pointee.bitDepth, job.pointee.colorType, 0, 0, 0)
        png_set_compression_level(png, job.pointee.level)
        png_write_info(png, info)
        if job.pointee.bitDepth == 16, Endianness.native == .little { png_set_swap(png) }
        png_write_image(png, job.pointee.rows)
        png_write_end(png, nil)
        job.pointee.completed = true
    }
}
