import COpenSSL
import Glibc

/// Conversions between unix seconds, OpenSSL's ASN1_TIME and the UTC text used in
/// error messages.
enum UnixTime {
    /// The current time in unix seconds.
    static func now() -> Int64 {
        Int64(time(nil))
    }

    /// Reads an ASN1_TIME as unix seconds; nil if OpenSSL cannot parse it.
    static func seconds(of asn1Time: UnsafePointer<ASN1_TIME>) -> Int64? {
        var fields = tm()
        guard ASN1_TIME_to_tm(asn1Time, &fields) == 1 else {
            return nil
        }
        return Int64(timegm(&fields))
    }

    /// Formats unix seconds as `YYYY-MM-DD HH:MM:SS UTC`.
    static func text(_ seconds: Int64) -> String {
        var value = time_t(seconds)
        var fields = tm()
        guard gmtime_r(&value, &fields) != nil else {
            return "\(seconds) (unix seconds)"
        }
        let date = [
            padded(Int(fields.tm_year) + 1900, width: 4),
            padded(Int(fields.tm_mon) + 1, width: 2),
            padded(Int(fields.tm_mday), width: 2),
        ].joined(separator: "-")
        let clock = [fields.tm_hour, fields.tm_min, fields.tm_sec]
            .map { padded(Int($0), width: 2) }
            .joined(separator: ":")
        return "\(date) \(clock) UTC"
    }

    private static func padded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
