/// The grammar of every field (Docs/MODULES.md, "The manifest").
extension ModuleManifest {
    /// Refuses the first field that breaks its rule, naming it.
    public func validate() throws(ManifestRefusal) {
        try Self.checkName(name)
        try Self.checkVersion(version)
        try Self.check(start, field: "start")
        switch health {
        case nil: break
        case let .http(path, port):
            try Self.checkHealthPath(path)
            try Self.checkPort(port, field: "health.http.port")
        case let .command(invocation):
            try Self.check(invocation, field: "health.command")
        }
        if let port { try Self.checkPort(port, field: "port") }
        if let alternatePort {
            try Self.checkPort(alternatePort, field: "alternatePort")
            guard let port else { throw ManifestRefusal("alternatePort needs port: it is the second port beside it") }
            guard alternatePort != port else { throw ManifestRefusal("alternatePort must differ from port (both are \(port))") }
            // The probe follows the version's assigned port only when it names `port`: any other
            // port would probe what already serves there (the old version), a false green.
            if case let .http(_, probed) = health, probed != port {
                throw ManifestRefusal("health.http.port must be port (\(port)) with alternatePort: a blue-green install probes "
                                      + "the port it assigns, and \(probed) would probe another process")
            }
        }
        if let cpu = resources.cpuMillicores, !ManifestLimits.cpuMillicoresRange.contains(cpu) {
            throw ManifestRefusal("resources.cpuMillicores must be from \(Self.rangeText(ManifestLimits.cpuMillicoresRange)), not \(cpu)")
        }
        if let memory = resources.memoryMegabytes, !ManifestLimits.memoryMegabytesRange.contains(memory) {
            throw ManifestRefusal("resources.memoryMegabytes must be from \(Self.rangeText(ManifestLimits.memoryMegabytesRange)), "
                                  + "not \(memory)")
        }
    }

