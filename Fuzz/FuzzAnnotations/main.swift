// libFuzzer target for the annotation readers (placeholder; filled in below).
import Annotations

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    return 0
}
