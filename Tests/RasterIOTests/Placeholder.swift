import Testing
@testable import RasterIO
