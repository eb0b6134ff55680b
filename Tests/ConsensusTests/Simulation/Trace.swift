@testable import Consensus

/// What happened at one instant of a simulation, kept compactly and formatted only when printed.
enum TraceEvent: CustomStringConvertible {
    case deliver(Message)
    case drop(Message, reason: StaticString)
    case persist(NodeID, entries: Int, hardState: HardState?, messages: Int, committed: Int)
    case role(NodeID, Role, term: UInt64, leaseValid: Bool)
    case crash(NodeID)
    case restart(NodeID, term: UInt64, lastIndex: UInt64)
    case partition(cut: [(from: NodeID, to: NodeID)])
    case failedWrite(NodeID, keptParts: Int)
    case stall(NodeID, untilMicros: Int64)
    case resume(NodeID, ticks: Int)
    case drain
    case heal
    case clock(NodeID, tickIntervalMicros: Int64)
    case propose(NodeID, value: UInt64, error: ProposalError?)
    case transfer(NodeID, target: NodeID, error: ProposalError?)
    case membership(NodeID, MembershipChange, error: ProposalError?)
    case compact(NodeID, index: UInt64)
    case read(NodeID, id: UInt64, error: ProposalError?)
    case calm

    var description: String {
        switch self {
        case .deliver(let message): "deliver " + TraceEvent.describe(message)
        case .drop(let message, let reason): "drop(\(reason)) " + TraceEvent.describe(message)
        case .persist(let id, let entries, let hardState, let messages, let committed):
            "persist n\(id) entries=\(entries) hs=\(hardState.map { "\($0.term)/\($0.vote)/\($0.commit)" } ?? "-") "
                + "msgs=\(messages) apply=\(committed)"
        case .role(let id, let role, let term, let leaseValid):
            "n\(id) is \(role) term=\(term)\(leaseValid ? " lease" : "")"
        case .crash(let id): "crash n\(id)"
        case .restart(let id, let term, let lastIndex): "restart n\(id) term=\(term) last=\(lastIndex)"
        case .partition(let cut): "partition cuts " + cut.map { "n\($0.from)→n\($0.to)" }.joined(separator: " ")
        case .failedWrite(let id, let keptParts): "write failed n\(id), disk kept \(["nothing", "the snapshot", "everything"][keptParts])"
        case .stall(let id, let until): "stall n\(id) until \(until / 1000)ms"
        case .resume(let id, let ticks): "resume n\(id), \(ticks) missed ticks at once"
        case .drain: "--- drain: proposals stop ---"
        case .heal: "heal"
        case .clock(let id, let interval): "clock n\(id) tick=\(interval)µs"
        case .propose(let id, let value, let error): "propose n\(id) v\(value) \(error.map { "\($0)" } ?? "ok")"
        case .transfer(let id, let target, let error): "transfer n\(id)→n\(target) \(error.map { "\($0)" } ?? "ok")"
        case .membership(let id, let change, let error): "membership n\(id) \(change) \(error.map { "\($0)" } ?? "ok")"
        case .compact(let id, let index): "compact n\(id) through \(index)"
        case .read(let id, let readID, let error): "read n\(id) r\(readID) \(error.map { "\($0)" } ?? "ok")"
        case .calm: "--- calm: faults stop ---"
        }
    }

    static func describe(_ message: Message) -> String {
        var text = "\(message.kind) n\(message.from)→n\(message.to) t\(message.term)"
        switch message.kind {
        case .append:
            text += " prev=\(message.index)/\(message.logTerm) n=\(message.entries.count) commit=\(message.commit)"
        case .appendResponse:
            text += " index=\(message.index)" + (message.reject ? " reject hint=\(message.rejectHint)/\(message.logTerm)" : "")
        case .vote, .preVote:
            text += " last=\(message.index)/\(message.logTerm)" + (message.isLeadershipTransfer ? " transfer" : "")
        case .voteResponse, .preVoteResponse:
            text += message.reject ? " reject" : " grant"
        case .heartbeat:
            text += " commit=\(message.commit)"
        case .snapshot:
            text += " snap=\(message.snapshot?.metadata.index ?? 0)/\(message.snapshot?.metadata.term ?? 0)"
        default:
            break
        }
        return text
    }
}

/// The last `capacity` trace records (all of them, printed as they happen, when verbose).
struct TraceRing {
    struct Record {
        var time: Int64
        var event: TraceEvent
    }

    let capacity: Int
    let verbose: Bool
    private var records: [Record] = []
    private var start = 0

    init(capacity: Int, verbose: Bool) {
        self.capacity = capacity
        self.verbose = verbose
        records.reserveCapacity(capacity)
    }

    mutating func record(_ time: Int64, _ event: TraceEvent) {
        let entry = Record(time: time, event: event)
        if verbose { print(TraceRing.format(entry)) }
        if records.count < capacity {
            records.append(entry)
        } else {
            records[start] = entry
            start = (start + 1) % capacity
        }
    }

    func tail() -> [String] {
        (0..<records.count).map { TraceRing.format(records[(start + $0) % records.count]) }
    }

    private static func format(_ record: Record) -> String {
        let milliseconds = record.time / 1000
        let micros = record.time % 1000
        let padded = String(micros).count < 3 ? String(repeating: "0", count: 3 - String(micros).count) + String(micros) : String(micros)
        return "\(milliseconds).\(padded)ms \(record.event)"
    }
}
