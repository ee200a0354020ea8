"""A bilingual topic lexicon: knowledge of words and subjects that no corpus row needs to contain.

Each entry is a word stem (matched at the start of a word, so inflections and the head of a
Norwegian compound match too: ``kodegjennomgang``, ``kodegjennomgangen``) or a phrase of two
words, in bokmål or English, mapped to the subject it names. The subjects follow the definitions
in ``fit-categories.md`` but are subjects, not labels: the classifier learns how much each
subject says about the fit, next to the words themselves. A question then gets one extra token
per subject it mentions (``qqpractice``…), appended after its text, so a new word of a known
subject ("Sentry", "feature flags", "sykepengene") carries the subject's weight.

Longest match wins, so ``ledergruppe`` (the management group) is not ``leder`` (the manager).
"""
from __future__ import annotations

import re
from functools import cache
from typing import Iterable, Sequence

#: subject -> stems and two-word phrases (lower case).
TOPICS: dict[str, tuple[str, ...]] = {
    # how the work in the role is done: methods, tools, systems, engineering practice
    "practice": (
        "bug", "bugs", "feil", "feilrett", "code review", "kodegjennomgang", "kodereview",
        "review", "pull request", "pr", "prs", "merge", "branch", "trunk", "git", "test",
        "testing", "tdd", "qa", "kvalitetssikr", "deploy", "utrull", "release", "lanser",
        "ci", "cd", "pipeline", "build", "bygg", "on-call", "oncall", "call", "vakt",
        "beredskap", "pager", "incident", "hendelse", "postmortem", "post-mortem", "outage",
        "nedetid", "monitor", "overvåk", "alert", "logg", "observab", "disaster", "backup",
        "sikkerhetskopi", "recovery", "document", "dokument", "runbook", "wiki", "tool",
        "tools", "verktøy", "stack", "teknolog", "technolog", "framework", "rammeverk",
        "language", "språk", "programm", "kode", "code", "coding", "database", "cloud",
        "sky", "aws", "azure", "gcp", "kubernetes", "docker", "terraform", "infra",
        "architect", "arkitekt", "microservice", "monolit", "api", "refactor", "refaktor",
        "technical debt", "teknisk gjeld", "tech debt", "legacy", "sprint", "kanban", "scrum",
        "agile", "smidig", "standup", "stand-up", "estimat", "estimate", "backlog", "ticket",
        "jira", "workflow", "arbeidsflyt", "rutine", "routine", "prosedyre", "procedure",
        "metod", "method", "practice", "praksis", "system", "software", "programvare",
        "erp", "crm", "sap", "excel", "journal", "epj", "dips", "turnus", "rota", "skift",
        "shift", "vaktplan", "schedule", "feature flag", "feature", "automat", "data",
        "rapportering", "reporting", "budsjettprosess", "forecast", "prognose", "kpi",
        "dashboard", "analytics", "process for", "prosessen for", "handover", "overlapp",
    ),
    # what the person hired will do, carry and be measured on
    "role": (
        "responsib", "ansvar", "task", "oppgave", "duties", "plikt", "typical day",
        "vanlig dag", "arbeidsdag", "workday", "day to day", "hverdag", "expect", "forvent",
        "success", "lykkes", "suksess", "measure", "måle", "målt", "goal", "mål", "kpi",
        "target", "first 90", "90 days", "90 dager", "første måned", "first month",
        "first year", "første år", "workload", "arbeidsmengde", "arbeidsbelast", "hours",
        "arbeidstid", "timer", "overtime", "overtid", "travel", "reis", "remote",
        "hjemmekontor", "hjemmefra", "home office", "hybrid", "mandate", "mandat",
        "authority", "myndighet", "fullmakt", "decision rights", "beslutningsmyndighet",
        "vacant", "ledig", "predecessor", "forgjenger", "position", "stilling", "rollen",
        "role", "this job", "jobben", "challenge in", "utfordring i", "report to",
        "rapportere til", "title", "tittel", "probation", "prøvetid", "onboarding",
        "introduksjon", "opplæringsplan",
    ),
    # pay, benefits, leave, equipment, training and career for the person hired
    "terms": (
        "salary", "lønn", "pay", "compensation", "kompensasjon", "bonus", "commission",
        "provisjon", "equity", "stock", "aksje", "opsjon", "option", "pension", "pensjon",
        "insurance", "forsikring", "benefit", "goder", "perk", "frynsegode", "leave",
        "permisjon", "vacation", "ferie", "holiday", "fri", "parental", "foreldre",
        "paternity", "maternity", "sick", "syk", "egenmelding", "allowance", "tillegg",
        "car", "bil", "firmabil", "phone", "telefon", "mobil", "laptop", "pc", "mac",
        "equipment", "utstyr", "budget for", "training", "opplæring", "course", "kurs",
        "certif", "sertifi", "conference", "konferanse", "education", "utdanning",
        "videreutdann", "etterutdann", "study leave", "studiepermisjon", "career",
        "karriere", "promot", "forfrem", "advance", "avansement", "progression",
        "utvikling for meg", "development budget", "kompetanseutvikling", "tariff",
        "overenskomst", "union fee", "fagforeningskontingent", "relocation", "flytt",
    ),
    # the people around the role other than the manager
    "people": (
        "team", "teamet", "colleague", "kollega", "coworker", "co-worker", "peer",
        "the people", "folkene", "folk", "staff", "personal", "ansatte", "employees",
        "medarbeider", "collaborat", "samarbeid", "conflict", "konflikt", "uenighet",
        "morale", "stemning", "trivsel", "arbeidsmiljø", "atmosphere", "dynamic", "dynamikk",
        "turnover", "gjennomtrekk", "direct report", "reports to me", "lede", "lead a",
        "people i", "de jeg", "ledergruppe", "management team", "leadership team",
        "avdelingen", "department", "other teams", "andre team", "stakeholder",
        "interessent", "mentor", "buddy", "fadder", "sosial", "social", "lunch", "lunsj",
        "after work", "retro", "team building", "teambuilding", "knowledge sharing",
        "kunnskapsdeling", "skills in", "kompetansen i", "seniority", "senioritet",
    ),
    # the prospective manager as a person and leader
    "leader": (
        "management style", "leadership style", "lederstil", "ledelsesstil", "your style",
        "stilen din", "feedback", "tilbakemeld", "one-on-one", "1:1", "1-1", "1on1",
        "medarbeidersamtale", "oppfølgingssamtale", "micromanag", "detaljstyr", "delegat",
        "deleger", "coach", "you personally", "du personlig", "your own", "din egen",
        "ditt eget", "your background", "bakgrunnen din", "din bakgrunn", "you joined",
        "du begynte", "motivat", "motiver", "you lead", "du leder", "your team", "as a manager",
        "som leder", "as a leader", "your leadership", "ditt lederskap", "trust", "tillit",
        "support me", "støtte meg", "follow up", "følge opp", "oppfølging", "check in",
        "expect from me", "forventer av meg", "expect of me", "your expectations",
        "dine forventninger", "communicat", "kommuniser", "disagree with you", "uenig med deg",
        "handle mistakes", "håndterer feil", "your biggest", "din største",
    ),
    # the organisation as a whole
    "company": (
        "company", "selskap", "firma", "bedrift", "organisation", "organization",
        "organisasjon", "virksomhet", "kommune", "konsern", "foretak", "helseforetak",
        "kjede", "chain", "business", "strategy", "strategi", "vision", "visjon", "mission",
        "misjon", "values", "verdier", "verdigrunnlag", "culture", "kultur", "market",
        "marked", "competitor", "konkurrent", "profitab", "lønnsom", "revenue", "omsetning",
        "inntekt", "funding", "finansier", "investor", "owner", "eier", "board", "styre",
        "growth", "vekst", "layoff", "nedbemann", "oppsigelse", "cuts", "kutt", "reorgani",
        "omorganiser", "omstilling", "merger", "fusjon", "oppkjøp", "acquisition",
        "diversity", "mangfold", "inclusion", "inkludering", "sustainab", "bærekraft",
        "climate", "klima", "reputation", "omdømme", "rykte", "history", "historie",
        "ceo", "daglig leder", "toppledelse", "leadership of", "policy", "policies",
        "retningslinje", "politikk", "ipo", "runway", "customers", "kunder", "products",
        "produkter", "industry", "bransje", "sector", "sektor", "future of", "fremtid",
        "five years", "fem år", "ten years", "ti år", "work here", "jobbe her",
        "working here", "employer", "arbeidsgiver",
    ),
    # the hiring process and practicalities of the interview
    "hiring": (
        "next step", "neste steg", "next steps", "videre prosess", "timeline", "tidslinje",
        "tidsplan", "hear back", "høre fra", "hear from", "svar fra", "interview",
        "intervju", "intervjuet", "second interview", "andregangsintervju", "hiring process",
        "ansettelsesprosess", "rekrutteringsprosess", "recruitment process", "process look",
        "candidates", "kandidat", "reference", "referanse", "offer", "tilbud", "start date",
        "oppstart", "tiltred", "notice period", "oppsigelsestid", "decision by",
        "bestemmelse", "case", "assignment", "oppgaven i", "test i", "assessment",
        "personlighetstest", "background check", "bakgrunnssjekk", "politiattest",
        "vandel", "visa", "sponsor", "take notes", "notater", "time left", "tid igjen",
        "anything else", "noe mer", "concerns about me", "betenkeligheter", "my profile",
        "min profil", "my background", "min bakgrunn", "my application", "søknaden",
        "meet the team", "møte teamet", "shadow", "hospitere",
    ),
}

