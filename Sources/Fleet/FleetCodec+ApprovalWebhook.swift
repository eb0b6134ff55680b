import Primitives

/// The approval webhooks in the binary form (version 11): a webhook is its URL (text of at most
/// `ApprovalWebhook.urlBytesMaximum` bytes) and its secret (u32-length bytes within
/// `ApprovalWebhook.secretBytes`); in a command or an outcome it follows a flag byte (0: none). The
/// snapshot's table is a u32 count of environment name and webhook, sorted by name; decoding
/// refuses an environment named twice or one the snapshot does not hold.
extension FleetCodec {
    static func writeApprovalWebhook(_ webhook: ApprovalWebhook?, to writer: inout BinaryWriter) {
        writer.write(webhook != nil)
        if let webhook { writeWebhookFields(webhook, to: &writer) }
    }

    static func readApprovalWebhook(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ApprovalWebhook? {
        try reader.readBool() ? try readWebhookFields(&reader) : nil
    }

    static func writeApprovalWebhooks(_ webhooks: [String: ApprovalWebhook], to writer: inout BinaryWriter) {
        writer.write(UInt32(webhooks.count))
        for (environment, webhook) in webhooks.sorted(by: { $0.key < $1.key }) {
            writer.write(environment)
            writeWebhookFields(webhook, to: &writer)
        }
    }

    /// The table, each entry naming one of `environments`.
    static func readApprovalWebhooks(_ reader: inout BinaryReader,
                                     environments: Set<String>) throws(BinaryDecodingError) -> [String: ApprovalWebhook] {
        let offset = reader.offset
        let count = Int(try reader.readUInt32())
        guard count <= FleetState.environmentsMaximum else {
            throw .invalidValue(offset: offset,
                                detail: "approval webhooks of \(count) environments; at most \(FleetState.environmentsMaximum)")
        }
        var webhooks: [String: ApprovalWebhook] = [:]
        for _ in 0..<count {
            let entryOffset = reader.offset
            let environment = try readText(&reader)
            let webhook = try readWebhookFields(&reader)
            guard environments.contains(environment), webhooks.updateValue(webhook, forKey: environment) == nil else {
                throw .invalidValue(offset: entryOffset, detail: "approval webhook of environment '\(environment)', named twice or absent")
            }
        }
        return webhooks
    }

    private static func writeWebhookFields(_ webhook: ApprovalWebhook, to writer: inout BinaryWriter) {
        writer.write(webhook.url)
        writer.writeLengthPrefixed(webhook.secret)
    }

    private static func readWebhookFields(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ApprovalWebhook {
        let url = try reader.readString(maximumBytes: ApprovalWebhook.urlBytesMaximum)
        let offset = reader.offset
        let secret = try reader.readLengthPrefixed(maximumBytes: ApprovalWebhook.secretBytes.upperBound)
        guard ApprovalWebhook.secretBytes.contains(secret.count) else {
            throw .invalidValue(offset: offset, detail: "an approval webhook secret of \(secret.count) bytes")
        }
        return ApprovalWebhook(url: url, secret: secret)
    }
}
