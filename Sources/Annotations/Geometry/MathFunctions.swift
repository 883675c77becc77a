// The one file of the module that calls the C math library (DESIGN.md: C calls stay in one thin
// wrapper file per library).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sine of `x` radians (libm `sin`).
@inline(__always) func sine(_ x: Double) -> Double { sin(x) }

/// The cosine of `x` radians (libm `cos`).
@inline(__always) func cosine(_ x: Double) -> Double { cos(x) }
