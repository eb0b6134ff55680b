import LocalFleet

/// `hotswap deployment show` and `explain` over the bounded answers (Docs/DEPLOYMENTS.md, "API and
/// CLI"): show reads the record, then pages its nodes up to `nodesShownMaximum` and says how many
/// more there are; explain reads the record, then each wave's decisions (`/waves/{n}`).
enum DeploymentShow {
    static let nodesShownMaximum = 1_000
    static let pageLimit = 200

    static let show = Command(
        "show", summary: "show a deployment: its waves, nodes and last gate decisions",
        about: """
            Shows the deployment's summary, each wave with its nodes and latest gate decision, at most
            1,000 nodes (a last line counts the rest); with -o json, the record with the first 200 nodes
            as the API answers it.
            """,
        arguments: ["ID"], flags: APIClientOptions.flags) { options in
        let client = try APIClientOptions(options)
        let path = "/api/v1/deployments/\(try DeploymentCommand.id(options))?limit=\(pageLimit)"
        let (first, body) = try get(client, path, as: DeploymentDocument.self)
        if client.wantsJSON {
            print(String(decoding: body, as: UTF8.self))
            return 0
        }
        var nodes = first.nodes ?? []
        var next = first.nodesNext
        var requests = 1
        // The server's cursor is trusted only as a decimal position, and a page must add nodes.
        while let cursor = next, nodes.count < nodesShownMaximum, requests <= nodesShownMaximum / pageLimit,
              !cursor.isEmpty, cursor.utf8.count <= 10, cursor.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            let page = try get(client, path + "&after=\(cursor)", as: DeploymentDocument.self).value
            requests += 1
            guard let added = page.nodes, !added.isEmpty else { break }
            nodes += added
            next = page.nodesNext
        }
        first.detailLines(nodes: Array(nodes.prefix(nodesShownMaximum))).forEach { print(TerminalText.printable($0, maximumBytes: 4_096)) }
        return 0
    }

    static let explain = Command(
        "explain", summary: "print every kept gate decision of each wave with its numbers",
        about: """
            Prints each wave's kept gate decisions with their evidence, at most 50 node lines per
            decision (a last line counts the rest); with -o json, {"deployment": the record, "waves":
            [each wave's answer]}.
            """,
        arguments: ["ID"], flags: APIClientOptions.flags) { options in
        let client = try APIClientOptions(options)
        let base = "/api/v1/deployments/\(try DeploymentCommand.id(options))"
        let (record, body) = try get(client, base + "?limit=1", as: DeploymentDocument.self)
        var waves: [DeploymentDocument.Wave] = []
        var bodies: [String] = []
        for wave in record.waves ?? [] {
            let (answer, waveBody) = try get(client, base + "/waves/\(wave.index)", as: DeploymentDocument.Wave.self)
            waves.append(answer)
            bodies.append(String(decoding: waveBody, as: UTF8.self))
        }
        if client.wantsJSON {
            print("{\"deployment\":" + String(decoding: body, as: UTF8.self) + ",\"waves\":[" + bodies.joined(separator: ",") + "]}")
        } else {
            record.explanationLines(waves: waves).forEach { print(TerminalText.printable($0, maximumBytes: 4_096)) }
        }
        return 0
    }

    /// GETs `path` and decodes its 200 answer; any other answer is thrown as one line.
    static func get<Value: Decodable>(_ client: APIClientOptions, _ path: String,
                                      as type: Value.Type) throws -> (value: Value, body: [UInt8]) {
        let response = try client.send("GET", path)
        guard response.head.status == 200 else { throw APIFailure(answer: response) }
        return (try APIClientOptions.decode(Value.self, from: response.body), response.body)
    }
}
