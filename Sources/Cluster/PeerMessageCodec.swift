import Consensus
import Primitives
import Wire

/// The peer protocol's payload: one Raft `Message` per `.raft` frame, in a
/// versioned big-endian encoding. Decoding is bounded (entries, members,
/// field sizes) so a hostile peer cannot make a coordinator allocate; the
/// frame's own size limit bounds the rest.
public enum PeerMessageCodec {
    public static let version: UInt8 = 1
    public static let entriesPerMessageMaximum = 16_384
    public static let fieldBytesMaximum = FrameCodec.frameSizeMaximumBytesDefault

    public static func encode(_ message: Message) -> [UInt8] {
        var writer = BinaryWriter(reservingCapacity: 64 + message.entries.reduce(0) { $0 + $1.sizeBytes })
        writer.write(version)
        writer.write(message.kind.rawValue)
        for field in [message.from, message.to, message.term, message.logTerm, message.index, message.commit,
                      message.rejectHint, message.leaseTick] {
            writer.write(field)
        }
        writer.write(message.reject)
        writer.write(message.isLeadershipTransfer)
        writer.writeLengthPrefixed(message.context)
        writer.write(UInt32(message.entries.count))
        for entry in message.entries { write(entry, to: &writer) }
        writer.write(message.snapshot != nil)
        if let snapshot = message.snapshot { write(snapshot, to: &writer) }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> Message {
        var reader = BinaryReader(bytes)
        let found = try reader.readUInt8()
        guard found == version else { throw .unsupportedVersion(found) }
        let kindOffset = reader.offset
        guard let kind = MessageKind(rawValue: try reader.readUInt8()) else {
            throw .invalidValue(offset: kindOffset, detail: "unknown Raft message kind")
        }
        var message = Message(kind: kind, from: try reader.readUInt64(), to: try reader.readUInt64(),
                              term: try reader.readUInt64())
        message.logTerm = try reader.readUInt64()
        message.index = try reader.readUInt64()
        message.commit = try reader.readUInt64()
        message.rejectHint = try reader.readUInt64()
        message.leaseTick = try reader.readUInt64()
        message.reject = try reader.readBool()
        message.isLeadershipTransfer = try reader.readBool()
        message.context = try reader.readLengthPrefixed(maximumBytes: fieldBytesMaximum)
        let entryCount = Int(try reader.readUInt32())
        guard entryCount <= entriesPerMessageMaximum else {
            throw .invalidValue(offset: reader.offset - 4, detail: "\(entryCount) entries, over \(entriesPerMessageMaximum)")
        }
        for _ in 0..<entryCount { message.entries.append(try readEntry(&reader)) }
        if try reader.readBool() { message.snapshot = try readSnapshot(&reader) }
        try reader.expectEnd()
        return message
    }

    public static func write(_ entry: Entry, to writer: inout BinaryWriter) {
        writer.write(entry.term)
        writer.write(entry.index)
        writer.write(entry.kind.rawValue)
        writer.writeLengthPrefixed(entry.data)
    }

    public static func readEntry(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> Entry {
        let term = try reader.readUInt64()
        let index = try reader.readUInt64()
        let kindOffset = reader.offset
        guard let kind = EntryKind(rawValue: try reader.readUInt8()) else {
            throw .invalidValue(offset: kindOffset, detail: "unknown entry kind")
        }
        return Entry(term: term, index: index, kind: kind, data: try reader.readLengthPrefixed(maximumBytes: fieldBytesMaximum))
    }

    public static func write(_ snapshot: Snapshot, to writer: inout BinaryWriter) {
        writer.write(snapshot.metadata.index)
        writer.write(snapshot.metadata.term)
        writer.writeLengthPrefixed(MembershipCodec.encode(snapshot.metadata.membership))
        writer.writeLengthPrefixed(snapshot.data)
    }

    public static func readSnapshot(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> Snapshot {
        let index = try reader.readUInt64()
        let term = try reader.readUInt64()
        let membership = try MembershipCodec.decode(try reader.readLengthPrefixed(maximumBytes: MembershipCodec.bytesMaximum))
        let data = try reader.readLengthPrefixed(maximumBytes: fieldBytesMaximum)
        return Snapshot(metadata: SnapshotMetadata(index: index, term: term, membership: membership), data: data)
    }
}

/// Voters and learners as bytes, for snapshots on the wire and on disk.
public enum MembershipCodec {
    public static let bytesMaximum = 8 + 2 * 8 * Membership.membersMaximum

    public static func encode(_ membership: Membership) -> [UInt8] {
        var writer = BinaryWriter()
        for list in [membership.voters, membership.learners] {
            writer.write(UInt32(list.count))
            for id in list { writer.write(id) }
        }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> Membership {
        var reader = BinaryReader(bytes)
        var lists: [[NodeID]] = []
        for _ in 0..<2 {
            let count = Int(try reader.readUInt32())
            guard count <= Membership.membersMaximum else {
                throw .invalidValue(offset: reader.offset - 4, detail: "\(count) members, over \(Membership.membersMaximum)")
            }
            var list: [NodeID] = []
            for _ in 0..<count { list.append(try reader.readUInt64()) }
            lists.append(list)
        }
        try reader.expectEnd()
        guard Set(lists[0]).count + Set(lists[1]).count <= Membership.membersMaximum else {
            throw .invalidValue(offset: 0, detail: "too many members")
        }
        return Membership(voters: lists[0], learners: lists[1])
    }
}
