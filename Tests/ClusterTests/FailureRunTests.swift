import Cluster
import Testing

@Suite struct FailureRunTests {
    @Test func aRunIsCountedOnceUntilASuccessOrAnotherTarget() {
        var run = FailureRun<String>()
        var counted: [Bool] = []
        for target in ["a", "a", "a", "b", "b"] { counted.append(run.failed(target)) }
        #expect(counted == [true, false, false, true, false], "retries of one target are one run; another target starts one")
        run.succeeded()
        run.succeeded()
        let afterSuccess = run.failed("b")
        let retried = run.failed("b")
        #expect(afterSuccess && !retried, "the first failure after a success starts a run")
    }
}
