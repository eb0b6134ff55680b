import COpenSSL
import Glibc

/// Builds the subject-alternative-name entries HotSwap puts in a certificate and
/// reads them back as `TYPE:value` strings (`URI:`, `DNS:`, `IP:`, `email:`).
enum SubjectAlternativeNames {
    /// Entries added to a coordinator certificate when no IP address or DNS name is
    /// given, so a single-machine cluster works out of the box.
    static let coordinatorDefaults = ["DNS:localhost", "IP:127.0.0.1", "IP:::1"]

    /// The longest DNS name allowed, in characters.
    static let dnsNameLengthMaximum = 253

    /// The longest DNS label allowed, in characters.
    static let dnsLabelLengthMaximum = 63

    /// Returns the entries for a new certificate: the identity URI first, then the
    /// IP addresses and DNS names, each validated so the joined OpenSSL
    /// configuration value cannot be split or extended by its input.
    static func entries(
        identity: NodeIdentity, ipAddresses: [String], dnsNames: [String]
    ) throws(CertificateError) -> [String] {
        for address in ipAddresses where !isIPAddress(address) {
            throw .invalidIPAddress(address)
        }
        for name in dnsNames where !isDNSName(name) {
            throw .invalidDNSName(name)
        }
        var entries = ["URI:\(identity.uri)"]
        if identity.role == .coordinator && ipAddresses.isEmpty && dnsNames.isEmpty {
            entries += coordinatorDefaults
        } else {
            entries += dnsNames.map { "DNS:\($0)" } + ipAddresses.map { "IP:\($0)" }
        }
        return entries
    }

    /// Reads every subject alternative name of a certificate, in certificate order.
    static func read(from certificate: OpaquePointer) -> [String] {
        guard let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) else {
            ERR_clear_error()
            return []
        }
        let names = OpaquePointer(raw)
        defer { hs_GENERAL_NAMES_free(names) }
        var entries: [String] = []
        for index in 0..<max(0, hs_sk_GENERAL_NAME_num(names)) {
            guard let name = hs_sk_GENERAL_NAME_value(names, index) else {
                continue
            }
            entries.append(text(of: name.pointee))
        }
        return entries
    }

    /// True for an IPv4 dotted quad or an IPv6 literal without zone or brackets.
    static func isIPAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }

    /// True for a host name of dot-separated letter-digit-hyphen labels.
    static func isDNSName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= dnsNameLengthMaximum else {
            return false
        }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty, bytes.count <= dnsLabelLengthMaximum,
                bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
            else {
                return false
            }
            return bytes.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                    return true
                default:
                    return false
                }
            }
        }
    }

    private static func text(of name: GENERAL_NAME) -> String {
        switch name.type {
        case GEN_URI:
            return "URI:" + string(name.d.uniformResourceIdentifier)
        case GEN_DNS:
            return "DNS:" + string(name.d.dNSName)
        case GEN_EMAIL:
            return "email:" + string(name.d.rfc822Name)
        case GEN_IPADD:
            return "IP:" + ipText(name.d.iPAddress)
        default:
            return "other:type \(name.type)"
        }
    }

    private static func string(_ value: UnsafeMutablePointer<ASN1_STRING>?) -> String {
        guard let value, let data = ASN1_STRING_get0_data(value) else {
            return ""
        }
        let bytes = UnsafeBufferPointer(start: data, count: Int(max(0, ASN1_STRING_length(value))))
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func ipText(_ value: UnsafeMutablePointer<ASN1_STRING>?) -> String {
        guard let value, let data = ASN1_STRING_get0_data(value) else {
            return ""
        }
        let length = Int(ASN1_STRING_length(value))
        let family: Int32
        switch length {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return "invalid(\(length) bytes)"
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, data, &buffer, socklen_t(buffer.count)) != nil else {
            return "invalid(\(length) bytes)"
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
