import Certificates

/// `hotswap certs init|issue`: the cluster CA and the certificates issued from it.
enum CertsCommand {
    static let directoryFlag = Flag("dir", .text("DIR"), .required, help: "holds ca.pem and ca.key; certificates are written here")
    static let roleFlag = Flag("role", .choice(NodeRole.allCases.map(\.rawValue)), .required,
                               help: "what the certificate lets its holder be")
    static let nameFlag = Flag("name", .text("NAME"), .required, help: "the node or operator name the certificate carries")
    static let ipFlag = Flag("ip", .text("IP"), repeats: true, help: "an IP address the certificate is valid for")
    static let dnsFlag = Flag("dns", .text("NAME"), repeats: true, help: "a DNS name the certificate is valid for")
    /// Up to the 3,650 days a CA made by `certs init` lasts: a certificate cannot usefully outlive its CA.
    static let daysFlag = Flag("days", .count(1...3_650), .value("365"), help: "days the certificate is valid from now")
    /// 0 re-enrolls a revoked node at once: its new certificate must start after the revocation (CERTIFICATES.md).
    static let backdateFlag = Flag("backdate-seconds", .count(0...Int(CertificateAuthority.backdateSecondsMaximum)),
                                   .value("\(CertificateAuthority.backdateSecondsDefault)"),
                                   help: "seconds before now the validity starts (0 to re-enroll a revoked node at once)")

    static let command = Command("certs", summary: "make the cluster CA and issue certificates", subcommands: [initialize, issue])

    static let initialize = Command("init", summary: "make the cluster CA (ca.pem, ca.key) in DIR", flags: [directoryFlag]) { options in
        let paths = try CertificateAuthority.initialize(directory: try options.required(directoryFlag))
        print("wrote \(paths.certificate) and \(paths.privateKey) (mode 0600)")
        return 0
    }

    static let issue = Command("issue", summary: "issue a certificate from the CA in DIR (NAME.pem, NAME.key)",
                               flags: [directoryFlag, roleFlag, nameFlag, ipFlag, dnsFlag, daysFlag, backdateFlag]) { options in
        let roleName = try options.choice(roleFlag)
        guard let role = NodeRole(rawValue: roleName) else { throw UsageError("--role '\(roleName)' is not a role") }
        let identity = try NodeIdentity(role: role, name: try options.required(nameFlag))
        let paths = try CertificateAuthority.issue(directory: try options.required(directoryFlag), identity: identity,
                                                   ipAddresses: options.all(ipFlag), dnsNames: options.all(dnsFlag),
                                                   validityDays: try options.count(daysFlag),
                                                   backdateSeconds: Int64(try options.count(backdateFlag)))
        print("wrote \(paths.certificate) and \(paths.privateKey) (mode 0600) for \(identity.uri)")
        return 0
    }
}
