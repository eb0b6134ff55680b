/// A path template such as `/api/v1/environments/{name}`: literal segments must match exactly,
/// `{parameter}` segments match any one non-empty segment.
///
/// Matching is exact about slashes: `/a/` does not match `/a`, nor the reverse, so every
/// resource has one spelling. Paths are matched as given, which should be the already
/// percent-decoded `HTTPRequestHead.path` (decoding again would misread `%25`).
public struct RoutePattern: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let segments: [Segment]

    /// `pattern` starts with `/`; braces appear only around a whole segment, and parameter
    /// names are non-empty and unique. Patterns are program constants, so a bad one traps.
    public init(_ pattern: String) {
        precondition(pattern.hasPrefix("/"), "route pattern '\(pattern)' must start with '/'")
        segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            guard part.hasPrefix("{"), part.hasSuffix("}"), part.count > 2 else {
                precondition(
                    !part.contains("{") && !part.contains("}"),
                    "route pattern '\(pattern)' has a brace outside a whole '{name}' segment")
                return .literal(String(part))
            }
            let name = part.dropFirst().dropLast()
            precondition(
                !name.contains("{") && !name.contains("}"),
                "route pattern '\(pattern)' has a malformed parameter '\(part)'")
            return .parameter(String(name))
        }
        let names = segments.compactMap { segment -> String? in
            guard case let .parameter(name) = segment else { return nil }
            return name
        }
        precondition(Set(names).count == names.count, "route pattern '\(pattern)' repeats a parameter name")
    }

    /// The parameter values when `path` matches, else nil.
    public func match(_ path: String) -> [String: String]? {
        // Splitting at most segments.count times bounds the work on paths with many slashes;
        // any extra slashes end up in the last part, which then fails to match.
        let parts = path.split(separator: "/", maxSplits: segments.count, omittingEmptySubsequences: false)
        guard parts.count == segments.count + 1, parts[0].isEmpty else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts.dropFirst()) {
            switch segment {
            case let .literal(literal):
                guard part == literal else { return nil }
            case let .parameter(name):
                guard !part.isEmpty, !part.contains("/") else { return nil }
                parameters[name] = String(part)
            }
        }
        return parameters
    }
}
