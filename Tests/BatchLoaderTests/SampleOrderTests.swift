@testable import BatchLoader
import Testing

@Suite struct SampleOrderTests {
    @Test(arguments: [0, 1, 2, 3, 7, 64, 100, 1000, 4097])
    func permutationIsABijection(count: Int) {
        let permutation = SamplePermutation(count: count, key: 42)
        let values = (0..<count).map { permutation[$0] }
        #expect(Set(values) == Set(0..<count))
    }

    @Test func permutationDependsOnKeyAndIsPure() {
        let a = SamplePermutation(count: 1000, key: 1), b = SamplePermutation(count: 1000, key: 2)
        #expect((0..<1000).map { a[$0] } != (0..<1000).map { b[$0] })
        #expect((0..<1000).map { a[$0] } == (0..<1000).map { SamplePermutation(count: 1000, key: 1)[$0] })
        #expect((0..<1000).filter { a[$0] == $0 }.count < 20)
    }

    @Test(arguments: [(10, 3), (12, 4), (1, 4), (101, 8), (100, 1)])
    func shardsAreDisjointEqualAndCover(count: Int, world: Int) throws {
        for epoch in 0..<3 {
            let orders = try (0..<world).map { try SampleOrder(count: count, seed: 9, epoch: epoch, rank: $0, worldSize: world) }
            let sizes = Set(orders.map(\.shardCount))
            #expect(sizes == [(count + world - 1) / world])
            // Disjoint as positions of the padded global order, covering every sample.
            var positions = Set<Int>()
            var samples = Set<Int>()
            for order in orders {
                for p in 0..<order.shardCount {
                    #expect(positions.insert(p * world + order.rank).inserted)
                    samples.insert(order[p])
                }
            }
            #expect(samples == Set(0..<count))
            // Without padding (count divisible) the sample sets themselves are disjoint.
            if count % world == 0 {
                let all = orders.flatMap { o in (0..<o.shardCount).map { o[$0] } }
                #expect(all.count == Set(all).count)
            }
        }
    }

    @Test func epochsDifferAndBlocksKeepNeighbours() throws {
        let e0 = try SampleOrder(count: 100, seed: 3, epoch: 0), e1 = try SampleOrder(count: 100, seed: 3, epoch: 1)
        #expect((0..<100).map { e0[$0] } != (0..<100).map { e1[$0] })
        let blocked = try SampleOrder(count: 103, seed: 3, epoch: 0, blockSize: 10)
        let values = (0..<103).map { blocked[$0] }
        #expect(Set(values) == Set(0..<103))
        for start in stride(from: 0, to: 100, by: 10) {
            let block = values[start..<(start + 10)]
            #expect(block.first! % 10 == 0 && zip(block, block.dropFirst()).allSatisfy { $1 == $0 + 1 })
        }
    }

    @Test func environmentGivesRankAndWorldSize() throws {
        #expect(try SampleOrder.distributed(from: ["RANK": "2", "WORLD_SIZE": "4"]) == (2, 4))
        #expect(try SampleOrder.distributed(from: [:]) == (0, 1))
        #expect(throws: BatchLoaderError.self) { try SampleOrder.distributed(from: ["RANK": "x"]) }
    }

    @Test func sampleRandomIsPerSample() {
        var a = SampleRandom(seed: 1, epoch: 0, index: 5), b = SampleRandom(seed: 1, epoch: 0, index: 5)
        var c = SampleRandom(seed: 1, epoch: 0, index: 6)
        let x = (0..<4).map { _ in a.next() }
        #expect(x == (0..<4).map { _ in b.next() })
        #expect(x != (0..<4).map { _ in c.next() })
    }
}
