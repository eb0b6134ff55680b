import Access
import Cluster
import Dispatch
import Fleet
import Locking
import Observability
import Primitives
import Transport
import Wire

/// The approval webhooks' delivery (Docs/DEPLOYMENTS.md, "Approval webhook"). Raft's views only
/// leave their deployments and webhooks here (`follow`, on the Raft loop, cheap); a thread of its
/// own, every `stepMilliseconds` while this coordinator leads with a valid lease, turns changes of
/// the approvals into notices (`ApprovalWatch`) and posts them signed (`WebhookPost`), one at a
/// time, each within `requestTimeout`, retried with jittered exponential backoff up to
/// `attemptsMaximum` attempts. The queue holds `queueCapacity` deliveries and drops the oldest
/// when full; delivered, failed (out of attempts) and dropped deliveries are counted on
/// `/metrics`. A new term starts a fresh watch, which re-sends the approvals still pending once.
/// So neither the driver nor the Raft loop ever waits for a receiver. `start` begins the thread,
/// `stop` gives what is queued one last attempt within `drainBound`, then joins it.
final class ApprovalWebhooks: Sendable {
    static let stepMilliseconds = 250
    static let requestTimeout: Duration = .seconds(5)
    static let attemptsMaximum = 6
    static let queueCapacity = 256
    static let drainBound: Duration = .seconds(5)
    static let backoffInitial: Duration = .seconds(1)
    static let backoffMaximum: Duration = .seconds(60)

    struct Delivery: Sendable {
        let id: String
        let event: String
        let environment: String
        let body: [UInt8]
        let sentAtMilliseconds: UInt64
        var attempts = 0
        var notBefore: MonotonicInstant
        var backoff: Backoff
    }

    private struct Followed {
        var deployments: [DeploymentRecord] = []
        var webhooks: [String: ApprovalWebhook] = [:]
        var stopped = false
    }

    private struct Work {
        var watch = ApprovalWatch()
        var term: UInt64?
        var queue = DeliveryQueue<Delivery>(capacity: ApprovalWebhooks.queueCapacity)
    }

    private let gateway: AgentGateway
    private let post: WebhookPost
    private let logger: Logger
    private let delivered: Counter
    private let failed: Counter
    private let dropped: Counter
    private let followed = Locked(Followed())
    /// Touched only on the webhooks' thread.
    private let allowsLoopback: Bool
    private let work = Locked(Work())
    private let wake = DispatchSemaphore(value: 0)
    private let tlsGroup: EventLoopGroup
    private let thread = Locked<NativeThread?>(nil)

    /// `trustRootsPath`: the CA certificates the `https` receivers' certificates are checked against.
    /// `trustRootsPath`: a CA named by the operator, which must load (else this throws); nil: the
    /// system's trust roots, whose absence is only warned of (every `https` delivery then fails).
    init(gateway: AgentGateway, hmac: HMACSHA256, trustRootsPath: String?, allowsLoopback: Bool, logger: Logger,
         metrics: MetricsRegistry) throws(TransportError) {
        self.gateway = gateway
        self.allowsLoopback = allowsLoopback
        self.logger = logger.with(component: "approval-webhooks")
        tlsGroup = try EventLoopGroup(loopCount: 1)
        let path = trustRootsPath ?? CoordinatorConfiguration.approvalWebhookTrustRootsDefault
        let configuration = TLSConfiguration(certificateChainPath: nil, privateKeyPath: nil, trustRootsPath: path, peerVerification: .none)
        do {
            post = WebhookPost(hmac: hmac, client: .success(HTTPClient(group: tlsGroup, context: try TLSContext(configuration,
                                                                                                              side: .client))))
        } catch {
            guard trustRootsPath == nil else {
                tlsGroup.shutdown()
                throw error
            }
            post = WebhookPost(hmac: hmac, client: .failure(error))
            self.logger.warning("no CA certificates for approval webhooks; https deliveries fail", ["path": path, "error": "\(error)"])
        }
        delivered = metrics.counter("hotswap_approval_webhook_delivered_total",
                                    help: "Approval webhook deliveries a receiver answered 2xx.")
        failed = metrics.counter("hotswap_approval_webhook_failed_total",
                                 help: "Approval webhook deliveries given up after their last attempt.")
        dropped = metrics.counter("hotswap_approval_webhook_dropped_total",
                                  help: "Approval webhook deliveries dropped: the queue was full, or the coordinator stopped.")
    }

    /// Keeps the view's deployments and webhooks for the next step.
    func follow(_ view: ClusterView) {
        let deployments = Array(view.deployments.values)
        let webhooks = view.approvalWebhooks
        followed.withLock { followed in
            followed.deployments = deployments
            followed.webhooks = webhooks
        }
    }

    func start() {
        thread.withLock { $0 = NativeThread(name: "hs-webhooks") { [self] in run() } }
    }

    /// Ends the steps, gives each queued delivery one last attempt within `drainBound`, and joins the thread.
    func stop() {
        followed.withLock { $0.stopped = true }
        wake.signal()
        thread.withLock { $0 }?.join()
        tlsGroup.shutdown()
    }

