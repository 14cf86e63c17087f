"""A real Celery worker (solo pool, in a thread) on our own Redis database, for delivery tests."""

import contextlib

import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from wardflux.celery import app

BROKER_URL = "redis://127.0.0.1:6379/13"  # db 13: the alerts tests' own


def _close_thread_connections(**kwargs) -> None:
    # The worker thread's own connections: closed after each task so the test DB can go.
    connections.close_all()


@contextlib.contextmanager
def celery_worker():
    try:
        client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
        client.flushdb()
    except redis.RedisError as exc:
        raise AssertionError(f"Redis at {BROKER_URL} is needed for the worker: {exc}") from exc
    saved = {k: app.conf.get(k) for k in ("broker_url", "broker_transport_options")}
    app.conf.update(broker_url=BROKER_URL, broker_transport_options={}, task_always_eager=False)
    _reset_pools()
    task_postrun.connect(_close_thread_connections, weak=False)
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING",
            shutdown_timeout=10,
        ):  # fmt: skip
            yield app
    finally:
        task_postrun.disconnect(_close_thread_connections)
        app.conf.update(saved)
        _reset_pools()
        client.flushdb()


def _reset_pools() -> None:
    # Dropped, not closed: kombu keeps producer pools per connection in a global registry,
    # and a closed pool left there fails the next test's send.
    app._pool = None
    app.amqp._producer_pool = None
