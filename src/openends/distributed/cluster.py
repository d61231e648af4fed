"""The Dask cluster a run uses: a local cluster sized to this machine, or a running
scheduler's.

A local cluster has one single-threaded worker process per core (the models the steps
use are not thread-safe, and processes give each worker its own memory), sharing the
machine's memory; ``[engine]`` can change both. Workers of a remote scheduler must have
the same version of openends installed and see the project's files and output folder at
the same paths (a shared filesystem): the client checks the version and says so.

Example::

    with dask_client(EngineConfig(name="dask")) as client:
        client.submit(sum, [1, 2]).result()
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from openends.config import EngineConfig
from openends.errors import ConfigError

RETRIES = 2
"""A task that raised is tried again this many times (a lost worker's tasks are rerun by
Dask itself, up to ``distributed.scheduler.allowed-failures`` times)."""
CONNECT_SECONDS = 10


def dask_available() -> None:
    """A clear error naming the extra to install when Dask is missing."""
    import importlib.util

    if any(importlib.util.find_spec(name) is None for name in ("dask", "distributed")):
        raise ConfigError("--engine dask needs Dask: pip install 'openends[dask]'")


@contextlib.contextmanager
def dask_client(settings: EngineConfig, scheduler: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` connected to ``scheduler`` (default: the settings'), or to
    a local cluster started for the block and closed after it."""
    dask_available()
    from distributed import Client, LocalCluster

    address = scheduler or settings.scheduler
    with contextlib.ExitStack() as stack:
        if address:
            try:
                client = stack.enter_context(Client(  # type: ignore[no-untyped-call]
                    address, timeout=CONNECT_SECONDS))
            except (OSError, TimeoutError, ValueError) as error:
                raise ConfigError(f"engine.scheduler: cannot reach the Dask scheduler at "
                                  f"{address} ({error}); check the address and that it "
                                  "is running") from None
        else:
            workers = settings.workers or os.cpu_count() or 1
            cluster = stack.enter_context(LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                memory_limit=settings.memory_limit or "auto", dashboard_address=None,
                silence_logs=logging.ERROR, env=_worker_env()))
            client = stack.enter_context(Client(cluster))  # type: ignore[no-untyped-call]
        check_workers(client)
        yield client


def _worker_env() -> dict[str, str]:
    """What workers of a local cluster must see as this process does: the cache and the
    offline switches."""
    names = ("OPENENDS_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "PYTHONHASHSEED")
    env = {name: os.environ[name] for name in names if name in os.environ}
    return {"HF_HUB_OFFLINE": "1", **env}


def check_workers(client: Any) -> None:
    """Every worker runs the same openends as this process; there is at least one."""
    import importlib.metadata

    from openends import __version__

    versions = client.run(importlib.metadata.version, "openends", on_error="return")
    versions = {worker: version if isinstance(version, str) else None
                for worker, version in versions.items()}
    if not versions:
        raise ConfigError("engine: the Dask cluster has no workers; start some and run again")
    other = {worker: version for worker, version in versions.items() if version != __version__}
    if other:
        worker, version = next(iter(other.items()))
        raise ConfigError(f"engine: worker {worker} runs openends {version or '(missing)'}, "
                          f"this process {__version__}; install the same version on every "
                          "worker")


def describe(client: Any) -> dict[str, Any]:
    """The cluster as the manifest records it: scheduler, workers, threads, memory."""
    info = client.scheduler_info()
    workers = info.get("workers", {})
    return {"scheduler": info.get("address", ""), "workers": len(workers),
            "threads": sum(int(worker.get("nthreads", 0)) for worker in workers.values()),
            "memory_limit": sum(int(worker.get("memory_limit", 0) or 0)
                                for worker in workers.values())}
