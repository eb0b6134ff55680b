import Certificates

/// `hotswap certs init|issue`: the cluster CA and the certificates issued from it.
enum CertsCommand {
    static let usage = """
        usage: hotswap certs init --dir DIR
               hotswap certs issue --dir DIR --role coordinator|agent|operator --name NAME
                                   [--ip IP]... [--dns NAME]... [--days N]
        """

    static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        guard let action = arguments.first else { throw UsageError("certs needs 'init' or 'issue'") }
        switch action {
        case "init":
            let options = try CommandLineOptions(arguments.dropFirst(), accepting: ["dir"])
            let paths = try CertificateAuthority.initialize(directory: try options.required("dir"))
            print("wrote \(paths.certificate) and \(paths.privateKey) (mode 0600)")
        case "issue":
            let options = try CommandLineOptions(arguments.dropFirst(), accepting: ["dir", "role", "name", "ip", "dns", "days"])
            let roleText = try options.required("role")
            guard let role = NodeRole(rawValue: roleText) else {
                throw UsageError("--role must be coordinator, agent or operator, not '\(roleText)'")
            }
            let identity = try NodeIdentity(role: role, name: try options.required("name"))
            let daysText = options.optional("days") ?? "365"
            guard let days = Int(daysText), days > 0, days <= 3650 else {
                throw UsageError("--days must be a whole number from 1 to 3650")
            }
            let paths = try CertificateAuthority.issue(directory: try options.required("dir"), identity: identity,
                                                       ipAddresses: options.all("ip"), dnsNames: options.all("dns"),
                                                       validityDays: days)
            print("wrote \(paths.certificate) and \(paths.privateKey) (mode 0600) for \(identity.uri)")
        default:
            throw UsageError("unknown certs action '\(action)'")
        }
        return 0
    }
}