TAG_PREFIX = "qq"


@cache
def _index() -> tuple[dict[str, str], dict[str, str], int]:
    """(single-word stem -> subject, two-word phrase -> subject, longest stem length)."""
    words: dict[str, str] = {}
    phrases: dict[str, str] = {}
    for subject, stems in TOPICS.items():
        for stem in stems:
            (phrases if " " in stem else words).setdefault(stem, subject)
    return words, phrases, max(map(len, words))


@cache
def _phrase_starts() -> frozenset[str]:
    """First words of the two-word phrases: only these can start a phrase match."""
    return frozenset(p.split(" ", 1)[0] for p in _index()[1])


_WORD = re.compile(r"[^\W_]+(?:[-:][^\W_]+)*")


@cache
def _word_subject(token: str) -> str | None:
    words, _, longest = _index()
    return next((words[token[:k]] for k in range(min(len(token), longest), 1, -1)
                 if token[:k] in words and (k == len(token) or k >= 4)), None)


@cache
def _pair_subject(first: str, second: str) -> str | None:
    _, phrases, _ = _index()
    pair = f"{first} {second}"
    return next((phrases[pair[:k]] for k in range(len(pair), len(first) + 1, -1)
                 if pair[:k] in phrases), None)


def topics_of(text: str) -> list[str]:
    """The subjects ``text`` mentions, in order of first mention (each once).

    Examples
    --------
    >>> topics_of("How do you track bugs and do code reviews?")
    ['practice']
    >>> topics_of("Hvordan er lederstilen din, og hvordan gir du tilbakemelding?")
    ['leader']
    """
    tokens = _WORD.findall(text.casefold())
    starts = _phrase_starts()
    found: list[str] = []
    for i, token in enumerate(tokens):
        subject = (_pair_subject(token, tokens[i + 1])
                   if i + 1 < len(tokens) and token in starts else None)
        if subject is None:
            subject = _word_subject(token)
        if subject is not None and subject not in found:
            found.append(subject)
    return found


def with_topics(texts: Iterable[object]) -> list[str]:
    """Each text with one token per subject it mentions appended (``qqpractice``…)."""
    out = []
    for text in texts:
        text = text if isinstance(text, str) else ""
        tags = " ".join(TAG_PREFIX + s for s in topics_of(text))
        out.append(f"{text} {tags}" if tags else text)
    return out


def is_tag(term: str) -> bool:
    """Whether an n-gram name from `explain` is (or contains) a subject token."""
    return TAG_PREFIX + "" in term and any(TAG_PREFIX + s in term for s in TOPICS)


def subjects() -> Sequence[str]:
    return tuple(TOPICS)
