import FileSystem
import Fleet
import ModuleArchive
import Modules
import Wire

/// `hotswap env signing-keys`: shows the Ed25519 public keys an environment trusts to sign its
/// modules, or replaces them with the PEM public keys given (Docs/MODULES.md, "Signing policy").
enum EnvSigningKeysCommand {
    static let publicKeyFlag = Flag("public-key", .text("PUBKEY"), repeats: true,
                                    help: "a PEM Ed25519 public key the environment trusts (openssl pkey -in KEY -pubout); "
                                        + "replaces the list")
    static let noneFlag = Flag("none", .none, help: "trust no key: the environment asks for no signature")

    static let command = Command(
        "signing-keys", summary: "show or set the keys an environment trusts to sign modules",
        about: """
            Without flags, prints the environment's keys (base64 of the raw 32 bytes), one a line. With
            --public-key (repeatable, at most 8), replaces them: modules installed in the environment
            must then be signed by one of them. --none clears the list.
            """,
        arguments: ["NAME"], flags: [publicKeyFlag, noneFlag] + APIClientOptions.flags) { options in
        let name = options.positionals[0]
        guard EnvironmentRecord.isValidName(name) else {
            throw UsageError("NAME '\(name)' is not an environment name: [a-z0-9][a-z0-9-]{0,62}")
        }
        let path = "/api/v1/environments/\(name)/module-signing-keys"
        let files = options.all(publicKeyFlag)
        let clear = options.isGiven(noneFlag)
        if !files.isEmpty && clear { throw UsageError("--public-key and --none exclude each other") }
        let client = try APIClientOptions(options)
        guard !files.isEmpty || clear else {
            return try client.read(path, as: Keys.self) { keys in
                if keys.keys.isEmpty { print("\(name): no keys (modules need no signature)") }
                for key in keys.keys { print(key) }
            }
        }
        let keys = try files.map { file in
            Base64.encode(try ModuleSigner.rawPublicKey(pem: try SecretFile.open(file).read(maximumBytes: ModuleCommand.keyBytesMaximum)))
        }
        let body = "{\"keys\":[" + keys.map { JSONText.quoted($0) }.joined(separator: ",") + "]}"
        return try ClusterCommand.call(client, "PUT", path, body: body) { _ in
            keys.isEmpty ? "\(name) trusts no key: modules need no signature" : "\(name) trusts \(keys.count) key(s)"
        }
    }

    /// The keys as the API shows them.
    struct Keys: Decodable {
        let environment: String
        let keys: [String]
    }
}
