import Glibc
import Storage
import Telemetry
import Transport
import Wire

/// What a scripted coordinator serves when an agent asks for a module artifact: files by sha256,
/// refusals to give first, and every request it got.
public struct ArtifactScript: Sendable {
    var files: [[UInt8]: String] = [:]
    var refusals: [ArtifactRefusal.Reason] = []
    var requests: [ArtifactRequest] = []
    var nextTransferID: UInt64 = 1
    /// The next transfer stops after this many bytes' chunks, with no end (a leader gone quiet).
    var cutAfter: Int?
}

/// The leader's side of an agent's artifact fetch (PROTOCOL.md, "Module orders"): a refusal, or
/// one chunked transfer of the file from the asked offset (128 KiB chunks, CRC-32C of the bytes
/// sent), all queued at once on the connection. An offset past the file is refused `badOffset`;
/// a frame the connection refuses to queue closes it (the agent sees its link end).
extension ScriptedCoordinator {
    /// Serves the file at `path` to a request for `sha256`.
    public func serveArtifact(sha256: [UInt8], path: String) {
        artifacts.withLock { $0.files[sha256] = path }
    }

    /// Refuses the next requests with these reasons, one each, before serving again.
    public func refuseArtifactRequests(_ reasons: [ArtifactRefusal.Reason]) {
        artifacts.withLock { $0.refusals += reasons }
    }

    /// The next transfer sends its begin and only the chunks of its first `bytes` (whole chunks),
    /// then nothing more: the agent keeps a partial file and stalls.
    public func cutNextArtifactTransfer(after bytes: Int) {
        artifacts.withLock { $0.cutAfter = bytes }
    }

    /// Every artifact request received, in order.
    public var artifactRequests: [ArtifactRequest] { artifacts.withLock { $0.requests } }

    func artifactRequested(_ frame: Frame, on channel: FrameChannel) throws(FrameChannelError) {
        let request: ArtifactRequest
        do { request = try ArtifactRequestCodec.decodeRequest(frame.payload) } catch { throw FrameChannelError("bad artifact request") }
        let (refusal, path, transferID, cutAfter) = artifacts.withLock { script in
            script.requests.append(request)
            script.nextTransferID += 1
            let refusal = script.refusals.isEmpty ? nil : script.refusals.removeFirst()
            defer { if refusal == nil { script.cutAfter = nil } }
            return (refusal, script.files[request.sha256], script.nextTransferID, refusal == nil ? script.cutAfter : nil)
        }
        var reason = refusal
        var bytes: [UInt8] = []
        if reason == nil {
            if let path, let held = Self.bytes(of: path) { bytes = held } else { reason = .notHeld }
        }
        if reason == nil, request.offset > UInt64(bytes.count) { reason = .badOffset }
        if let reason {
            try Self.send(Frame(kind: FrameKind.artifactRefusal.rawValue,
                                payload: ArtifactRequestCodec.encode(ArtifactRefusal(sha256: request.sha256, reason: reason))), on: channel)
            return
        }
        let data = Array(bytes[Int(request.offset)...])
        let header = TransferHeader(purpose: .artifact, transferID: transferID, term: 0, index: 0, totalBytes: UInt64(data.count),
                                    checksum: CRC32C.checksum(data),
                                    context: ArtifactRequestCodec.transferContext(sha256: request.sha256, offset: request.offset))
        try Self.send(Frame(kind: FrameKind.transferBegin.rawValue, payload: TransferCodec.encode(header)), on: channel)
        var offset = 0
        while offset < min(data.count, cutAfter ?? data.count) {
            let end = min(offset + TransferCodec.chunkBytesMaximum, data.count)
            let chunk = TransferChunk(transferID: transferID, offset: UInt64(offset), bytes: Array(data[offset..<end]))
            try Self.send(Frame(kind: FrameKind.transferChunk.rawValue, payload: TransferCodec.encode(chunk)), on: channel)
            offset = end
        }
        guard cutAfter == nil else { return }
        try Self.send(Frame(kind: FrameKind.transferEnd.rawValue, payload: TransferCodec.encodeEnd(transferID: transferID)), on: channel)
    }

    private static func bytes(of path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
        }
    }

    private static func send(_ frame: Frame, on channel: FrameChannel) throws(FrameChannelError) {
        do { try channel.send(frame) } catch { throw FrameChannelError("a scripted artifact frame was refused: \(error)") }
    }
}
