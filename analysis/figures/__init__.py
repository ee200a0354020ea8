"""The figures, each defined once: pure functions of the store's frames (per-session figures,
follow-up threads, coverage, depth, feedback and what of it may be shown, comparison, rater
agreement, the process check).

The pages, the command line and the exports all show the numbers computed here; the pages look
figures up by name in this package (``ui.metric("session_figures", ...)``).
"""
from analysis.figures.agreement import (
    ALPHA_GOOD,
    ALPHA_TENTATIVE,
    MIN_AGREEMENT_SESSIONS,
    agreement,
    agreement_reading,
    recruitment_agreement,
)
from analysis.figures.compare import (
    COMPARISON_FIGURES,
    Comparison,
    attention,
    compare_finalists,
    fairness_by_recruitment,
    fairness_flags,
    recruitment_overview,
    with_scores,
)
from analysis.figures.feedback import (
    SharedFeedback,
    feedback_distribution,
    feedback_summary,
    feedback_trend,
    mean_ci,
    nps,
    shared_feedback,
)
from analysis.figures.process import (
    CHECK_STATUSES,
    MANAGER_MINUTES,
    RULES,
    CheckLine,
    process_check,
    process_checks,
    recruitment_check,
)
from analysis.figures.sessions import (
    ALL,
    FAIR_MINUTES,
    FIGURE_COLUMNS,
    FIT_COUNT_COLUMNS,
    SCORE_COLUMNS,
    MAX_COMPARED,
    Filters,
    coverage_panels,
    coverage_scale,
    dug_into,
    figure_records,
    filter_by_sessions,
    filter_feedback,
    filter_sessions,
    fit_matrix,
    held,
    recruitments_by_recency,
    session_figures,
    session_minutes,
)
from analysis.figures.threads import (
    CONVERSATION_COLUMNS,
    conversation,
    follow_up_counts,
    reading_order,
    short_text,
    with_depth,
)

__all__ = [
    "ALL", "ALPHA_GOOD", "ALPHA_TENTATIVE", "CHECK_STATUSES", "COMPARISON_FIGURES", "CONVERSATION_COLUMNS",
    "CheckLine",
    "Comparison", "FAIR_MINUTES", "FIGURE_COLUMNS", "FIT_COUNT_COLUMNS", "Filters",
    "MANAGER_MINUTES", "MAX_COMPARED", "MIN_AGREEMENT_SESSIONS", "RULES", "SCORE_COLUMNS", "SharedFeedback",
    "agreement", "agreement_reading", "attention", "compare_finalists", "conversation",
    "coverage_panels", "coverage_scale", "dug_into",
    "fairness_by_recruitment", "fairness_flags", "feedback_distribution", "feedback_summary",
    "feedback_trend", "figure_records", "filter_by_sessions", "filter_feedback", "filter_sessions",
    "fit_matrix", "follow_up_counts", "held", "mean_ci", "nps",
    "process_check", "process_checks", "reading_order", "recruitment_agreement",
    "recruitments_by_recency", "short_text",
    "recruitment_check", "recruitment_overview", "session_figures", "session_minutes",
    "shared_feedback", "with_depth", "with_scores",
]
