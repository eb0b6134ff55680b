import COpenSSL
import CLinux
import Glibc
import Primitives

extension TLSConnection {
    /// What one `SSL_*` call asked for next.
    enum SSLOutcome { case progressed(Int), wantRead, wantWrite, peerClosed, failed(String) }

    func classify(_ result: Int32) -> SSLOutcome {
        if result > 0 { return .progressed(Int(result)) }
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .peerClosed
        case SSL_ERROR_SYSCALL:
            let systemError = errno
            let queued = OpenSSLErrors.drain()
            if systemError == 0 || systemError == ECONNRESET || systemError == EPIPE { return .peerClosed }
            return .failed("\(String(cString: strerror(systemError))); \(queued)")
        default:
            return .failed(OpenSSLErrors.drain())
        }
    }

    func finishConnect() {
        let pending = Socket.pendingError(descriptor)
        guard pending == 0 else {
            return abort(.ioError("connect: \(String(cString: strerror(pending)))"))
        }
        state = .handshaking
        continueHandshake()
    }

    func continueHandshake() {
        let result = isServer ? SSL_accept(ssl) : SSL_connect(ssl)
        switch classify(result) {
        case .progressed:
            completeHandshake()
        case .wantRead:
            sslWantsRead = true
            sslWantsWrite = false
            updateInterest()
        case .wantWrite:
            sslWantsWrite = true
            updateInterest()
        case .peerClosed:
            abort(.handshakeFailed("peer closed during handshake"))
        case let .failed(detail):
            abort(.handshakeFailed(handshakeFailureDetail(detail)))
        }
    }

    private func handshakeFailureDetail(_ detail: String) -> String {
        if let rejection = TLSContext.takeRejection(from: ssl) { return "peer refused: \(rejection.reason)" }
        let verifyResult = SSL_get_verify_result(ssl)
        guard verifyResult != X509_V_OK else { return detail }
        return "\(String(cString: X509_verify_cert_error_string(verifyResult))) (\(detail))"
    }

    private func completeHandshake() {
        sslWantsRead = false
        sslWantsWrite = false
        deadlines.handshake = nil
        isResumed = SSL_session_reused(ssl) == 1
        if let verdict = context.authenticatedPeer(ssl) {
            switch verdict {
            case let .success(identity): peer = identity
            case let .failure(rejection): return abort(.handshakeFailed(rejection.reason))
            }
        }
        state = .open
        armDeadlineTimer()
        onOpen?(self)
        handler?.connectionDidOpen(self)
        guard state == .open || state == .closing else { return }
        flush()
        readAvailable()
    }

    func handleTraffic(_ events: UInt32) {
        if events & EPOLLOUT.rawValue != 0 || sslWantsRead { flush() }
        guard state == .open || state == .closing else { return }
        if state == .open, readingPausedByHandler, hasHungUp(events) { return abort(.peerClosed) }
        if events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            readAvailable()
        }
    }

    /// Whether, while the handler keeps reading paused, `events` say the peer is gone: a reset or
    /// an error (which epoll reports whatever the interest, so left unhandled they would wake the
    /// loop again at once until a write failed), or its end of file when the handler asked
    /// (`closeWhenPeerHangsUp`).
    private func hasHungUp(_ events: UInt32) -> Bool {
        if events & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { return true }
        return closesWhenPeerHangsUp && events & EPOLLRDHUP.rawValue != 0
    }

    /// Reads and delivers up to `readsPerEventMaximum` TLS records, then yields so the
    /// loop's other ready connections get a turn. Bytes still in the socket raise the
    /// next (level-triggered) event; only bytes OpenSSL already holds need a posted
    /// continuation, since no event will come for them.
    func readAvailable() {
        var readsLeft = limits.readsPerEventMaximum
        let scratch = loop.readScratch
        while readsLeft > 0, state == .open, !readingPausedByHandler, !readingPausedByBackpressure {
            let outcome = classify(SSL_read(ssl, scratch.baseAddress, Int32(scratch.count)))
            switch outcome {
            case let .progressed(count):
                readsLeft -= 1
                handler?.connection(self, didRead: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
            case .wantRead:
                return updateInterest()
            case .wantWrite:
                sslWantsWrite = true
                return updateInterest()
            case .peerClosed:
                return abort(.peerClosed)
            case let .failed(detail):
                return abort(.ioError(detail))
            }
        }
        if readsLeft == 0, state == .open, SSL_has_pending(ssl) == 1 { scheduleReadContinuation() }
        if state == .closing { drainDiscardingReads() }
    }

    /// While closing, the peer's bytes are read and dropped so its close_notify arrives. Its end
    /// or a failed read (a reset, an error: level-triggered, so left alone they would wake the
    /// loop again at once until the close timeout) ends the connection.
    private func drainDiscardingReads() {
        let scratch = loop.readScratch
        switch classify(SSL_read(ssl, scratch.baseAddress, Int32(scratch.count))) {
        case .peerClosed: abort(closeReason ?? .peerClosed)
        case let .failed(detail): abort(closeReason ?? .ioError(detail))
        case .progressed, .wantRead, .wantWrite: return
        }
    }

    /// Reads again on the loop's next turn; at most one is outstanding per connection,
    /// so a connection that keeps data buffered cannot pile up turns for itself.
    func scheduleReadContinuation() {
        guard !readContinuationPosted else { return }
        readContinuationPosted = true
        loop.execute { [self] in
            readContinuationPosted = false
            if state == .open { readAvailable() }
        }
    }

    /// Writes queued bytes until the socket pushes back; manages backpressure
    /// and finishes a graceful close once the queue is empty.
    func flush() {
        guard state == .open || state == .closing else { return }
        sslWantsWrite = false
        sslWantsRead = false
        guard writePendingTicket() else { return }
        while !outbound.isEmpty {
            var outcome = SSLOutcome.progressed(0)
            _ = outbound.writeHead { bytes in
                outcome = classify(SSL_write(ssl, bytes.baseAddress, Int32(bytes.count)))
                if case let .progressed(count) = outcome { return count }
                return 0
            }
            switch outcome {
            case .progressed: continue
            case .wantWrite: sslWantsWrite = true
            case .wantRead: sslWantsRead = true
            case .peerClosed: return abortAfterWriteReset()
            case let .failed(detail): return abort(.ioError(detail))
            }
            break
        }
        applyBackpressure()
        if state == .closing, outbound.isEmpty { return finishGracefulClose() }
        updateInterest()
    }

    /// The peer closed or reset the connection under a write. A client first reads, once, what
    /// arrived before: a server refusing the client's certificate (in TLS 1.3 after the client's
    /// handshake completed) sends its alert and closes before reading the rest, which resets the
    /// client's next write; reading lets OpenSSL see that alert (`TLSContext+Alerts`). What the
    /// read yields is not delivered: the connection ends as closed by the peer either way.
    private func abortAfterWriteReset() {
        if !isServer {
            let scratch = loop.readScratch
            _ = classify(SSL_read(ssl, scratch.baseAddress, Int32(scratch.count)))
        }
        abort(.peerClosed)
    }

    private func applyBackpressure() {
        if outbound.byteCount >= limits.writeQueueHighWaterBytes {
            readingPausedByBackpressure = true
        } else if readingPausedByBackpressure, outbound.byteCount < limits.writeQueueLowWaterBytes {
            readingPausedByBackpressure = false
            handler?.connectionDidBecomeWritable(self)
            if state == .open { scheduleReadContinuation() }
        }
    }

    /// close_notify, then half-close and linger: the peer reads our last bytes
    /// before it sees the end, and unread input cannot turn into a reset.
    private func finishGracefulClose() {
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
        guard Glibc.shutdown(descriptor, Int32(SHUT_WR)) == 0 else { return abort(closeReason ?? .local("closed")) }
        state = .lingering
        deadlines.close = loop.now.advanced(by: limits.lingerTimeout)
        deadlines.armedTimer.map { loop.cancelTimer($0.id) }
        deadlines.armedTimer = nil
        armDeadlineTimer()
        updateInterest()
    }

    /// Reads and drops whatever the peer still sends until it closes, within bounds.
    func discardLingeringInput() {
        let scratch = loop.readScratch
        while state == .lingering {
            let count = Glibc.read(descriptor, scratch.baseAddress, scratch.count)
            if count > 0 {
                lingerDiscardedBytes += count
                guard lingerDiscardedBytes <= limits.lingerDiscardBytesMaximum else { return abort(closeReason ?? .local("closed")) }
                continue
            }
            if count < 0, errno == EAGAIN || errno == EINTR { return }
            return abort(closeReason ?? .local("closed"))
        }
    }

    func updateInterest() {
        guard state != .closed else { return }
        var interest: UInt32 = 0
        switch state {
        case .connecting:
            interest = EPOLLOUT.rawValue
        case .handshaking:
            interest = sslWantsWrite ? EPOLLOUT.rawValue : EPOLLIN.rawValue
        case .lingering:
            interest = EPOLLIN.rawValue
        case .open, .closing:
            let reading = !readingPausedByHandler && !readingPausedByBackpressure
            if reading || sslWantsRead || state == .closing { interest |= EPOLLIN.rawValue }
            if readingPausedByHandler, closesWhenPeerHangsUp, state == .open { interest |= EPOLLRDHUP.rawValue }
            if sslWantsWrite { interest |= EPOLLOUT.rawValue }
        case .closed:
            return
        }
        guard interest != registeredInterest else { return }
        registeredInterest = interest
        loop.modify(descriptor, interest: interest)
    }
}
