import COpenSSL
import Wire

/// One key for encrypting TLS session tickets: a 16-byte name that travels
/// in the clear at the front of every ticket, an AES-256-CBC key and an
/// HMAC-SHA256 key. Coordinators share these, so a ticket one issued resumes
/// on another. Printing a key shows only its name: key bytes are never logged.
public struct SessionTicketKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public static let nameLength = Int(HS_TICKET_KEY_NAME_LENGTH)
    public static let aesKeyLength = Int(HS_TICKET_AES_KEY_LENGTH)
    public static let hmacKeyLength = Int(HS_TICKET_HMAC_KEY_LENGTH)

    public let name: [UInt8]
    public let aesKey: [UInt8]
    public let hmacKey: [UInt8]

    /// Refuses parts of the wrong length.
    public init(name: [UInt8], aesKey: [UInt8], hmacKey: [UInt8]) throws(TransportError) {
        for (part, bytes, length) in [("name", name, Self.nameLength), ("AES key", aesKey, Self.aesKeyLength),
                                      ("HMAC key", hmacKey, Self.hmacKeyLength)] where bytes.count != length {
            throw .tls(operation: "session ticket key", detail: "the \(part) must be \(length) bytes, not \(bytes.count)")
        }
        self.name = name
        self.aesKey = aesKey
        self.hmacKey = hmacKey
    }

    /// A new key from OpenSSL's random generator.
    public static func generate() throws(TransportError) -> SessionTicketKey {
        var bytes = [UInt8](repeating: 0, count: nameLength + aesKeyLength + hmacKeyLength)
        guard RAND_bytes(&bytes, Int32(bytes.count)) == 1 else {
            throw .tls(operation: "RAND_bytes for a session ticket key", detail: OpenSSLErrors.drain())
        }
        defer { bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        let aesEnd = nameLength + aesKeyLength
        return try SessionTicketKey(name: Array(bytes[0..<nameLength]), aesKey: Array(bytes[nameLength..<aesEnd]),
                                    hmacKey: Array(bytes[aesEnd...]))
    }

    /// The name in lowercase hex; safe to log.
    public var nameHex: String { HexText.lowercase(name) }

    public var description: String { "SessionTicketKey(name: \(nameHex))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["name": nameHex]) }
}
