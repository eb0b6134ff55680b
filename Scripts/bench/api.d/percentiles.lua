-- wrk script for Scripts/bench/api: wrk's own summary, plus one line the script reads:
-- p50, p95 and p99 in microseconds from wrk's full latency record, and its error counts.
done = function(summary, latency, requests)
   io.write(string.format("bench-summary requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d " ..
      "non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), summary.errors.status, summary.errors.connect, summary.errors.read,
      summary.errors.write, summary.errors.timeout))
end
