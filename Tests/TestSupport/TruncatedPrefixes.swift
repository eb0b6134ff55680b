import Primitives
import Testing

/// Expects `decode` to refuse every proper prefix of `bytes`, the encoding of one value, as truncated.
public func expectEveryShorterPrefixTruncated<Value>(_ bytes: [UInt8], _ decode: ([UInt8]) throws(BinaryDecodingError) -> Value,
                                              sourceLocation: SourceLocation = #_sourceLocation) {
    guard !bytes.isEmpty else {
        Issue.record("no encoding to cut: every prefix check would pass unrun", sourceLocation: sourceLocation)
        return
    }
    for length in 0..<bytes.count {
        do {
            _ = try decode(Array(bytes.prefix(length)))
            Issue.record("the first \(length) of \(bytes.count) bytes decoded", sourceLocation: sourceLocation)
        } catch {
            guard case .truncated = error else {
                Issue.record("the first \(length) of \(bytes.count) bytes: \(error), not truncated", sourceLocation: sourceLocation)
                continue
            }
        }
    }
}
