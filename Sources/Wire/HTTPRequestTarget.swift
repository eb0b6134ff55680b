/// Splits a request target into its decoded path and raw query.
enum HTTPRequestTarget {
    private static let absoluteFormSchemes = ["http://", "https://"]

    /// Accepts origin form (`/a/b?q`), absolute form (`http://host/a?q`, whose authority is
    /// dropped) and `*` for OPTIONS. The path is percent-decoded; see `PercentDecoding`.
    static func split(_ target: String, method: String) throws(HTTPParseError) -> (
        path: String, query: String?
    ) {
        let bytes = Array(target.utf8)
        if bytes == [UInt8(ascii: "*")] {
            guard method == "OPTIONS" else {
                throw .badRequest("the '*' request target is only allowed with OPTIONS")
            }
            return ("*", nil)
        }
        let pathAndQuery = try originFormPart(bytes[...])
        let questionMark = pathAndQuery.firstIndex(of: ASCII.questionMark) ?? pathAndQuery.endIndex
        let path = try PercentDecoding.decodePath(pathAndQuery[..<questionMark])
        guard questionMark < pathAndQuery.endIndex else { return (path, nil) }
        let query = pathAndQuery[(questionMark + 1)...]
        return (path, String(decoding: query, as: UTF8.self))
    }

    private static func originFormPart(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError)
        -> ArraySlice<UInt8>
    {
        if bytes.first == ASCII.slash { return bytes }
        guard let scheme = absoluteFormSchemes.first(where: { ASCII.hasPrefixIgnoringCase(bytes, $0) })
        else {
            throw .badRequest("request target must start with '/' or be an absolute http(s) URL")
        }
        let authorityStart = bytes.startIndex + scheme.utf8.count
        let authorityEnd =
            bytes[authorityStart...].firstIndex { $0 == ASCII.slash || $0 == ASCII.questionMark }
            ?? bytes.endIndex
        guard authorityEnd > authorityStart else {
            throw .badRequest("absolute request target has no host")
        }
        let rest = bytes[authorityEnd...]
        return rest.first == ASCII.slash ? rest : ArraySlice([ASCII.slash] + rest)
    }
}
