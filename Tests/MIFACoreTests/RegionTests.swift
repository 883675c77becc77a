import Testing
@testable import MIFACore

@Suite struct RegionTests {
    @Test func basics() {
        let r = Region(origin: [2, 3], shape: [4, 5])
        #expect(r.ranges == [2..<6, 3..<8])
        #expect(r.elementCount == 20)
        #expect(r.description == "2:6,3:8")
        #expect(r.translated(by: [1, -1]).ranges == [3..<7, 2..<7])
        #expect(Region(shape: [3, 0]).isEmpty)
    }

    @Test func intersectionAndContainment() {
        let a = Region([0..<10, 0..<10])
        let b = Region([5..<15, 8..<9])
        #expect(a.intersection(b) == Region([5..<10, 8..<9]))
        #expect(a.intersection(Region([10..<12, 0..<1])) == nil)
        #expect(a.contains(Region([1..<2, 9..<10])))
        #expect(!a.contains(b))
        #expect(a.intersection(Region([0..<1])) == nil)
    }

    @Test func parsesNumpySlices() throws {
        let shape = [10, 512, 512]
        #expect(try Region(parsing: "0:10,0:512,0:512", shape: shape).ranges == [0..<10, 0..<512, 0..<512])
        #expect(try Region(parsing: "3,:,100:", shape: shape).ranges == [3..<4, 0..<512, 100..<512])
        #expect(try Region(parsing: "-2:,  :-12", shape: shape).ranges == [8..<10, 0..<500, 0..<512])
        #expect(try Region(parsing: "", shape: shape) == Region(shape: shape))
        for bad in ["0:11", "a:b", "5:3", "0:1,0:1,0:1,0:1", "-20:"] {
            #expect(throws: CoreError.self, "\(bad)") { try Region(parsing: bad, shape: shape) }
        }
    }
}
