import Testing
import Transport

/// The first value delivered is the one every wait returns; a later delivery changes nothing.
struct ResultWaiterTests {
    @Test func theFirstDeliveryWinsAndWaitsReturnIt() throws {
        let waiter = ResultWaiter<Int>()
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        group.loops[0].execute {
            waiter.deliver(1)
            waiter.deliver(2)
        }
        #expect(waiter.wait() == 1)
        #expect(waiter.wait() == 1)
    }
}
