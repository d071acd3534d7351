"""The pace of every SMS the receiver sends: the gateway's `sms-<gateway>` rate limit, shared or in-process.

With a Prefect API configured (PREFECT_API_URL), replies take slots of the same rate limit as the weekly
broadcast (`tasks/sms/rate_limits.py`), so both share the gateway's throughput: a reply waits for a slot,
never for the broadcast to finish. Without one, the receiver paces itself at the rate
deployments/limits.yaml gives that gateway. A gateway with no limit there is refused: nothing goes unpaced.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from prefect.settings import PREFECT_API_URL

from tasks.sms.rate_limits import gateway_pace, rate_limit_name, read_limits


class LocalRateLimit:
    """Prefect's rate limit in one process: `limit` slots, each freed at `slot_decay_per_second`.

    take(n) waits until n slots are free, then occupies them; n above the limit is taken limit by limit, as
    `gateway_pace` does on the server. `clock` and `sleep` are injectable so tests observe slots, not time.
    """

    def __init__(
        self,
        limit: int,
        slot_decay_per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or slot_decay_per_second <= 0:
            raise ValueError("a rate limit needs at least one slot and a positive decay")
        self.limit, self.decay = limit, slot_decay_per_second
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._occupied, self._at = 0.0, clock()
        self.taken = 0  # slots occupied since creation: what a test counts

    def _decay(self) -> None:
        now = self._clock()
        self._occupied = max(0.0, self._occupied - (now - self._at) * self.decay)
        self._at = now

    def take(self, n: int) -> None:
        for start in range(0, n, self.limit):
            self._take(min(self.limit, n - start))

    def _take(self, n: int) -> None:
        with self._lock:  # one taker at a time: slots are handed out in order
            self._decay()
            while self._occupied + n > self.limit:
                self._sleep((self._occupied + n - self.limit) / self.decay)
                self._decay()
            self._occupied += n
            self.taken += n


def local_rate_limit(gateway: str) -> LocalRateLimit:
    """The gateway's limit as deployments/limits.yaml defines it, held in this process."""
    name = rate_limit_name(gateway)
    spec = read_limits().get(name)
    if spec is None:
        raise RuntimeError(
            f"deployments/limits.yaml defines no rate limit {name!r}: {gateway} cannot be paced"
        )
    return LocalRateLimit(int(spec["limit"]), float(spec["slot_decay_per_second"]))


def sms_pace(gateway: str) -> Callable[[int], None]:
    """pace(n) before n messages go to the gateway: the server's limit if one is configured, else our own."""
    if PREFECT_API_URL.value():
        pace = gateway_pace(gateway)  # a limit missing on the server fails here
        if pace is None:  # a gateway the broadcast need not pace on the server is still paced here
            return local_rate_limit(gateway).take
        return pace
    return local_rate_limit(gateway).take
