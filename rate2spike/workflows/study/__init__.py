"""Conversion studies: many independently trained nets per setting, each trained and swept as
one unit of work, run through Dask (local process pool by default, any Dask scheduler with
an address), stored per net so that a study resumes and extends without recomputing."""
from .plan import NetJob, StudySetting, plan_jobs
from .engine import run_study
from ...report.study_report import summarise, write_study_report

__all__ = ["NetJob", "StudySetting", "plan_jobs", "run_study", "summarise", "write_study_report"]
