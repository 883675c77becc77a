import Foundation
import MIFACore

/// A fluorescence-like image of nuclei and its instance mask, the same for the same seed.
///
/// Nuclei are ellipses of varying size, orientation and brightness over a dim, noisy background,
/// so the pixels compress like real microscopy rather than like a smooth ramp.
struct SyntheticNuclei {
    /// The intensity image, `uint16`, shape `[height, width]`.
    var image: NDArray<UInt16>
    /// The instance mask: 0 background, 1...n one value per nucleus.
    var mask: NDArray<UInt16>
    /// Number of nuclei drawn.
    var count: Int

    init(height: Int, width: Int, nuclei: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var image = NDArray<UInt16>(shape: [height, width])
        var mask = NDArray<UInt16>(shape: [height, width])
        for y in 0..<height {
            for x in 0..<width {
                image[y, x] = 90 + UInt16(random.next() % 40)
            }
        }
        for label in 1...nuclei {
            let cy = Double(random.next() % UInt64(height))
            let cx = Double(random.next() % UInt64(width))
            let ry = 6 + Double(random.next() % 10)
            let rx = ry * (0.7 + Double(random.next() % 60) / 100)
            let angle = Double(random.next() % 314) / 100
            let brightness = 800 + Double(random.next() % 2400)
            let (sinA, cosA) = (sin(angle), cos(angle))
            let reach = Int(max(rx, ry)) + 1
            for y in max(0, Int(cy) - reach)..<min(height, Int(cy) + reach + 1) {
                for x in max(0, Int(cx) - reach)..<min(width, Int(cx) + reach + 1) {
                    let dy = Double(y) + 0.5 - cy
                    let dx = Double(x) + 0.5 - cx
                    let u = (dx * cosA + dy * sinA) / rx
                    let v = (-dx * sinA + dy * cosA) / ry
                    let r2 = u * u + v * v
                    guard r2 <= 1, mask[y, x] == 0 else { continue }
                    mask[y, x] = UInt16(label)
                    let texture = Double(random.next() % 300)
                    image[y, x] = UInt16(min(65535, brightness * (1 - 0.4 * r2) + texture))
                }
            }
        }
        self.image = image
        self.mask = mask
        self.count = nuclei
    }
}

/// SplitMix64: a tiny, fast generator whose stream depends only on its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