    /// A name is 1 to 63 lowercase letters, digits and inner hyphens: it names a directory on every
    /// host and a path segment of the API.
    public static func checkName(_ name: String) throws(ManifestRefusal) {
        let bytes = Array(name.utf8)
        let allowed = bytes.allSatisfy { isLowercaseLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
        guard !bytes.isEmpty, bytes.count <= ManifestLimits.nameBytesMaximum, allowed,
              bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
        else {
            throw ManifestRefusal("name \(quoted(name)) must be 1 to \(ManifestLimits.nameBytesMaximum) lowercase letters, digits "
                                  + "and hyphens, starting and ending with a letter or digit")
        }
    }

    /// A version is 1 to 64 letters, digits, `.`, `_`, `+` and `-`, starting with a letter or
    /// digit (`1.4.0`, `2024-06-01+build.7`): it names a directory on every host.
    public static func checkVersion(_ version: String) throws(ManifestRefusal) {
        let bytes = Array(version.utf8)
        let allowed = bytes.allSatisfy { isLetter($0) || isDigit($0) || [UInt8(ascii: "."), UInt8(ascii: "_"),
                                                                         UInt8(ascii: "+"), UInt8(ascii: "-")].contains($0) }
        guard let first = bytes.first, bytes.count <= ManifestLimits.versionBytesMaximum, allowed, isLetter(first) || isDigit(first)
        else {
            throw ManifestRefusal("version \(quoted(version)) must be 1 to \(ManifestLimits.versionBytesMaximum) letters, digits, "
                                  + "'.', '_', '+' and '-', starting with a letter or digit")
        }
    }

    static func check(_ invocation: Invocation, field: String) throws(ManifestRefusal) {
        try checkCommand(invocation.command, field: "\(field).command")
        guard invocation.arguments.count <= ManifestLimits.argumentCountMaximum else {
            throw ManifestRefusal("\(field).arguments has \(invocation.arguments.count) arguments; at most "
                                  + "\(ManifestLimits.argumentCountMaximum) are allowed")
        }
        for (index, argument) in invocation.arguments.enumerated() {
            try checkText(argument, field: "\(field).arguments[\(index)]", maximum: ManifestLimits.argumentBytesMaximum, empty: true)
        }
        guard invocation.environment.count <= ManifestLimits.environmentCountMaximum else {
            throw ManifestRefusal("\(field).environment has \(invocation.environment.count) variables; at most "
                                  + "\(ManifestLimits.environmentCountMaximum) are allowed")
        }
        var names = Set<String>()
        for variable in invocation.environment {
            try checkEnvironmentName(variable.name, field: "\(field).environment")
            guard names.insert(variable.name).inserted else {
                throw ManifestRefusal("\(field).environment names \(variable.name) twice")
            }
            try checkText(variable.value, field: "\(field).environment.\(variable.name)",
                          maximum: ManifestLimits.environmentValueBytesMaximum, empty: true)
        }
    }

    /// A command is a path: relative to the module directory (`bin/server`) or absolute
    /// (`/usr/bin/python3`), with no empty, `.` or `..` component.
    static func checkCommand(_ command: String, field: String) throws(ManifestRefusal) {
        try checkText(command, field: field, maximum: ManifestLimits.commandBytesMaximum, empty: false)
        // On bytes, as the kernel splits a path: a '/' followed by a combining mark is one Character with it.
        let bytes = Array(command.utf8)
        let components = bytes.dropFirst(bytes.first == UInt8(ascii: "/") ? 1 : 0)
            .split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let dot = UInt8(ascii: ".")
        guard components.allSatisfy({ !$0.isEmpty && !$0.elementsEqual([dot]) && !$0.elementsEqual([dot, dot]) }) else {
            throw ManifestRefusal("\(field) \(quoted(command)) must be a path with no empty, '.' or '..' component")
        }
    }

    static func checkEnvironmentName(_ name: String, field: String) throws(ManifestRefusal) {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= ManifestLimits.environmentNameBytesMaximum,
              isLetter(first) || first == UInt8(ascii: "_"),
              bytes.allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") })
        else {
            throw ManifestRefusal("\(field) name \(quoted(name)) must be 1 to \(ManifestLimits.environmentNameBytesMaximum) "
                                  + "letters, digits and '_', not starting with a digit")
        }
    }

    static func checkHealthPath(_ path: String) throws(ManifestRefusal) {
        let bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/"), bytes.count <= ManifestLimits.healthPathBytesMaximum,
              bytes.allSatisfy({ (0x21...0x7E).contains($0) })
        else {
            throw ManifestRefusal("health.http.path \(quoted(path)) must start with '/' and be at most "
                                  + "\(ManifestLimits.healthPathBytesMaximum) visible ASCII characters")
        }
    }

    static func checkPort(_ port: Int, field: String) throws(ManifestRefusal) {
        guard ManifestLimits.portRange.contains(port) else {
            throw ManifestRefusal("\(field) must be from \(rangeText(ManifestLimits.portRange)), not \(port)")
        }
    }

    static func checkText(_ text: String, field: String, maximum: Int, empty: Bool) throws(ManifestRefusal) {
        let count = text.utf8.count
        guard empty || count > 0 else { throw ManifestRefusal("\(field) is empty") }
        guard count <= maximum else { throw ManifestRefusal("\(field) is \(count) bytes; at most \(maximum) are allowed") }
        guard !text.utf8.contains(0) else { throw ManifestRefusal("\(field) holds a NUL character") }
    }

    static func isLetter(_ byte: UInt8) -> Bool { isLowercaseLetter(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }
    static func isLowercaseLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    static func rangeText(_ range: ClosedRange<Int>) -> String { "\(range.lowerBound) to \(range.upperBound)" }

    /// `text` in quotes, cut to 80 bytes so a refusal stays one readable line.
    static func quoted(_ text: String) -> String {
        let cut = text.utf8.count > 80 ? String(decoding: text.utf8.prefix(80), as: UTF8.self) + "..." : text
        return "'\(cut)'"
    }
}
