import Testing
@testable import MIFACore
