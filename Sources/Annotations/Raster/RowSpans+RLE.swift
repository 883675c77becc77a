extension RLE {
    /// The COCO run-length encoding of a mask given as row spans, identical to pycocotools' `encode`
    /// of the same mask. Works column by column over the spans' columns only, so a small object in a
    /// huge image costs what the object costs.
    /// - Throws: ``AnnotationError`` `.invalidRLE` when the mask is too large for COCO's 32-bit counts.
    public init(spans: RowSpans) throws {
        try RLE.checkSize(height: spans.height, width: spans.width)
        let h = spans.height
        var counts: [UInt32] = []
        var lastEnd = 0
        var lastWasForeground = false
        func add(_ start: Int, _ end: Int) {
            if lastWasForeground && start == lastEnd {
                counts[counts.count - 1] += UInt32(end - start)
            } else {
                counts.append(UInt32(start - lastEnd))
                counts.append(UInt32(end - start))
            }
            lastEnd = end
            lastWasForeground = true
        }
        // Events sorted by column: a span adds its row at x0 and removes it at x1.
        var events: [(x: Int32, row: Int32, add: Bool)] = []
        events.reserveCapacity(spans.count * 2)
        for index in 0..<spans.count {
            events.append((spans.x0[index], spans.rows[index], true))
            events.append((spans.x1[index], spans.rows[index], false))
        }
        events.sort { $0.x != $1.x ? $0.x < $1.x : $0.row < $1.row }
        var active: [Int32] = []  // sorted rows
        var intervals: [(Int, Int)] = []
        var e = 0
        while e < events.count {
            let x = events[e].x
            while e < events.count && events[e].x == x {
                let event = events[e]
                var low = 0, high = active.count
                while low < high {
                    let mid = (low + high) / 2
                    if active[mid] < event.row { low = mid + 1 } else { high = mid }
                }
                if event.add { active.insert(event.row, at: low) } else if low < active.count && active[low] == event.row { active.remove(at: low) }
                e += 1
            }
            intervals.removeAll(keepingCapacity: true)
            for row in active {
                if let last = intervals.last, last.1 == Int(row) {
                    intervals[intervals.count - 1].1 += 1
                } else {
                    intervals.append((Int(row), Int(row) + 1))
                }
            }
            guard !intervals.isEmpty, e < events.count else { continue }
            let nextX = Int(events[e].x)
            for column in Int(x)..<min(nextX, spans.width) {
                let offset = column * h
                for interval in intervals { add(offset + interval.0, offset + interval.1) }
            }
        }
        let total = h * spans.width
        if total > lastEnd || counts.isEmpty { counts.append(UInt32(total - lastEnd)) }
        self.init(unchecked: h, width: spans.width, counts: counts)
    }

    /// The mask as row spans (the foreground pixels, row by row). Works column by column on the
    /// runs, touching only the rows whose state changes between neighbouring columns, so a large
    /// solid object costs its outline, not its area.
    public var spans: RowSpans {
        var open = [Int32](repeating: -1, count: height)  // column where each row's current span began
        var perRow = [[(Int32, Int32)]](repeating: [], count: height)
        var previous: [(Int, Int)] = []  // row intervals of the previous column
        var current: [(Int, Int)] = []
        var column = 0
        /// Rows in exactly one of the two interval lists, as ranges.
        func toggle(_ a: [(Int, Int)], _ b: [(Int, Int)], at x: Int32) {
            var events: [(Int, Int)] = []  // (row, +1/-1 coverage change of the symmetric difference)
            events.reserveCapacity(2 * (a.count + b.count))
            for (start, end) in a { events.append((start, 1)); events.append((end, -1)) }
            for (start, end) in b { events.append((start, 1)); events.append((end, -1)) }
            events.sort { $0.0 < $1.0 }
            var depth = 0
            var index = 0
            while index < events.count {
                let row = events[index].0
                while index < events.count && events[index].0 == row {
                    depth += events[index].1
                    index += 1
                }
                // Rows covered once (by one list only) change state between the columns.
                if depth == 1, index < events.count {
                    let next = events[index].0
                    for r in row..<next {
                        if open[r] < 0 {
                            open[r] = x
                        } else {
                            perRow[r].append((open[r], x))
                            open[r] = -1
                        }
                    }
                }
            }
        }
        func finishColumn(_ x: Int) {
            toggle(previous, current, at: Int32(x))
            swap(&previous, &current)
            current.removeAll(keepingCapacity: true)
        }
        forEachForegroundRun { start, length in
            var position = start
            let end = start + length
            while position < end {
                let x = position / height, row = position % height
                while column < x {
                    finishColumn(column)
                    column += 1
                }
                let stop = min(end, (x + 1) * height)
                current.append((row, row + stop - position))
                position = stop
            }
        }
        while column < width {
            finishColumn(column)
            column += 1
            if previous.isEmpty { break }
        }
        if !previous.isEmpty { toggle(previous, [], at: Int32(width)) }
        var result = RowSpans(height: height, width: width)
        for (row, spans) in perRow.enumerated() {
            for (a, b) in spans { result.append(row: Int32(row), a, b) }
        }
        return result
    }
}
