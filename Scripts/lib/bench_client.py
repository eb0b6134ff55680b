"""What the benchmarks' Python clients share (imported by Scripts/bench/*.d/*.py): the TLS
context they verify servers with, and the percentile they report."""
import ssl


def make_context(ca):
    """A client context that verifies the server's certificate and name against CA file `ca`."""
    context = ssl.create_default_context(cafile=ca)
    context.check_hostname = True
    return context


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list (NaN when it is empty)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, int(round(fraction * len(sorted_values) + 0.5 - 1e-9)))
    return sorted_values[min(rank, len(sorted_values)) - 1]
