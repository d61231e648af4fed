"""The Dask engine of ``openends run``: the same project, its answers in partitions on a
Dask cluster (a local one sized to this machine, or a running scheduler's).

- :mod:`~openends.distributed.cluster`: starting or connecting to the cluster;
- :mod:`~openends.distributed.partitions`: the partition files of a run;
- :mod:`~openends.distributed.tasks`: what the workers run, one partition at a time;
- :mod:`~openends.distributed.steps`: the run's steps, as the local engine's.

Example::

    from openends.project import run_project
    run_project("corpora/project.toml", engine="dask")
"""
