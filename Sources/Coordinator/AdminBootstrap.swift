import Access
import Cluster
import Fleet
import Observability
import Primitives
import Transport

/// Makes the first admin of a new cluster (Docs/ACCESS.md): on the acting leader, while the
/// replicated state has no users and no signing keys and this coordinator was given the
/// founding password, it hashes the password on the hashing pool (a fresh salt), makes the
/// first signing key and proposes `bootstrapAdmin`, retrying with bounded backoff until the
/// cluster has its admin. Once the state has users or keys it forgets the password. Confined to
/// the Raft loop, like `TicketKeyRotation`; `RaftService` owns it and drives it every tick.
final class AdminBootstrap: @unchecked Sendable {
    static let adminName = "admin"

    private let pool: PasswordHashingPool
    private let loop: EventLoop
    private let logger: Logger
    private var password: String?
    private var digest: PasswordDigest?
    private var isBusy = false
    private var nextAttemptAt = MonotonicInstant(nanoseconds: 0)
    private var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10), seed: UInt64.random(in: 0...UInt64.max))

    init(password: String, pool: PasswordHashingPool, loop: EventLoop, logger: Logger) {
        self.password = password
        self.pool = pool
        self.loop = loop
        self.logger = logger
    }

    /// Takes the next step when one is due: hashing first, then proposing.
    func proposeIfDue(fleet: FleetState, isLeaseValid: Bool,
                      submit: (ClusterRequest, @escaping @Sendable (ClusterOutcome) -> Void) -> Void) {
        guard let password else { return }
        guard fleet.users.isEmpty, fleet.signingKeys.isEmpty else { return finish() }
        let now = MonotonicInstant.now()
        guard !isBusy, isLeaseValid, now >= nextAttemptAt else { return }
        isBusy = true
        guard let digest else { return hash(password) }
        let key: SigningKeyRecord
        do {
            key = try Self.newSigningKey(nowMilliseconds: WallClock.nowMilliseconds())
        } catch {
            return failed("cannot make the first signing key", detail: "\(error)")
        }
        let admin = UserRecord(name: Self.adminName, role: .admin, digest: digest,
                               passwordChangedAtMilliseconds: WallClock.nowMilliseconds())
        submit(.write(FleetCodec.encode(.bootstrapAdmin(admin, signingKey: key)))) { [self] outcome in
            switch outcome {
            case let .applied(.adminBootstrapped(name)):
                logger.info("bootstrapped the first admin", ["user": name])
                finish()
            case .applied(.bootstrapSkipped):
                finish()
            default:
                failed("proposing the first admin failed; retrying", detail: outcome.logSummary)
            }
        }
    }

    /// A new signing key: a random 8-byte id and 32-byte secret.
    static func newSigningKey(nowMilliseconds: UInt64) throws(AccessCryptoError) -> SigningKeyRecord {
        SigningKeyRecord(id: try SecureRandom.bytes(SigningKeyRecord.idBytes), secret: try SecureRandom.bytes(SigningKeyRecord.secretBytes),
                         createdAtMilliseconds: nowMilliseconds)
    }

    private func hash(_ password: String) {
        let salt: [UInt8]
        do {
            salt = try SecureRandom.bytes(PasswordDigest.saltBytes)
        } catch {
            return failed("cannot draw a salt for the first admin's password", detail: "\(error)")
        }
        let accepted = pool.submit(on: loop, { Result { () throws(AccessCryptoError) in
            try PasswordHasher.digest(password: password, salt: salt)
        } }, answer: { [self] answer in
            switch answer {
            case let .done(.success(made)):
                digest = made
                isBusy = false
            case let .done(.failure(error)):
                failed("cannot hash the first admin's password", detail: "\(error)")
            case .stopping:
                break
            }
        })
        if !accepted { failed("cannot hash the first admin's password yet; retrying", detail: "the hashing queue is full") }
    }

    private func failed(_ message: String, detail: String) {
        logger.warning(message, ["detail": detail])
        isBusy = false
        nextAttemptAt = MonotonicInstant.now().advanced(by: backoff.nextDelay())
    }

    private func finish() {
        password = nil
        digest = nil
    }
}
