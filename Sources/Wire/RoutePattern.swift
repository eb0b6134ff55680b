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
        match(RequestPath(path, segmentsMaximum: segments.count))
    }

    /// The parameter values when the already split `path` matches, else nil: a router splits a
    /// request's path once and tries every pattern on the parts.
    func match(_ path: RequestPath) -> [String: String]? {
        // A path split after more segments than the pattern's has too many parts; one split
        // after fewer keeps its extra slashes in the last part, which then fails to match.
        guard path.parts.count == segments.count + 1, path.parts[0].isEmpty else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, path.parts.dropFirst()) {
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

/// A request path split at its slashes once, for matching against many patterns. Splitting at
/// most `segmentsMaximum` times (the longest pattern's segment count) bounds the work on paths
/// with many slashes: any extra slashes stay in the last part.
struct RequestPath {
    let parts: [Substring]

    init(_ path: String, segmentsMaximum: Int) {
        parts = path.split(separator: "/", maxSplits: segmentsMaximum, omittingEmptySubsequences: false)
    }
}
