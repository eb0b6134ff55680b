/// Renders metric families in the Prometheus text exposition format 0.0.4.
enum Exposition {
    static func render(_ families: [MetricFamily]) -> String {
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(PrometheusText.escapedHelp(family.help))\n"
            text += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for (labels, value) in family.sortedSeries {
                appendSamples(of: value, name: family.name, labels: labels, to: &text)
            }
        }
        return text
    }

    private static func appendSamples(of value: MetricSeries, name: String, labels: MetricLabels, to text: inout String) {
        switch value {
        case .counter(let counter):
            text += "\(name)\(labels.rendered()) \(counter.value)\n"
        case .gauge(let gauge):
            text += "\(name)\(labels.rendered()) \(PrometheusText.number(gauge.value))\n"
        case .gaugeFunction(let read):
            text += "\(name)\(labels.rendered()) \(PrometheusText.number(read()))\n"
        case .counterFunction(let read):
            text += "\(name)\(labels.rendered()) \(read())\n"
        case .gaugeCollection(let collection):
            text += collection.renderedLines(name: name)
        case .histogram(let histogram):
            appendHistogram(histogram, name: name, labels: labels, to: &text)
        }
    }

    private static func appendHistogram(_ histogram: Histogram, name: String, labels: MetricLabels, to text: inout String) {
        let snapshot = histogram.snapshot()
        let bounds = histogram.upperBounds.map(PrometheusText.number) + ["+Inf"]
        for (bound, cumulativeCount) in zip(bounds, snapshot.cumulativeCounts) {
            let bucketLabels = labels.rendered(extra: MetricLabels.Pair(name: "le", value: bound))
            text += "\(name)_bucket\(bucketLabels) \(cumulativeCount)\n"
        }
        text += "\(name)_sum\(labels.rendered()) \(PrometheusText.number(snapshot.sum))\n"
        text += "\(name)_count\(labels.rendered()) \(snapshot.count)\n"
    }
}
