public import MIFACore

/// numcodecs' `LZMA`: Python's `lzma` module's containers (`.xz` or the legacy `.lzma`).
///
/// ```json
/// {"name": "numcodecs.lzma", "configuration": {"format": 1, "check": -1, "preset": null, "filters": null}}
/// {"id": "lzma", "format": 1, "check": -1, "preset": null, "filters": null}   (v2 compressor)
/// ```
/// `format` is 0 (automatic, decoding only), 1 (`.xz`, the default) or 2 (`.lzma`); `check` is -1
/// (the container's default: CRC64 for `.xz`, none for `.lzma`), 0, 1, 4 or 10; `preset` is 0-9
/// (default 6), optionally with `lzma.PRESET_EXTREME`. Custom filter chains (`filters`, and format 3,
/// raw streams, which need them) are refused by name: write with a preset instead.
/// See https://numcodecs.readthedocs.io/en/stable/compression/lzma.html.
public struct LzmaCodec: BytesToBytesCodec {
    /// The container format (`lzma.FORMAT_*`).
    public let format: Int
    /// The integrity check (`lzma.CHECK_*`), -1 for the container's default.
    public let check: Int
    /// The compression preset, `nil` for liblzma's default (6).
    public let preset: Int?

    /// A codec with the given settings.
    /// - Throws: ``ZarrError`` `.invalidMetadata` for settings Python's `lzma` would refuse.
    public init(format: Int = 1, check: Int = -1, preset: Int? = nil) throws {
        (self.format, self.check, self.preset) = (format, check, preset)
        try validate(file: nil)
    }

    /// Reads `format`, `check`, `preset` and `filters`.
    /// - Throws: ``ZarrError`` `.invalidMetadata` for unknown values; `.unsupportedExtension` for a
    ///   custom filter chain or raw format.
    public init(_ configuration: CodecConfiguration) throws {
        if let filters = configuration["filters"], !filters.isNull {
            throw configuration.error("lzma with a custom filter chain ('filters') is not supported; write the array with a preset instead",
                                      member: "filters", kind: .unsupportedExtension)
        }
        format = try configuration.int("format", default: 1)
        check = try configuration.int("check", default: -1)
        let preset = try configuration.int("preset", default: -1)
        self.preset = preset == -1 ? nil : preset
        do {
            try validate(file: nil)
        } catch let error as ZarrError {
            throw configuration.error(error.message, kind: error.kind)
        }
    }

    private func validate(file: String?) throws {
        guard let container = LibLzma.Container(rawValue: format) else {
            let what = format == 3 ? "format 3 (raw) needs a custom filter chain, which is not supported" : "format \(format) is not one of 0 (auto), 1 (xz), 2 (alone)"
            throw ZarrError(format == 3 ? .unsupportedExtension : .invalidMetadata, "lzma \(what)")
        }
        let checks = container == .xz ? [-1, 0, 1, 4, 10] : [-1, 0]
        guard checks.contains(check) else {
            throw ZarrError(.invalidMetadata, "lzma check \(check) is not one of \(checks.map(String.init).joined(separator: ", ")) for format \(format)")
        }
        if let preset, !(0...9).contains(preset & ~LibLzma.extremeFlag) || preset < 0 {
            throw ZarrError(.invalidMetadata, "lzma preset \(preset) is not 0-9 (optionally with lzma.PRESET_EXTREME)")
        }
    }

    /// `numcodecs.lzma`.
    public var name: String { "numcodecs.lzma" }

    /// `{"format": ..., "check": ..., "preset": ..., "filters": null}`.
    public var configuration: JSONObject {
        ["format": .number(JSONNumber(format)), "check": .number(JSONNumber(check)),
         "preset": preset.map { .number(JSONNumber($0)) } ?? .null, "filters": .null]
    }

    /// Binds (nothing depends on the chunk).
    /// - Throws: nothing in this implementation; the protocol allows errors.
    public func bind(to decoded: ChunkRepresentation) throws -> any BoundBytesToBytesCodec {
        // `validate` accepted the format, so the container exists.
        Bound(container: LibLzma.Container(rawValue: format) ?? .xz, check: check, preset: preset ?? 6)
    }

    struct Bound: BoundBytesToBytesCodec {
        let container: LibLzma.Container
        let check: Int
        let preset: Int

        func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
            try decodeByCopying(input, into: output)
        }

        func decode(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
            try LibLzma.decompress(input, container: container, limit: limit)
        }

        func encode(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
            // -1 is "the container's default": CRC64 for .xz (LZMA_CHECK_CRC64 = 4); .lzma has none.
            try LibLzma.compress(input, container: container, preset: preset, check: check == -1 ? 4 : check)
        }
    }
}
