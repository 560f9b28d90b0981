"""The benchmark's reading of wrk's report (the figures in docs/benchmarks.md come from it)."""

import pytest

from benchmarks.measure import parse_wrk

WRK_REPORT = """\
Running 6s test @ http://127.0.0.1:4010/customer-token/v1/tokens/tok_active/order
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.01ms    2.10ms 130.12ms   73.50%
    Req/Sec     2.01k   100.00     2.20k    99.10%
  Latency Distribution
     50%  750.00us
     75%    9.00ms
     90%   10.50ms
     99%    1.20s
  12060 requests in 6.00s, 5.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   2010.00
Transfer/sec:      0.83MB
"""


def test_reads_rate_percentiles_and_errors_across_units() -> None:
    load = parse_wrk(WRK_REPORT)
    assert load.rps == 2010.0
    assert load.p50_ms == pytest.approx(0.75)  # not the "73.50%" of the Stdev column
    assert load.p99_ms == pytest.approx(1200.0)
    assert load.non_2xx == 3


def test_no_completed_request_is_an_error_not_a_zero() -> None:
    report = WRK_REPORT.replace("750.00us", "-nanus").replace("  Non-2xx or 3xx responses: 3\n", "")
    with pytest.raises(ValueError, match="no latency"):
        parse_wrk(report)
    assert parse_wrk(WRK_REPORT.replace("  Non-2xx or 3xx responses: 3\n", "")).non_2xx == 0
