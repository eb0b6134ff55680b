// Shared by the fuzz entry points of binary codecs; compiled into each by Scripts/fuzz.
import Primitives

/// Whatever `decode` accepts must encode to bytes that decode to the same value, and encode the
/// same way a second time; where the encoding is `canonical`, to the very bytes it came from.
/// Otherwise this traps, which the fuzzer reports as a crash.
func checkRoundTrip<Value: Equatable>(_ payload: [UInt8], canonical: Bool = false,
                                      decode: ([UInt8]) throws(BinaryDecodingError) -> Value,
                                      encode: (Value) -> [UInt8]) {
    let value: Value
    do {
        value = try decode(payload)
    } catch {
        return
    }
    let encoded = encode(value)
    precondition(!canonical || encoded == payload, "a decoded value encodes to other bytes than it came from")
    let again: Value
    do {
        again = try decode(encoded)
    } catch {
        preconditionFailure("a decoded value does not decode after encoding: \(error)")
    }
    precondition(again == value, "a value changed in a round trip")
    precondition(encode(again) == encoded, "a value encodes two ways")
}
