import Observability
import Primitives
import Telemetry
import Transport
import Wire

extension AgentGateway {
    /// This node's leadership as the gateway last saw it.
    struct Leadership: Equatable {
        var term: UInt64 = 0
        var name = ""
        /// Since when this node leads in `term`; nil when it does not.
        var since: MonotonicInstant?
        var leaseExpiresAt: MonotonicInstant?

        func isActing(at now: MonotonicInstant) -> Bool {
            since != nil && (leaseExpiresAt.map { now < $0 } ?? false)
        }
    }

    /// An agent's open connection, held weakly: the connection owns its
    /// channel, so a channel still alive here has a live connection, and a
    /// closed one is never touched again.
    final class SessionChannel {
        weak var channel: FrameChannel?
        init(_ channel: FrameChannel) { self.channel = channel }
    }

    /// A handle on an agent connection that may be used from any thread.
    struct Session {
        let channel: LoopBound<SessionChannel>
        let identity: ObjectIdentifier

        init(_ channel: FrameChannel) {
            self.channel = LoopBound(SessionChannel(channel), loop: channel.connection.loop)
            identity = ObjectIdentifier(channel)
        }

        /// Runs `body` on the session's loop if its connection is still open.
        func ifOpen(_ body: @escaping @Sendable (FrameChannel) -> Void) {
            channel.withValueOnLoop { holder in
                if let open = holder.channel { body(open) }
            }
        }

        /// Tells the agent why its session is refused (an `agentRefusal` frame) and closes the connection.
        func refuse(_ reason: String, logger: Logger) {
            ifOpen { channel in
                channel.send(Frame(kind: FrameKind.agentRefusal.rawValue, payload: AgentSessionCodec.encodeRefusal(reason)),
                             what: "session refusal", refusalsTo: logger)
                channel.close(.local("session refused: \(reason)"))
            }
        }
    }
}
