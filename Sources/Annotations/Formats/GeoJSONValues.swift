import MIFACore

/// The MIFA annotation types GeoJSON has no geometry for, marked by the `mifa:type` property.
enum GeoJSONValues {
    /// The annotation value for a feature's geometry and `mifa:type`; removes the properties used.
    static func value(type: String?, geometry: Geometry?, properties: inout JSONObject, context: ErrorContext) throws -> AnnotationValue {
        func invalid(_ message: String) -> AnnotationError { AnnotationError(.malformed, message, context: context) }
        switch type {
        case nil, "geometry"?:
            guard let geometry else { return .classLabel }
            return .geometry(geometry)
        case "box"?, "rectangle"?:
            guard let box = geometry?.boundingBox else { throw invalid("a \(type!) feature needs a polygon geometry") }
            return type == "box" ? .box(box) : .geometry(.rectangle(box))
        case "ellipse"?:
            guard let object = properties[GeoJSONKeys.ellipse]?.objectValue,
                let center = object["center"]?.arrayValue?.compactMap({ $0.numberValue?.doubleValue }), center.count == 2,
                let radii = object["radii"]?.arrayValue?.compactMap({ $0.numberValue?.doubleValue }), radii.count == 2
            else { throw invalid("an ellipse feature needs \"\(GeoJSONKeys.ellipse)\": {\"center\": [x, y], \"radii\": [rx, ry], \"rotation\": radians}") }
            properties[GeoJSONKeys.ellipse] = nil
            let rotation = object["rotation"]?.numberValue?.doubleValue ?? 0
            return .geometry(.ellipse(Ellipse(center: Vertex(center[0], center[1]), radiusX: radii[0], radiusY: radii[1], rotation: rotation)))
        case "count"?:
            guard let count = properties[GeoJSONKeys.count]?.numberValue?.intValue else { throw invalid("a count feature needs a whole-number \"count\" property") }
            properties[GeoJSONKeys.count] = nil
            return .count(Count(count, region: geometry))
        case "derived"?:
            guard let name = properties["name"]?.stringValue, let value = properties["value"] else {
                throw invalid("a derived-value feature needs \"name\" and \"value\" properties")
            }
            let unit = properties["unit"]?.stringValue
            let method = properties["method"]?.stringValue
            for key in ["name", "value", "unit", "method"] { properties[key] = nil }
            return .derived(DerivedValue(name: name, value: value, unit: unit, method: method))
        case "graph"?:
            guard let object = properties[GeoJSONKeys.graph]?.objectValue,
                let nodes = object["nodes"]?.arrayValue, let edges = object["edges"]?.arrayValue
            else { throw invalid("a graph feature needs \"\(GeoJSONKeys.graph)\": {\"nodes\": [[id, x, y], ...], \"edges\": [[a, b], ...]}") }
            var graph = AnnotationGraph(nodes: [], edges: [], isDirected: object["directed"]?.boolValue ?? false)
            for node in nodes {
                guard let values = node.arrayValue?.compactMap({ $0.numberValue }), values.count >= 3, let id = values[0].int64Value,
                    let x = values[1].doubleValue, let y = values[2].doubleValue
                else { throw invalid("a graph node is [id, x, y] or [id, x, y, z]") }
                graph.nodes.append(AnnotationGraph.Node(id: id, position: Point(x: x, y: y, z: values.count > 3 ? values[3].doubleValue : nil)))
            }
            for edge in edges {
                guard let values = edge.arrayValue?.compactMap({ $0.numberValue?.int64Value }), values.count == 2 else { throw invalid("a graph edge is [from, to]") }
                graph.edges.append(AnnotationGraph.Edge(from: values[0], to: values[1]))
            }
            do { try graph.validate() } catch let error as AnnotationError { throw AnnotationError(error.kind, error.message, context: context) }
            properties[GeoJSONKeys.graph] = nil
            return .graph(graph)
        case "class"?:
            return .classLabel
        case let other?:
            throw invalid("unknown \"\(GeoJSONKeys.type)\": \"\(other)\"; expected box, rectangle, ellipse, count, derived, graph or class")
        }
    }
}
