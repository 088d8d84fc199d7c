"""Many people at once, on real threads: each call in a thread of its own, all released at the
same instant, each thread's database connection closed after it (the transactional tests'
threads open their own)."""

import threading

from django.db import connection


def run_at_once(calls, refused=()):
    """Runs every callable of `calls` at once. Returns, in their order, ("ok", its value),
    ("refused", the error) for an exception in `refused` (the rules saying no), or ("error",
    the exception) for anything else."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = ("ok", call())
        except refused as error:
            results[index] = ("refused", error)
        except Exception as error:  # noqa: BLE001 - any other error is what a test looks for
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def errors_of(results):
    """The unexpected exceptions among run_at_once's results."""
    return [value for kind, value in results if kind == "error"]
