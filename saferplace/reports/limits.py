"""Rate limits: how many times one network address, or one Open311 key, may do something in a
window of time. A fixed window counted in Django's cache (the process's memory by default, so
each server process counts on its own: configure a shared cache such as Redis in `CACHES` to
count across processes; see docs/decisions.md)."""

import hashlib
import time

from django.core.cache import cache


def allow(bucket: str, *, most: int, seconds: int) -> bool:
    """Count one more use of `bucket` (e.g. "report:192.0.2.10") in the current window of
    `seconds`; False once it has been used `most` times in the window."""
    window = int(time.time() // seconds)
    key = "limit:" + hashlib.sha256(f"{bucket}|{seconds}|{window}".encode()).hexdigest()[:40]
    if cache.add(key, 1, timeout=seconds + 1):
        return True
    try:
        return cache.incr(key) <= most
    except ValueError:  # the window ended between the two calls
        cache.add(key, 1, timeout=seconds + 1)
        return True
