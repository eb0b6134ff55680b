import Wire

/// The manifest's JSON (Docs/MODULES.md, "The manifest"): a strict decoder that refuses
/// unknown, missing and mistyped fields one by one, and a canonical encoder (fixed member
/// order, two-space indentation) whose output decodes to the same manifest.
extension ModuleManifest {
    static let topFields = ["format", "name", "version", "start", "health", "port", "alternatePort", "resources"]
    static let invocationFields = ["command", "arguments", "environment"]

    /// The manifest `bytes` holds, checked (`validate`); at most `ManifestLimits.bytesMaximum` bytes.
    public static func decode(_ bytes: [UInt8]) throws(ManifestRefusal) -> ModuleManifest {
        guard bytes.count <= ManifestLimits.bytesMaximum else {
            throw ManifestRefusal("the manifest is \(bytes.count) bytes; at most \(ManifestLimits.bytesMaximum) are allowed")
        }
        let value: JSONValue
        do { value = try StrictJSON.parse(bytes) } catch { throw ManifestRefusal("the manifest is not valid JSON: \(error)") }
        let top = try ManifestObject(value, path: "", known: topFields, required: ["format", "name", "version", "start"])
        guard let format = try top.integer("format"), Int64(format) == formatVersion else {
            throw ManifestRefusal("format must be \(formatVersion), the only manifest format this version reads")
        }
        var manifest = ModuleManifest(name: try top.string("name") ?? "", version: try top.string("version") ?? "",
                                      start: try invocation(top.members["start"] ?? .null, path: "start"))
        if let health = top.members["health"] { manifest.health = try probe(health) }
        manifest.port = try top.integer("port")
        manifest.alternatePort = try top.integer("alternatePort")
        if let resources = top.members["resources"] {
            let object = try ManifestObject(resources, path: "resources", known: ["cpuMillicores", "memoryMegabytes"], required: [])
            manifest.resources = ResourceHints(cpuMillicores: try object.integer("cpuMillicores"),
                                               memoryMegabytes: try object.integer("memoryMegabytes"))
        }
        try manifest.validate()
        return manifest
    }

    static func invocation(_ value: JSONValue, path: String) throws(ManifestRefusal) -> Invocation {
        let object = try ManifestObject(value, path: path, known: invocationFields, required: ["command"])
        let environment = try object.stringPairs("environment", countMaximum: ManifestLimits.environmentCountMaximum) ?? []
        return Invocation(command: try object.string("command") ?? "",
                          arguments: try object.strings("arguments", countMaximum: ManifestLimits.argumentCountMaximum) ?? [],
                          environment: environment.map { EnvironmentVariable(name: $0.0, value: $0.1) })
    }

    static func probe(_ value: JSONValue) throws(ManifestRefusal) -> HealthProbe {
        let object = try ManifestObject(value, path: "health", known: ["http", "command"], required: [])
        switch (object.members["http"], object.members["command"]) {
        case let (http?, nil):
            let fields = try ManifestObject(http, path: "health.http", known: ["path", "port"], required: ["path", "port"])
            return .http(path: try fields.string("path") ?? "", port: try fields.integer("port") ?? 0)
        case let (nil, command?):
            return .command(try invocation(command, path: "health.command"))
        default:
            throw ManifestRefusal("health must hold exactly one of 'http' and 'command'")
        }
    }

    /// The canonical text: members in the order of Docs/MODULES.md, absent optional ones left out,
    /// two-space indentation, a final newline.
    public func encoded() -> [UInt8] {
        var lines = ["{", "  \"format\": \(Self.formatVersion),", "  \"name\": \(JSONText.quoted(name)),",
                     "  \"version\": \(JSONText.quoted(version)),", "  \"start\": \(Self.text(start)),"]
        switch health {
        case nil: break
        case let .http(path, port): lines.append("  \"health\": {\"http\": {\"path\": \(JSONText.quoted(path)), \"port\": \(port)}},")
        case let .command(invocation): lines.append("  \"health\": {\"command\": \(Self.text(invocation))},")
        }
        if let port { lines.append("  \"port\": \(port),") }
        if let alternatePort { lines.append("  \"alternatePort\": \(alternatePort),") }
        let hints = [resources.cpuMillicores.map { "\"cpuMillicores\": \($0)" },
                     resources.memoryMegabytes.map { "\"memoryMegabytes\": \($0)" }].compactMap { $0 }
        if !hints.isEmpty { lines.append("  \"resources\": {\(hints.joined(separator: ", "))},") }
        lines[lines.count - 1].removeLast()
        lines.append("}")
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    static func text(_ invocation: Invocation) -> String {
        var members = ["\"command\": \(JSONText.quoted(invocation.command))"]
        if !invocation.arguments.isEmpty {
            members.append("\"arguments\": [\(invocation.arguments.map(JSONText.quoted).joined(separator: ", "))]")
        }
        if !invocation.environment.isEmpty {
            let pairs = invocation.environment.map { "\(JSONText.quoted($0.name)): \(JSONText.quoted($0.value))" }
            members.append("\"environment\": {\(pairs.joined(separator: ", "))}")
        }
        return "{\(members.joined(separator: ", "))}"
    }
}
