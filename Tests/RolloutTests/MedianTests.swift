import Rollout
import Testing

@Suite struct MedianTests {
    @Test func anOddCountTakesTheMiddleValue() {
        #expect(Median.of([3, 1, 2]) == 2)
        #expect(Median.of([7]) == 7)
        #expect(Median.of([40, 41, 95, 40, 42]) == 41, "one spike is not a trend")
    }

    @Test func anEvenCountTakesTheMeanOfTheTwoMiddleValues() {
        #expect(Median.of([4, 1, 3, 2]) == 2.5)
        #expect(Median.of([41, 42]) == 41.5)
        #expect(Median.of([Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude]) == .greatestFiniteMagnitude)
    }

    @Test func nothingFiniteHasNoMedian() {
        #expect(Median.of([]) == nil)
        #expect(Median.of([.nan, .infinity, -.infinity]) == nil)
        #expect(Median.of([.nan, 5, .infinity, 1]) == 3, "NaN and infinities are left out")
    }
}
