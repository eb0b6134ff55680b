import Cluster
import Fleet
import FoundationEssentials
import Modules
import Transport
import Wire

/// `/api/v1/environments/{name}/module-signing-keys` (Docs/MODULES.md, "Signing policy"): the
/// Ed25519 public keys an environment trusts to sign the modules installed in it, each the raw
/// 32 bytes in standard base64. Reads answer this coordinator's view after the read's consistency
/// check, like the environment listing; a write replaces the whole list through Raft, audited as
/// `environment.module_keys`, and an empty list asks for no signature again.
enum ModuleSigningRoutes {
    static func register(in routes: inout GuardedRoutes, service: RaftService) {
        routes.add("GET", "/api/v1/environments/{name}/module-signing-keys") { request, responder, _ in
            let name = request.parameters["name"] ?? ""
            service.answerRead(request, responder: responder) { view in
                guard view.environments.contains(where: { $0.name == name }) else {
                    return HTTPReply(.refused(.environmentNotFound(name: name)))
                }
                return .json(200, json(environment: name, keys: view.moduleSigningKeys[name] ?? []))
            }
        }
        routes.add("PUT", "/api/v1/environments/{name}/module-signing-keys") { request, responder, caller in
            let name = request.parameters["name"] ?? ""
            guard EnvironmentRecord.isValidName(name) else {
                return responder.send(HTTPReply(.refused(.environmentNotFound(name: name))))
            }
            let keys: [[UInt8]]
            switch parse(request.body) {
            case let .success(parsed): keys = parsed
            case let .failure(refusal): return responder.sendError(status: 400, code: "invalid_body", message: refusal.description)
            }
            if let refusal = FleetState.moduleSigningKeysRefusal(keys) {
                return responder.send(HTTPReply(.applied(.rejected(.invalidModuleSigningKeys(refusal)))))
            }
            service.submit(.write(FleetCodec.encode(.setModuleSigningKeys(environment: name, keys: keys))), by: caller, of: request,
                           answering: responder)
        }
    }

    /// The answer of both routes: the environment and its keys in base64.
    static func json(environment: String, keys: [[UInt8]]) -> String {
        "{\"environment\":\(JSONText.quoted(environment)),\"keys\":["
            + keys.map { JSONText.quoted(Base64.encode($0)) }.joined(separator: ",") + "]}"
    }

    /// Why a body is not `{"keys": ["<base64 of 32 bytes>", ...]}`.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    private struct Body: Decodable {
        let keys: [String]
    }

    static let bodyShape = "body must be a JSON object: {\"keys\": [\"<an Ed25519 public key: its 32 raw bytes in base64>\", ...]} "
        + "(at most \(FleetState.moduleSigningKeysMaximum); [] asks for no signature)"

    static func parse(_ body: [UInt8]) -> Result<[[UInt8]], Refusal> {
        let decoded: Body
        do { decoded = try JSONDecoder().decode(Body.self, from: Data(body)) } catch { return .failure(Refusal(description: bodyShape)) }
        guard decoded.keys.count <= FleetState.moduleSigningKeysMaximum else {
            return .failure(Refusal(description: "at most \(FleetState.moduleSigningKeysMaximum) keys, not \(decoded.keys.count)"))
        }
        var keys: [[UInt8]] = []
        for (index, text) in decoded.keys.enumerated() {
            guard let key = Base64.decode(Substring(text)), key.count == FleetState.moduleSigningKeyBytes else {
                return .failure(Refusal(description: "keys[\(index)] is not the base64 of a raw \(FleetState.moduleSigningKeyBytes)-byte "
                                        + "Ed25519 public key (from a PEM one: "
                                        + "openssl pkey -pubin -in KEY.pem -outform DER | tail -c 32 | base64)"))
            }
            keys.append(key)
        }
        return .success(keys)
    }
}
