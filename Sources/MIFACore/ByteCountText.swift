import Foundation

/// A byte count for people: `"8.0 GiB (8589934592 bytes)"`, or `"512 bytes"` below one KiB.
///
/// The one formatter of sizes in messages (audit reports, memory limits), so every message says
/// sizes the same way.
public func byteCountText(_ bytes: Int) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = Double(bytes)
    var unit = 0
    while abs(value) >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) bytes" : "\(String(format: "%.1f", value)) \(units[unit]) (\(bytes) bytes)"
}
