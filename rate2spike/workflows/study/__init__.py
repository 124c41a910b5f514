"""Conversion studies: many independently trained nets per setting, each trained and swept as
one unit of work, run through Dask (local process pool by default, any Dask scheduler with
an address), stored per net so that a study resumes and extends without recomputing."""
from ...report.study_report import summarise, write_study_report
from .engine import run_study
from .plan import NetJob, StudySetting, plan_jobs

__all__ = ["NetJob", "StudySetting", "plan_jobs", "run_study", "summarise", "write_study_report"]
