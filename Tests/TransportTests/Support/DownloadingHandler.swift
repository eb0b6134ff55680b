import Locking
import Transport
import Wire

/// What a downloading client has seen so far, readable from the test thread.
final class DownloadProgress: Sendable {
    struct State: Sendable {
        var status: Int?
        var headers = HTTPHeaders()
        var bodyBytes = 0
        var checksum = StreamChecksum()
        var ended = false
        var parseError: String?
        var closeReason: CloseReason?
    }

    private let state = Locked(State())

    var snapshot: State { state.withLock { $0 } }
    func update(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }
}

/// Sends one request, then parses the response as it streams in, keeping only
/// a byte count and a checksum of the body. With `pausedAtOpen` it stops
/// reading right after sending, as a client that is not keeping up.
final class DownloadingHandler: ConnectionHandler {
    private let request: [UInt8]
    private let pausedAtOpen: Bool
    private let progress: DownloadProgress
    private var parser = HTTPResponseParser()

    init(request: [UInt8], pausedAtOpen: Bool, progress: DownloadProgress) {
        self.request = request
        self.pausedAtOpen = pausedAtOpen
        self.progress = progress
        parser.limits.bodyMaximumBytes = Int(Int32.max)
    }

    func connectionDidOpen(_ connection: any Connection) {
        connection.write(request)
        if pausedAtOpen { connection.pauseReading() }
    }

    func connection(_ connection: any Connection, didRead bytes: UnsafeRawBufferPointer) {
        parser.append(bytes)
        do {
            while let event = try parser.next() {
                switch event {
                case let .head(head):
                    progress.update {
                        $0.status = head.status
                        $0.headers = head.headers
                    }
                case let .body(piece):
                    progress.update {
                        $0.bodyBytes += piece.count
                        $0.checksum.update(piece)
                    }
                case .end:
                    progress.update { $0.ended = true }
                }
            }
        } catch {
            progress.update { $0.parseError = "\(error)" }
            connection.close(.protocolViolation("bad response"))
        }
    }

    func connectionDeadlineExpired(_ connection: any Connection) {}

    func connectionDidClose(_ connection: any Connection, reason: CloseReason) {
        progress.update { $0.closeReason = reason }
    }
}
