import Foundation
import MIFACore

/// The version string, NUL-terminated, allocated once and never freed (it lives as long as the
/// library). Safety: written once by the lazy global initialiser (which runs exactly once), only
/// read afterwards; hence `nonisolated(unsafe)`.
nonisolated(unsafe) private let versionText: UnsafeMutablePointer<CChar>? = strdup(MIFAKitVersion.string)

/// `mifa_version`: the library's version (`MIFAKitVersion.string`, what `mifa --version` prints).
@_cdecl("mifa_version")
public func mifa_version() -> UnsafePointer<CChar>? {
    UnsafePointer(versionText)
}

/// `mifa_string_free`: frees a string the library returned.
@_cdecl("mifa_string_free")
public func mifa_string_free(_ text: UnsafeMutablePointer<CChar>?) {
    free(text)
}

/// `mifa_last_error_status`: the status of the calling thread's last error (0: none yet).
@_cdecl("mifa_last_error_status")
public func mifa_last_error_status() -> Int32 {
    ABILastError.current?.status.rawValue ?? 0
}

/// `mifa_last_error_field`: one field of the calling thread's last error, or NULL.
@_cdecl("mifa_last_error_field")
public func mifa_last_error_field(_ field: Int32) -> UnsafePointer<CChar>? {
    guard let last = ABILastError.current else { return nil }
    let value: UnsafeMutablePointer<CChar>?
    switch field {
    case 0: value = last.code
    case 1: value = last.message
    case 2: value = last.layer
    case 3: value = last.file
    case 4: value = last.pointer
    case 5: value = last.key
    default: value = nil
    }
    return value.map { UnsafePointer($0) }
}

/// `mifa_live_handles`: how many packages, loaders and batches are open (for leak checks).
@_cdecl("mifa_live_handles")
public func mifa_live_handles(_ packages: UnsafeMutablePointer<Int64>?, _ loaders: UnsafeMutablePointer<Int64>?,
                              _ batches: UnsafeMutablePointer<Int64>?) -> Int32 {
    abiCall {
        try output(packages, "packages").pointee = Int64(HandleRegistry.shared.count(of: PackageHandle.self))
        try output(loaders, "loaders").pointee = Int64(HandleRegistry.shared.count(of: LoaderHandle.self))
        try output(batches, "batches").pointee = Int64(HandleRegistry.shared.count(of: BatchHandle.self))
    }
}
