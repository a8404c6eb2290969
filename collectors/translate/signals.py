"""What a dashboard panel or a query measures (rate, errors, duration, error budget, DORA), by its text.

Pure vocabulary shared by the repository, AWS and Azure collectors, so a dashboard read from a file and one read
from a cloud API are judged alike."""

from __future__ import annotations

import re

RED_RATE = re.compile(r"(?i)rate\(|requests?_total|request_?count|http_requests|\brps\b|throughput|invocations|\bhits\b")
RED_ERR = re.compile(r"(?i)5xx|5\.\.|code=~\\?\"5|status=~\\?\"5|status_code=~|error|fail")
RED_DUR = re.compile(r"(?i)histogram_quantile|duration|latency|response_?time|\bp9[059]\b|TargetResponseTime")
ERROR_BUDGET = re.compile(r"(?i)error.?budget|burn.?rate|slo:sli_error|pyrra|sloth")
DORA = re.compile(r"(?i)deploy(ment)?.?frequency|lead.?time.?(for.?)?change|change.?failure.?rate|time.?to.?restore|\bmttr\b|\bdora\b")