    private func run() {
        while !followed.withLock({ $0.stopped }) {
            step()
            deliverDue(now: .now())
            _ = wake.wait(timeout: .now() + .milliseconds(Self.stepMilliseconds))
        }
        drain()
    }

    private func step() {
        let leadership = gateway.leadership
        let acting = leadership.isActing(at: gateway.clock.now())
        let (deployments, webhooks) = followed.withLock { ($0.deployments, $0.webhooks) }
        let notices = work.withLock { work -> [ApprovalNotice] in
            guard acting else { return [] }
            if work.term != leadership.term {
                work.term = leadership.term
                work.watch = ApprovalWatch()
            }
            return work.watch.notices(deployments) { webhooks[$0] != nil }
        }
        for notice in notices { enqueue(notice, term: leadership.term) }
    }

    private func enqueue(_ notice: ApprovalNotice, term: UInt64) {
        let random: [UInt8]
        do {
            random = try SecureRandom.bytes(8)
        } catch {
            logger.warning("an approval notice has no delivery id; not sent", ["deployment": notice.deployment, "error": "\(error)"])
            return
        }
        let id = "\(notice.deployment)-\(term)-" + HexText.lowercase(random)
        let now = WallClock.nowMilliseconds()
        let seed = random.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let delivery = Delivery(id: id, event: notice.event.rawValue, environment: notice.environment,
                                body: notice.body(deliveryID: id, sentAtMilliseconds: now), sentAtMilliseconds: now,
                                notBefore: .now(), backoff: Backoff(initial: Self.backoffInitial, maximum: Self.backoffMaximum, seed: seed))
        if let lost = work.withLock({ $0.queue.append(delivery) }) {
            dropped.increment()
            logger.warning("the approval webhook queue is full; its oldest delivery was dropped", ["delivery": lost.id])
        }
    }

    /// Attempts each queued delivery that is due, once; the others wait their turn. A stop ends
    /// the round after the attempt under way, so `drain` bounds what is left.
    private func deliverDue(now: MonotonicInstant) {
        let count = work.withLock { $0.queue.count }
        for _ in 0..<count {
            guard !followed.withLock({ $0.stopped }), var delivery = work.withLock({ $0.queue.popFirst() }) else { return }
            guard delivery.notBefore <= now else {
                requeue(delivery)
                continue
            }
            delivery.attempts += 1
            guard let reason = attempt(delivery, timeout: Self.requestTimeout) else { continue }
            guard delivery.attempts < Self.attemptsMaximum else {
                failed.increment()
                logger.warning("an approval webhook delivery failed its last attempt",
                               ["delivery": delivery.id, "attempts": "\(delivery.attempts)", "reason": reason])
                continue
            }
            delivery.notBefore = MonotonicInstant.now().advanced(by: delivery.backoff.nextDelay())
            logger.info("an approval webhook delivery failed; it is tried again",
                        ["delivery": delivery.id, "attempt": "\(delivery.attempts)", "reason": reason])
            requeue(delivery)
        }
    }

    private func requeue(_ delivery: Delivery) {
        if let lost = work.withLock({ $0.queue.append(delivery) }) {
            dropped.increment()
            logger.warning("the approval webhook queue is full; its oldest delivery was dropped", ["delivery": lost.id])
        }
    }

    /// One POST; nil once delivered (counted), else why not. A webhook removed since is no failure.
    private func attempt(_ delivery: Delivery, timeout: Duration) -> String? {
        guard let webhook = followed.withLock({ $0.webhooks[delivery.environment] }),
              case let .success(url) = WebhookURL.parse(webhook.url) else {
            logger.info("an approval webhook was removed before its delivery", ["delivery": delivery.id])
            return nil
        }
        if let refusal = ApprovalWebhookRoutes.loopbackRefusal(webhook.url, allowsLoopback: allowsLoopback) { return refusal }
        let signature: [UInt8]
        do {
            signature = try post.hmac.authenticate(delivery.body, key: webhook.secret)
        } catch {
            return "signing failed: \(error)"
        }
        let headers = WebhookPost.headers(body: delivery.body, signature: signature, event: delivery.event, deliveryID: delivery.id,
                                          sentAtMilliseconds: delivery.sentAtMilliseconds)
        guard let reason = post.send(delivery.body, headers: headers, to: url, timeout: timeout) else {
            delivered.increment()
            logger.info("an approval webhook delivery was answered 2xx", ["delivery": delivery.id, "event": delivery.event])
            return nil
        }
        return reason
    }

    /// On stop: one last attempt for each queued delivery, all within `drainBound` (each attempt's
    /// timeout is what is left of it); the rest are dropped, counted.
    private func drain() {
        let deadline = MonotonicInstant.now().advanced(by: Self.drainBound)
        var droppedCount = 0
        while let delivery = work.withLock({ $0.queue.popFirst() }) {
            let left = MonotonicInstant.now().duration(until: deadline)
            guard left > .zero else {
                droppedCount += 1
                continue
            }
            if attempt(delivery, timeout: min(left, Self.requestTimeout)) != nil { failed.increment() }
        }
        if droppedCount > 0 {
            dropped.increment(by: droppedCount)
            logger.warning("approval webhook deliveries dropped at shutdown", ["count": "\(droppedCount)"])
        }
    }
}
