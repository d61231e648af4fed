"""Survey projects: draft a project file (``openends init``) and run it (``openends run``).

Submodules load on first use.

Example (with the sample project)::

    from openends.project import run_project
    result = run_project("corpora/project.toml")
    [step.name for step in result.steps]
"""

from __future__ import annotations

from openends.lazy import lazy_getattr

_LAZY = {
    "ProjectDraft": "openends.project.draft",
    "WaveDraft": "openends.project.draft",
    "draft_project": "openends.project.draft",
    "write_draft": "openends.project.draft",
    "RunResult": "openends.project.run",
    "STEPS": "openends.project.run",
    "run_project": "openends.project.run",
}
__all__ = list(_LAZY)


__getattr__ = lazy_getattr("openends.project", _LAZY)
