import Testing
@testable import MIFAModel
