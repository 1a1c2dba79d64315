"""A graceful restart (SIGHUP to the gunicorn master, as a deploy does) under load: new
workers take over, the old ones finish what they are serving, and no request fails."""

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.digest.factories import PostFactory
from tests.servers import fetch

CLIENTS = 8
SECONDS = 5


def test_hup_under_load_loses_no_request(app_server):
    posts = PostFactory.create_batch(12)
    server = app_server(workers=2)
    pages = ["/", "/archive/", "/feed/", *(post.get_absolute_url() for post in posts)]
    old_workers = set(server.worker_pids())
    stop = threading.Event()

    def reader(n):
        done, failures = 0, []
        while not stop.is_set():
            page = pages[(n + done) % len(pages)]
            try:
                status = fetch(server.url + page, timeout=15)[0]
            except OSError as error:
                status = repr(error)
            if status != 200:
                failures.append((page, status))
            done += 1
        return done, failures

    with ThreadPoolExecutor(CLIENTS) as pool:
        readers = [pool.submit(reader, n) for n in range(CLIENTS)]
        time.sleep(1)
        server.process.send_signal(signal.SIGHUP)
        time.sleep(SECONDS / 2)
        server.process.send_signal(signal.SIGHUP)
        time.sleep(SECONDS / 2)
        stop.set()
        results = [future.result() for future in readers]

    sent = sum(done for done, _ in results)
    failures = [failure for _, failed in results for failure in failed]
    print(f"\n{sent} requests across two graceful restarts, {len(failures)} failed")
    assert sent > 100
    assert failures == []
    assert not old_workers & set(server.worker_pids()), "the workers were not replaced"
