public import MIFACore

extension ZarrError {
    /// The same error with the store location and key filled in where they were unknown.
    public func adding(file: String? = nil, key: String? = nil, pointer: String? = nil) -> ZarrError {
        var copy = self
        if copy.context.file == nil { copy.context.file = file }
        if copy.context.key == nil { copy.context.key = key }
        if copy.context.pointer == nil { copy.context.pointer = pointer }
        return copy
    }

    /// Runs `body` and adds the location and key to any ``ZarrError`` it throws; other errors are
    /// wrapped as `.storeFailure`, `.invalidMetadata` for ``CoreError`` `.invalidJSON` and the like.
    static func locating<R>(file: String?, key: String?, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as ZarrError {
            throw error.adding(file: file, key: key)
        } catch let error as CoreError {
            let kind: Code = error.kind == .invalidJSON ? .invalidMetadata : .invalidRegion
            var context = error.context
            if context.file == nil { context.file = file }
            if context.key == nil { context.key = key }
            throw ZarrError(kind, error.message, context: context, underlying: error)
        }
    }
}

extension ZarrError {
    /// The same error with `prefix: ` in front of its message.
    func withMessagePrefix(_ prefix: String) -> ZarrError {
        var copy = self
        copy.message = "\(prefix): \(message)"
        return copy
    }
}
