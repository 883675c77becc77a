/// The 4-connected components of a label image's runs: runs of one label in neighbouring rows
/// whose columns overlap belong together; touching only at a corner does not connect.
struct RunComponents: Sendable {
    /// The component of each run, numbered from 0 in the order of each component's first run
    /// (its top row, leftmost run first).
    var component: [Int32]
    /// Number of components.
    var count: Int

    /// Labels the components of `runs` with a union-find over overlapping runs.
    init(_ runs: RowRuns) {
        var parent = [Int32](repeating: 0, count: runs.count)
        for index in parent.indices { parent[index] = Int32(index) }
        func find(_ start: Int32) -> Int32 {
            var node = start
            while parent[Int(node)] != node {
                let grand = parent[Int(parent[Int(node)])]
                parent[Int(node)] = grand
                node = grand
            }
            return node
        }
        if runs.height > 1 {
            for y in 1..<runs.height {
                let above = runs.runs(inRow: y - 1), below = runs.runs(inRow: y)
                var i = above.lowerBound, j = below.lowerBound
                while i < above.upperBound && j < below.upperBound {
                    if runs.x0[i] < runs.x1[j] && runs.x0[j] < runs.x1[i] && runs.label[i] == runs.label[j] {
                        let a = find(Int32(i)), b = find(Int32(j))
                        if a != b {
                            // Keep the earlier run as the root so roots are first runs.
                            if a < b { parent[Int(b)] = a } else { parent[Int(a)] = b }
                        }
                    }
                    if runs.x1[i] < runs.x1[j] { i += 1 } else { j += 1 }
                }
            }
        }
        var number = [Int32](repeating: -1, count: runs.count)
        var component = [Int32](repeating: 0, count: runs.count)
        var next: Int32 = 0
        for index in 0..<runs.count {
            let root = Int(find(Int32(index)))
            if number[root] < 0 {
                number[root] = next
                next += 1
            }
            component[index] = number[root]
        }
        self.component = component
        self.count = Int(next)
    }
}
