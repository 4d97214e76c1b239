extension KeyedDecodingContainer {
    /// Like `decodeIfPresent`, except that only a missing key gives `nil`: a present `null` is decoded as a
    /// `T` and so fails unless `T` itself accepts null (`JSONValue`). Generated inputs use it for optional
    /// fields whose schema does not allow `null`, which fal rejects; `decodeIfPresent` would let it through.
    public func decodeIfKeyPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        return try decode(T.self, forKey: key)
    }
}
