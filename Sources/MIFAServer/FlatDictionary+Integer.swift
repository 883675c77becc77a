import HummingbirdCore

extension FlatDictionary where Key == Substring, Value == Substring {
    /// The query value `name` as an integer, or nil when the query has none.
    /// - Throws: ``ServerError`` `.badRequest` when the value is there and not an integer.
    func integer(_ name: String) throws -> Int? {
        guard let text = self[Substring(name)] else { return nil }
        guard let value = Int(text) else { throw ServerError(.badRequest, "'\(name)' must be an integer, not '\(text)'") }
        return value
    }
}
