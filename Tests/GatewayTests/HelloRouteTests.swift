import Gateway
import Telemetry
import Testing

struct HelloRouteTests {
    static func knowing(acting: Bool = false, leader: Bool = false, term: UInt64 = 7, leaderName: String? = "c1",
                        address: String = "127.0.0.1:7001") -> HelloRoute.Knowledge {
        HelloRoute.Knowledge(isActingLeader: acting, isLeader: leader, term: term, leaderName: leaderName,
                             leaderAgentAddress: address)
    }

    static let lostC1InTerm7 = FormerLeader(name: "c1", term: 7)

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let knowledge: HelloRoute.Knowledge
        let former: FormerLeader?
        let expired: Bool
        let route: HelloRoute
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "the acting leader welcomes", knowledge: knowing(acting: true, leader: true, leaderName: "c2"),
             former: lostC1InTerm7, expired: false, route: .admit),
        Case(name: "the acting leader welcomes even after the hold", knowledge: knowing(acting: true, leader: true),
             former: nil, expired: true, route: .admit),
        Case(name: "a follower naming a live leader redirects a new agent", knowledge: knowing(),
             former: nil, expired: false, route: .redirect),
        Case(name: "a follower that still names the lost leader in its term holds", knowledge: knowing(),
             former: lostC1InTerm7, expired: false, route: .hold),
        Case(name: "a follower that already knows the next term's leader redirects", knowledge: knowing(term: 8, leaderName: "c2"),
             former: lostC1InTerm7, expired: false, route: .redirect),
        Case(name: "a follower naming another leader of the same term redirects", knowledge: knowing(leaderName: "c3"),
             former: lostC1InTerm7, expired: false, route: .redirect),
        Case(name: "the lost leader re-elected in a later term is redirected to", knowledge: knowing(term: 9),
             former: lostC1InTerm7, expired: false, route: .redirect),
        Case(name: "mid-election (no leader known) holds", knowledge: knowing(term: 8, leaderName: nil, address: ""),
             former: nil, expired: false, route: .hold),
        Case(name: "a leader whose agent address is not published yet holds", knowledge: knowing(leaderName: "c2", address: ""),
             former: nil, expired: false, route: .hold),
        Case(name: "an elected leader whose lease is not established yet holds", knowledge: knowing(leader: true, leaderName: "c2"),
             former: lostC1InTerm7, expired: false, route: .hold),
        Case(name: "after the hold a follower answers with what it knows", knowledge: knowing(),
             former: lostC1InTerm7, expired: true, route: .redirect),
        Case(name: "after the hold even an empty redirect goes out", knowledge: knowing(term: 8, leaderName: nil, address: ""),
             former: nil, expired: true, route: .redirect),
    ]

    @Test(arguments: cases) func decides(_ example: Case) {
        #expect(HelloRoute.decide(example.knowledge, formerLeader: example.former, holdExpired: example.expired) == example.route)
    }
}
