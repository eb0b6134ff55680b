/// An address to dial as the operator wrote it: a numeric IPv4 or `[IPv6]` host, or a DNS name
/// (`c1.hotswap.svc:7000`, `localhost:7001`), and a port. A name stays a name: it is resolved
/// at each dial (`HostResolver` in `Transport`), so a member whose address changes (a rescheduled
/// pod) is reached at its new one, and replicated state keeps the text, not one resolution of it.
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    /// The host without brackets: a numeric address or a lower-cased DNS name.
    public let host: String
    public let port: UInt16
    /// The address itself when the host is numeric; nil for a name, which the dialer resolves.
    public let numeric: SocketAddress?

    /// RFC 1035's bounds: a name of at most 253 characters (a final dot is refused), labels of 1 to 63.
    public static let nameBytesMaximum = 253
    public static let labelBytesMaximum = 63

    /// Reads `HOST:PORT`; `flag` names where the text came from in the error (`--initial-cluster`).
    /// A numeric host may have port 0, as the numeric parser always allowed: a member that listens
    /// on an ephemeral port records `127.0.0.1:0` in its founding record, which must read back.
    public init(parsing text: String, flag: String) throws(HostPortError) {
        guard let colon = text.lastIndex(of: ":") else { throw HostPortError(flag: flag, text: text, reason: "no :PORT") }
        guard let port = UInt16(text[text.index(after: colon)...]) else {
            throw HostPortError(flag: flag, text: text, reason: "the port must be 1 to 65535")
        }
        var host = String(text[..<colon])
        let bracketed = host.hasPrefix("[") && host.hasSuffix("]") && host.count >= 2
        if bracketed { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw HostPortError(flag: flag, text: text, reason: "no host") }
        if NumericAddress.ipv4(host) != nil && !bracketed || NumericAddress.ipv6(host) != nil {
            do {
                numeric = try SocketAddress(host: host, port: port)
            } catch {
                throw HostPortError(flag: flag, text: text, reason: "\(error)")
            }
            self.host = host
        } else if bracketed {
            throw HostPortError(flag: flag, text: text, reason: "[\(host)] is not an IPv6 address")
        } else if let problem = Self.nameProblem(host) {
            throw HostPortError(flag: flag, text: text, reason: problem)
        } else if port == 0 {
            throw HostPortError(flag: flag, text: text, reason: "the port must be 1 to 65535")
        } else {
            numeric = nil
            self.host = host.lowercased()
        }
        self.port = port
    }

    /// `init(parsing:flag:)`, with the host `localhost` read as 127.0.0.1: the CLI's `--addr` and a
    /// coordinator's advertised addresses always meant that, not a name to resolve (often to ::1 first).
    public init(parsingLocalhostAsLoopback text: String, flag: String) throws(HostPortError) {
        let parsed = try HostPort(parsing: text, flag: flag)
        guard parsed.host == "localhost" else {
            self = parsed
            return
        }
        do {
            self.init(try SocketAddress(host: "127.0.0.1", port: parsed.port))
        } catch {
            throw HostPortError(flag: flag, text: text, reason: "\(error)")
        }
    }

    /// A numeric address as a host-port.
    public init(_ address: SocketAddress) {
        host = address.host
        port = address.port
        numeric = address
    }

    /// Whether the host is a name the dialer must resolve.
    public var isName: Bool { numeric == nil }

    /// As written (names lower-cased): `parse` reads it back. A numeric host reads as
    /// `SocketAddress` prints it, so text derived from it (a cluster's identity) is unchanged.
    public var description: String {
        if let numeric { return "\(numeric)" }
        return "\(host):\(port)"
    }

    /// Why `host` is no RFC 1123 host name, or nil: labels of letters, digits and inner hyphens,
    /// and a last label that is not all digits (that would be a mistyped IPv4 address).
    static func nameProblem(_ host: String) -> String? {
        // A fully qualified `a.b.` would not pass the TLS name check (certificates name `a.b`) and
        // would be another member than `a.b` in duplicate checks and cluster identities.
        guard !host.hasSuffix(".") else { return "a host name may not end in '.'" }
        guard !host.isEmpty, host.utf8.count <= nameBytesMaximum else {
            return "a host name has 1 to \(nameBytesMaximum) characters"
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard (1...labelBytesMaximum).contains(label.utf8.count) else {
                return "'\(label)' is not a DNS label of 1 to \(labelBytesMaximum) characters"
            }
            guard label.utf8.allSatisfy(isLabelByte), label.first != "-", label.last != "-" else {
                return "'\(label)' is not a DNS label (letters, digits and inner hyphens)"
            }
        }
        if let last = labels.last, last.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            return "\(host) is neither an IPv4 address nor a host name"
        }
        return nil
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"): true
        default: false
        }
    }
}

/// Text that is not `HOST:PORT` with a numeric host or a host name, and the flag it came from.
public struct HostPortError: Error, Equatable, Sendable, CustomStringConvertible {
    public let flag: String
    public let text: String
    public let reason: String

    public init(flag: String, text: String, reason: String) {
        self.flag = flag
        self.text = text
        self.reason = reason
    }

    public var description: String {
        "\(flag): '\(text)' is not HOST:PORT (a numeric IPv4, [IPv6] or a host name, and a port): \(reason)"
    }
}
