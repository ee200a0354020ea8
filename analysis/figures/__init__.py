"""The figures, each defined once: pure functions of the store's frames (per-session figures,
coverage, follow-up depth, feedback, comparison, rater agreement, the process check).

The pages, the command line and the exports all show the numbers computed here.
"""
from analysis.figures.sessions import (
    ALL, RECOMMENDED_MINUTES, FAIR_MINUTES, FIGURE_COLUMNS, FIT_COUNT_COLUMNS, SCORE_COLUMNS,
    Filters, filter_sessions, filter_by_sessions, filter_feedback, with_depth, session_minutes,
    held, session_figures, figure_records, fit_matrix, dug_into,
)
from analysis.figures.feedback import (
    t_quantile_975, mean_ci, feedback_summary, nps, feedback_distribution, feedback_trend,
)
from analysis.figures.compare import (
    recruitment_overview, attention, fairness_flags, fairness_by_recruitment, Comparison,
    COMPARISON_FIGURES, compare_finalists,
)
from analysis.figures.agreement import (
    ALPHA_GOOD, ALPHA_TENTATIVE, MIN_AGREEMENT_SESSIONS, agreement, agreement_reading,
    recruitment_agreement,
)
from analysis.figures.process import (
    CHECK_STATUSES, RULES, MANAGER_MINUTES, CheckLine, process_check, recruitment_check, PLAN_ITEMS,
    plan_state, set_plan, set_max_finalists, invitation_text,
)

__all__ = [
    "ALL", "RECOMMENDED_MINUTES", "FAIR_MINUTES", "FIGURE_COLUMNS", "FIT_COUNT_COLUMNS",
    "SCORE_COLUMNS", "Filters", "filter_sessions", "filter_by_sessions", "filter_feedback",
    "with_depth", "session_minutes", "held", "session_figures", "figure_records", "fit_matrix",
    "dug_into", "t_quantile_975", "mean_ci", "feedback_summary", "nps", "feedback_distribution",
    "feedback_trend", "recruitment_overview", "attention", "fairness_flags",
    "fairness_by_recruitment", "Comparison", "COMPARISON_FIGURES", "compare_finalists",
    "ALPHA_GOOD", "ALPHA_TENTATIVE", "MIN_AGREEMENT_SESSIONS", "agreement", "agreement_reading",
    "recruitment_agreement", "CHECK_STATUSES", "RULES", "MANAGER_MINUTES", "CheckLine", "process_check",
    "recruitment_check", "PLAN_ITEMS", "plan_state", "set_plan", "set_max_finalists",
    "invitation_text",
]
