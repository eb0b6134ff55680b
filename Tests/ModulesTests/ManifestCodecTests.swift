@testable import Modules
import Testing

/// The manifest's JSON: canonical round trips and one refusal per rule, each naming its field.
struct ManifestCodecTests {
    static let full = ModuleManifest(
        name: "sample-service", version: "1.4.0+build.7",
        start: .init(command: "bin/server", arguments: ["--port", "8080", "", "naïve \"quoted\"\n"],
                     environment: [.init(name: "MODE", value: "production"), .init(name: "_X1", value: "")]),
        health: .http(path: "/healthz?deep=1", port: 8080), port: 8080, alternatePort: 8081,
        resources: .init(cpuMillicores: 500, memoryMegabytes: 256))

    static let minimal = ModuleManifest(name: "a", version: "1", start: .init(command: "/usr/bin/python3"))

    static func decode(_ text: String) throws -> ModuleManifest { try ModuleManifest.decode(Array(text.utf8)) }

    static func refusal(_ text: String) -> String? {
        do {
            _ = try ModuleManifest.decode(Array(text.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    static func body(_ members: String) -> String {
        "{\"format\": 1, \"name\": \"web\", \"version\": \"1.0\", \"start\": {\"command\": \"bin/web\"}\(members)}"
    }

    @Test(arguments: [full, minimal, ModuleManifest(name: "x-9", version: "v2", start: .init(command: "run"),
                                                    health: .command(.init(command: "bin/check", arguments: ["-q"],
                                                                           environment: [.init(name: "A", value: "b")])))])
    func encodingDecodesToTheSameManifest(manifest: ModuleManifest) throws {
        let encoded = manifest.encoded()
        #expect(try ModuleManifest.decode(encoded) == manifest)
        #expect(try ModuleManifest.decode(encoded).encoded() == encoded)
    }

    @Test func theCanonicalTextIsAsDocumented() {
        #expect(String(decoding: Self.minimal.encoded(), as: UTF8.self) == """
            {
              "format": 1,
              "name": "a",
              "version": "1",
              "start": {"command": "/usr/bin/python3"}
            }

            """)
    }

    @Test func theAlternatePortFollowsThePortInTheCanonicalText() throws {
        let text = String(decoding: Self.full.encoded(), as: UTF8.self)
        #expect(text.contains("  \"port\": 8080,\n  \"alternatePort\": 8081,\n  \"resources\""))
        #expect(try Self.decode(Self.body(", \"port\": 80, \"alternatePort\": 81")).alternatePort == 81)
    }

    @Test func aWrittenManifestDecodes() throws {
        let manifest = try Self.decode(Self.body(", \"health\": {\"http\": {\"port\": 9, \"path\": \"/\"}}, \"resources\": {}"))
        #expect(manifest.health == .http(path: "/", port: 9))
        #expect(manifest.resources == .init())
    }

    @Test(arguments: [
        ("{}", "missing field 'format'"),
        ("[]", "the manifest must be an object"),
        ("{\"format\": 2, \"name\": \"a\", \"version\": \"1\", \"start\": {\"command\": \"x\"}}", "format must be 1"),
        (body(", \"prot\": 80"), "unknown field 'prot' (did you mean 'port'?)"),
        (body(", \"port\": 0"), "port must be from 1 to 65535, not 0"),
        (body(", \"port\": \"80\""), "port must be a whole number"),
        (body(", \"port\": 8.5"), "not valid JSON: a number with a fraction or exponent"),
        (body(", \"health\": {}"), "health must hold exactly one of 'http' and 'command'"),
        (body(", \"health\": {\"http\": {\"path\": \"healthz\", \"port\": 80}}"), "health.http.path 'healthz' must start with '/'"),
        (body(", \"health\": {\"http\": {\"path\": \"/\"}}"), "missing field 'health.http.port'"),
        (body(", \"health\": {\"command\": {\"command\": \"../x\"}}"), "health.command.command '../x' must be a path"),
        (body(", \"health\": {\"command\": {\"command\": \"../\u{301}x\"}}"), "health.command.command '../\u{301}x' must be a path"),
        (body(", \"health\": {\"command\": {\"command\": \"bin/\u{600}/../x\"}}"), "'bin/\u{600}/../x' must be a path"),
        (body(", \"health\": {\"command\": {\"command\": \"//\u{301}x\"}}"), "'//\u{301}x' must be a path"),
        (body(", \"resources\": {\"cpuMillicores\": 0}"), "resources.cpuMillicores must be from 1 to 1024000, not 0"),
        (body(", \"resources\": {\"memoryMegabytes\": 9999999}"), "resources.memoryMegabytes must be from 1 to 4194304"),
        (body(", \"resources\": {\"cpu\": 1}"), "unknown field 'resources.cpu'"),
        (body(", \"port\": 80, \"port\": 81"), "key \"port\" is repeated"),
        (body(", \"alternatePort\": 81"), "alternatePort needs port"),
        (body(", \"port\": 80, \"alternatePort\": 80"), "alternatePort must differ from port (both are 80)"),
        (body(", \"port\": 80, \"alternatePort\": 65536"), "alternatePort must be from 1 to 65535, not 65536"),
        (body(", \"health\": {\"http\": {\"path\": \"/\", \"port\": 9090}}, \"port\": 80, \"alternatePort\": 81"),
         "health.http.port must be port (80) with alternatePort"),
        (body(", \"port\": 80, \"alternatePort\": \"81\""), "alternatePort must be a whole number"),
        (body(", \"alternateport\": 81"), "unknown field 'alternateport' (did you mean 'alternatePort'?)"),
        ("{\"format\": 1, \"name\": \"Web\", \"version\": \"1\", \"start\": {\"command\": \"x\"}}", "name 'Web' must be 1 to 63"),
        ("{\"format\": 1, \"name\": \"-web\", \"version\": \"1\", \"start\": {\"command\": \"x\"}}", "name '-web' must be"),
        ("{\"format\": 1, \"name\": \"w\", \"version\": \".1\", \"start\": {\"command\": \"x\"}}", "version '.1' must be 1 to 64"),
        ("{\"format\": 1, \"name\": \"w\", \"version\": \"1/2\", \"start\": {\"command\": \"x\"}}", "version '1/2' must be"),
        ("{\"format\": 1, \"name\": \"w\", \"version\": \"1\", \"start\": {\"command\": \"\"}}", "start.command is empty"),
        ("{\"format\": 1, \"name\": \"w\", \"version\": \"1\", \"start\": {\"command\": \"a//b\"}}", "start.command 'a//b' must be"),
        ("{\"format\": 1, \"name\": \"w\", \"version\": \"1\", \"start\": {\"command\": \"x\\u0000\"}}", "start.command holds a NUL"),
        ("{\"format\": 1, \"name\": \"w\", \"version\": \"1\", \"start\": {\"command\": \"x\", \"arguments\": [1]}}",
         "start.arguments[0] must be a string"),
        ("{\"format\": 1, \"name\": \"w\", \"version\": \"1\", \"start\": {\"command\": \"x\", \"environment\": {\"1A\": \"\"}}}",
         "start.environment name '1A' must be"),
        ("{\"format\": 1, \"name\": \"w\", \"version\": \"1\", \"start\": {\"command\": \"x\", \"environment\": {\"A\": 1}}}",
         "start.environment.A must be a string"),
        ("{\"format\": 1, \"name\": \"w\", \"version\": \"1\", \"start\": \"x\"}", "start must be an object"),
        ("{\"format\": 1} x", "text after the document"),
    ])
    func eachRuleIsRefusedByName(text: String, expected: String) {
        let refusal = Self.refusal(text)
        #expect(refusal?.contains(expected) == true, "\(refusal ?? "accepted")")
    }

    @Test func countsAndLengthsAreBounded() {
        let arguments = (0...ManifestLimits.argumentCountMaximum).map { "\"\($0)\"" }.joined(separator: ",")
        #expect(Self.refusal(Self.body("").replacingFirst("\"bin/web\"}", "\"bin/web\", \"arguments\": [\(arguments)]}"))?
            .contains("start.arguments has 65 elements; at most 64") == true)
        let long = String(repeating: "a", count: ManifestLimits.argumentBytesMaximum + 1)
        #expect(Self.refusal(Self.body("").replacingFirst("\"bin/web\"}", "\"bin/web\", \"arguments\": [\"\(long)\"]}"))?
            .contains("start.arguments[0] is 4097 bytes") == true)
        let variables = (0...ManifestLimits.environmentCountMaximum).map { "\"V\($0)\": \"\"" }.joined(separator: ",")
        #expect(Self.refusal(Self.body("").replacingFirst("\"bin/web\"}", "\"bin/web\", \"environment\": {\(variables)}}"))?
            .contains("start.environment has 65 variables") == true)
        #expect(Self.refusal(String(repeating: " ", count: ManifestLimits.bytesMaximum + 1))?.contains("at most 65536") == true)
        let name = String(repeating: "n", count: ManifestLimits.nameBytesMaximum + 1)
        #expect(throws: ManifestRefusal.self) { try ModuleManifest.checkName(name) }
        var manifest = Self.minimal
        manifest.start.environment = [.init(name: "A", value: "1"), .init(name: "A", value: "2")]
        #expect(throws: ManifestRefusal("start.environment names A twice")) { try manifest.validate() }
    }
}

extension String {
    func replacingFirst(_ target: String, _ replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
