import Wire

/// Which browser origins may call the API (CORS, Docs/ACCESS.md "Browsers"): exact
/// `https://host[:port]` origins from `--api-allowed-origin`, none by default. A request that
/// names no `Origin` (the CLI, curl, a server) is not a browser's cross-origin request and is
/// unaffected; one naming an origin not on the list is refused before anything else is checked.
public struct OriginPolicy: Sendable, Equatable {
    /// What the policy decided about one request.
    public enum Decision: Equatable, Sendable {
        /// No `Origin` field: no CORS at all.
        case noOrigin
        /// On the list: the answer carries `Access-Control-Allow-Origin` for it.
        case allowed(String)
        /// Refused 403 `origin_not_allowed` with this message.
        case refused(String)
    }

    /// The origins allowed, as browsers serialize them (lower case, no default port 443).
    public let allowed: Set<String>

    public static let allowedMethods = "GET, POST, PUT, DELETE"
    public static let allowedHeaders = "Authorization, Content-Type, Last-Event-ID"
    /// How long a browser may keep a preflight's answer (10 min).
    public static let preflightMaximumAgeSeconds = 600
    public static let originsMaximum = 64
    static let originBytesMaximum = 256

    /// A policy of origins already checked by `origin(_:)`.
    public init(allowed: Set<String> = []) {
        precondition(allowed.count <= Self.originsMaximum, "at most \(Self.originsMaximum) allowed origins")
        self.allowed = allowed
    }

    /// The origin `text` names, as a browser sends it, or why it is not an exact
    /// `https://host[:port]` origin (no path, query, user or wildcard).
    public static func origin(_ text: String) -> Result<String, OriginRejection> {
        let prefix = "https://"
        guard text.utf8.count <= originBytesMaximum, text.lowercased().hasPrefix(prefix) else {
            return .failure(OriginRejection(text: text, reason: "must be https://HOST or https://HOST:PORT"))
        }
        let authority = text.dropFirst(prefix.count).lowercased()
        var host = Substring(authority), port: Substring?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        }
        // A name or IPv4 address of letters, digits, '-' and '.', or an IPv6 address in brackets.
        let isNameByte: (UInt8) -> Bool = { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 }
        let isBracketed = host.hasPrefix("[") && host.hasSuffix("]") && host.count > 2
            && host.dropFirst().dropLast().utf8.allSatisfy { ($0 >= 97 && $0 <= 102) || ($0 >= 48 && $0 <= 58) || $0 == 46 }
        guard !host.isEmpty, isBracketed || host.utf8.allSatisfy(isNameByte) else {
            return .failure(OriginRejection(text: text, reason: "needs a host name or address and nothing after it"))
        }
        guard let port else { return .success(prefix + host) }
        guard let number = Int(port), (1...65_535).contains(number), port.utf8.first != 48 else {
            return .failure(OriginRejection(text: text, reason: "port must be 1 to 65535"))
        }
        return .success(number == 443 ? prefix + host : "\(prefix)\(host):\(number)")
    }

    /// Decides a request by its `Origin` fields.
    public func decide(originFields: [String]) -> Decision {
        guard let origin = originFields.first else { return .noOrigin }
        guard originFields.count == 1 else { return .refused("send exactly one Origin field") }
        guard allowed.contains(origin) else {
            return .refused("origin \(origin.utf8.count > Self.originBytesMaximum ? "(too long)" : "'\(origin)'") "
                + "is not allowed to call this API (--api-allowed-origin)")
        }
        return .allowed(origin)
    }

    /// The fields every answer to an allowed origin carries.
    public static func answerHeaders(origin: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Access-Control-Allow-Origin", value: origin)
        headers.add(name: "Vary", value: "Origin")
        return headers
    }

    /// The fields of a preflight's answer (`OPTIONS`, 204) to an allowed origin.
    public static func preflightHeaders(origin: String) -> HTTPHeaders {
        var headers = answerHeaders(origin: origin)
        headers.add(name: "Access-Control-Allow-Methods", value: allowedMethods)
        headers.add(name: "Access-Control-Allow-Headers", value: allowedHeaders)
        headers.add(name: "Access-Control-Max-Age", value: String(preflightMaximumAgeSeconds))
        return headers
    }
}

/// An `--api-allowed-origin` value that is not an exact `https://host[:port]` origin.
public struct OriginRejection: Error, Equatable, CustomStringConvertible {
    public let text: String
    public let reason: String

    public var description: String { "origin '\(text)' \(reason)" }
}
