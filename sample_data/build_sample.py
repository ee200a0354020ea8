"""Write sample_data/omvendt_sample.xlsx, the workbook the app starts with.

Run ``.venv/bin/python sample_data/build_sample.py``. The content is written out below as a
recruiter would log it; the output is byte-for-byte the same on every run (fixed zip timestamps
and document properties), so a rebuild shows up in git only when the content changed.

Question blocks: one question a line. Leading ``>`` marks a follow-up to the nearest question one
level up (``>>`` follows up that follow-up, up to ``>>>``). A trailing ``[jobb]``-style tag is a
person's own fit label; most questions are left unlabelled, as in a real log.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

OUT = Path(__file__).resolve().parent / "omvendt_sample.xlsx"
_FIXED_STAMP = (2026, 1, 1, 0, 0, 0)
_FIXED_ISO = "2026-01-01T00:00:00Z"

D = dt.date
T = dt.time
DT = dt.datetime


@dataclass(frozen=True)
class Sess:
    """One finalist's reverse interview as the recruiter logged it."""

    key: str
    recruitment: str
    candidate: str
    date: dt.date
    start: dt.time | None
    end: dt.time | None
    manager_minutes: int | None
    status: str
    second_interview: dt.date
    manager: str
    questions: str = ""


DRIFT = "Driftssjef Bergen 2026"
SYKEPLEIE = "Avdelingsleder sykepleie, Sjukehuset Vest 2026"
FINTECH = "Engineering Manager, Oslo fintech 2026"

SESSIONS: list[Sess] = [
    # -- Driftssjef, vann og avløp i en bykommune ---------------------------------------------
    Sess("DB-01", DRIFT, "Ingrid Solheim", D(2026, 3, 4), T(9, 0), T(9, 36), 26, "gjennomført",
         D(2026, 3, 10), "Trond Helland", """
Hva er bakgrunnen for at stillingen er ledig nå?
> Hvor lenge hadde forgjengeren stillingen?
>> Og hva var det som gjorde at hen gikk videre – hvis du kan si noe om det?
Hva forventer du at driftssjefen har fått til etter det første året? [jobb]
> Hvordan måler dere det i dag, har dere konkrete KPI-er på driften?
Hvor mange ledere vil jeg ha direkte under meg, og hvor lenge har de vært her?
> Hvordan er samarbeidet mellom vakt og drift og prosjektavdelingen?
>> Du nevnte at det har vært litt friksjon der. Hva handler det om, tror du?
>>> Hvordan har du selv jobbet med det?
Hvordan er stemningen blant fagarbeiderne etter omorganiseringen i fjor?
Hvordan vil du beskrive din egen lederstil? [leder]
> Kan du gi et eksempel på en gang du måtte gi en krevende tilbakemelding til en av lederne dine?
Hvor ofte ser du for deg at vi to har faste møter?
Hva gjør du når du og en av lederne dine er uenige om en prioritering?
Hva fikk deg til å takke ja til jobben som direktør her?
Hva er de største utfordringene kommunen står overfor på vann og avløp de neste ti årene?
> Hvordan påvirker de økonomiske rammene vedlikeholdsetterslepet?
>> Er det politisk vilje til å prioritere fornyelse av ledningsnettet, eller må man kjempe for hver krone?
Hvordan vil du beskrive kulturen i etaten, sånn helt ærlig? [organisasjon]
Hvordan jobber dere med HMS, og hvordan har skadetallene utviklet seg?
Hvordan er beredskapen organisert, og forventes det at driftssjefen går i vakt?
Hvilke systemer bruker dere til driftsovervåking i dag? Er det SD-anlegg fra flere leverandører?
Hva er den viktigste beslutningen du tror den nye driftssjefen må ta det første halvåret?
Hvordan ser prosessen videre ut, og når kan jeg forvente å høre fra dere? [annet]
"""),
    Sess("DB-02", DRIFT, "Magnus Aase", D(2026, 3, 4), T(10, 30), T(11, 4), 22, "gjennomført",
         D(2026, 3, 10), "Trond Helland", """
Hvor mange timer er det i uka egentlig, blir det mye overtid?
Hva er lønnsrammen for stillingen?
> Er det rom for å forhandle på den?
Blir det firmabil, eller må jeg bruke egen bil?
Hvor mye reising blir det mellom anleggene?
Får jeg eget kontor på Nygårdstangen?
Hva slags pensjonsordning har dere, er det KLP?
Kan man jobbe hjemmefra en dag eller to i uka?
Hvor stort budsjett har driftssjefen ansvar for? [jobb]
Hvor mange ansatte er det totalt i driften?
Hvor lang er prøvetiden?
Er det mulighet for etterutdanning, for eksempel en lederutdanning på BI?
Hvem rapporterer driftssjefen til?
Når er tiltredelse tenkt?
Hvor mange kandidater er det igjen i prosessen?
når får vi svar
"""),
    Sess("DB-03", DRIFT, "Sofie Rasmussen", D(2026, 3, 4), None, None, None, "takket nei",
         D(2026, 3, 10), "Trond Helland"),
    # -- Avdelingsleder sykepleie, medisinsk klinikk ------------------------------------------
    Sess("AS-01", SYKEPLEIE, "Camilla Nygård", D(2026, 3, 12), T(8, 30), T(9, 5), 28,
         "gjennomført", D(2026, 3, 19), "Hilde Brekke", """
Hvorfor er stillingen ledig nå?
> Hvor lenge har den stått ubesatt, og hvem har fungert i mellomtiden?
Hvor mange årsverk er det i avdelingen, og hvordan er fordelingen mellom sykepleiere og helsefagarbeidere?
> Hvordan er sykefraværet blant de ansatte nå?
>> Hva tror dere selv er årsaken til at det har gått opp det siste året?
>>> Hva har dere allerede prøvd for å få det ned?
Hvordan er samarbeidet med legene på posten, særlig rundt visitten? [gruppe]
Hvordan er turnusen lagt opp i dag, og hvor mye innleie fra vikarbyrå har dere?
Hvilket handlingsrom har avdelingslederen til å ansette og omdisponere?
Hvordan vil du beskrive deg selv som leder?
> Hvordan liker du å bli holdt orientert – korte statusmøter eller skriftlig rapportering?
Hva forventer du av meg de første hundre dagene?
Hvordan håndterer du det når en avdelingsleder går over budsjett?
Hvordan følger du opp utviklingen til lederne dine? [leder]
Hvordan påvirker den økonomiske situasjonen i helseforetaket avdelingens planer?
> Er det planer om å slå sammen sengeposter?
Hva kjennetegner kulturen på sykehuset, hvis du skal si det med tre ord?
Hvordan jobber sykehuset med pasientsikkerhet og avvikskultur?
> Opplever du at de ansatte melder avvik uten å være redde for konsekvensene?
Hvordan er de tillitsvalgte involvert når dere gjør endringer?
Hvordan er arbeidsmiljøet i ledergruppa på klinikken?
Hva gjorde at du selv ville bli klinikksjef her?
Hva er neste steg, og hvem andre skal jeg møte?
"""),
    Sess("AS-02", SYKEPLEIE, "Eirik Haugland", D(2026, 3, 12), T(10, 0), T(10, 44), 24,
         "gjennomført", D(2026, 3, 19), "Hilde Brekke", """
Kan du si litt om avdelingen og pasientgruppen dere har?
Hvor mange senger har dere, og hvor høyt er belegget?
> Hvor ofte har dere korridorpasienter?
Hvordan er bemanningen på natt?
Hva er de største utfordringene for avdelingen akkurat nå?
> Og hvordan ser du for deg at avdelingslederen skal løse det?
Har avdelingsleder personalansvar for alle, eller har fagsykepleierne noe av det?
Hvordan er kompetansen blant sykepleierne, har mange videreutdanning?
Hvordan jobber dere med å rekruttere sykepleiere?
Hvordan er samarbeidet med kommunene om utskrivningsklare pasienter?
Hvor tett på avdelingene er du i hverdagen?
Hvordan er det å jobbe her, synes du?
Er det mulig å kombinere stillingen med litt klinisk arbeid? [jobb]
Hvilke verktøy har dere for ressursstyring, bruker dere GAT?
Sitter avdelingsleder på posten eller i kontorbygget?
Får avdelingsledere lederutdanning gjennom foretaket?
Hva er lønnsnivået for stillingen?
Hvor mange har søkt?
Når er oppstart tenkt?
Er det noe mer dere lurer på om meg?
"""),
    # Held on another day than the other two finalists: the process check flags it.
    Sess("AS-03", SYKEPLEIE, "Nora Lie Bakke", D(2026, 3, 16), T(13, 0), T(13, 33), 21,
         "gjennomført", D(2026, 3, 19), "Hilde Brekke", """
Hva er arbeidstiden for avdelingsleder?
Er det forventet at man jobber helg?
Hvor mange ansatte får jeg personalansvar for?
Hvordan er lønna sammenlignet med andre avdelingsledere i foretaket?
> Er det rom for å forhandle?
Hvilke oppgaver tar mest tid i hverdagen?
Hvordan er parkeringsmulighetene?
Har dere hjemmekontorordning for ledere?
Hvordan er ledergruppen satt sammen?
Hvordan er budsjettsituasjonen i avdelingen?
Hvordan blir man fulgt opp i starten?
Er det fast stilling?
Hvem tar avgjørelsen om ansettelse? [annet]
Når hører jeg fra dere?
Trenger dere referanser fra meg nå?
"""),
    # -- Engineering Manager, payments platform in Oslo (English-speaking team) ---------------
    Sess("EM-01", FINTECH, "Jonas Berg", D(2026, 4, 14), T(13, 0), T(13, 38), 25,
         "gjennomført", D(2026, 4, 21), "Martin Øverby", """
What's the story behind this role opening up?
> Is it a new team, or are you backfilling someone?
>> What did the previous manager do really well, and what would you like done differently?
How many engineers would report to me, and what's the seniority mix?
> How long have most of them been on the team?
>> Has there been much attrition in the last year?
>>> What did people say when they left, if you can share that?
How does the team work day to day? Scrum, Kanban, something homegrown?
How do product and engineering decide what goes into a quarter?
What does on-call look like for the payments platform?
How much hands-on coding do you expect from this role, if any? [job]
What's your own management style? How do you like to work with your direct reports? [supervisor]
> How do you give feedback – in the moment, or do you save it for 1:1s?
What does a great first 90 days look like, from where you sit?
How do you handle it when one of your EMs pushes back on a roadmap decision?
Why did you join yourself?
Where is the company heading over the next two years, more markets or more products?
> How does the funding situation affect hiring plans?
>> I read about the restructuring last spring. How did that land with the engineering org?
How much does Finanstilsynet shape engineering priorities?
What's the engineering culture like outside this team, do people move between teams?
How diverse is the engineering org, and is that something you actively work on?
What's the budget for training and conferences?
What's the hybrid policy, how many days in the office in Bjørvika?
What are the next steps, and who else will I meet? [other]
"""),
    Sess("EM-02", FINTECH, "Aisha Rahman", D(2026, 4, 14), T(14, 30), T(15, 2), 20,
         "gjennomført", D(2026, 4, 21), "Martin Øverby", """
Can you tell me a bit about the product?
What's the tech stack, mostly Kotlin?
> Are you on AWS or GCP?
How big is the team?
What would my main responsibilities be?
How do you measure success for engineering managers here?
> Is that tied to the bonus?
What's the salary band for the role?
Are there stock options?
How many days a week are people expected in the office?
How is the team doing right now, any big challenges? [group]
How often would we have 1:1s?
What do you like most about working here?
Is there a budget for courses and certifications?
Is English the working language, or would I need Norwegian?
Who do you see as your main competitors?
When would you need someone to start?
what's the timeline for a decision
"""),
]

#: Ratings: (session, rater, role, submitted, role_insight, priorities, conversation, follow_up,
#: composure, note). The manager and an independent observer each hand in their own notes.
RATINGS = [
    ("DB-01", "Trond Helland", "leder", DT(2026, 3, 4, 15, 20), 5, 4, 5, 5, 4,
     "Gikk i dybden på beredskap og økonomi. Godt forberedt, gode oppfølgingsspørsmål."),
    ("DB-01", "Line Kvamme", "observatør", DT(2026, 3, 5, 9, 10), 5, 5, 4, 5, 4,
     "Dekket både team, leder og kultur. Lyttet og bygget videre på svarene."),
    ("DB-02", "Trond Helland", "leder", DT(2026, 3, 4, 15, 40), 2, 3, 2, 2, 4,
     "Mest opptatt av lønn og praktiske forhold. Lite om teamet."),
    ("DB-02", "Line Kvamme", "observatør", DT(2026, 3, 5, 9, 30), 2, 2, 3, 1, 3,
     "Korte spørsmål, nesten ingen oppfølging. Virket litt nervøs i starten."),
    ("AS-01", "Hilde Brekke", "leder", DT(2026, 3, 12, 16, 5), 5, 5, 5, 4, 5,
     "Svært godt forberedt. Spurte konkret om sykefravær og hva vi har prøvd."),
    ("AS-01", "Kjetil Vik", "observatør", DT(2026, 3, 13, 8, 45), 4, 5, 5, 5, 5,
     "Trygg og nysgjerrig. Fikk fram hva som er viktig for henne: avvikskultur og medvirkning."),
    ("AS-02", "Hilde Brekke", "leder", DT(2026, 3, 12, 16, 20), 4, 3, 4, 3, 4,
     "Bred faglig interesse, men vi gikk over tiden. Savnet spørsmål om ledergruppa."),
    ("AS-02", "Kjetil Vik", "observatør", DT(2026, 3, 13, 9, 0), 3, 3, 4, 3, 3,
     "Mange gode faglige spørsmål. Litt lite om hvordan han vil lede."),
    ("AS-03", "Hilde Brekke", "leder", DT(2026, 3, 16, 15, 30), 2, 2, 3, 2, 3,
     "Praktisk orientert. Lite om pasientene og de ansatte."),
    # Handed in after the second interview: the process check flags it.
    ("AS-03", "Kjetil Vik", "observatør", DT(2026, 3, 20, 8, 15), 3, 2, 2, 2, 4,
     "Rolig, men spørsmålene ble stående alene. Levert sent, beklager."),
    ("EM-01", "Martin Øverby", "leder", DT(2026, 4, 14, 17, 0), 5, 4, 5, 5, 4,
     "Sharp questions on attrition and on-call. Pushed back politely when my answer was vague."),
    ("EM-01", "Priya Nair", "observatør", DT(2026, 4, 15, 10, 30), 5, 5, 4, 5, 5,
     "Covered team, manager and company. Clear about what he needs from a manager."),
    ("EM-02", "Martin Øverby", "leder", DT(2026, 4, 14, 17, 10), 3, 3, 3, 2, 4,
     "Good on the stack, less on people. Few follow-ups."),
    ("EM-02", "Priya Nair", "observatør", DT(2026, 4, 15, 10, 45), 3, 4, 3, 2, 4,
     "Calm and friendly. Asked about pay and office days early, which is fair."),
]

#: Candidate feedback: (recruitment, session or None when anonymous, submitted, experience,
#: learned, fairness, recommend, comment).
FEEDBACK = [
    (DRIFT, "DB-01", D(2026, 3, 6), 5, 5, 5, 9,
     "Fint å få stille spørsmål først. Fikk et mye bedre bilde av hva jobben går ut på."),
    (DRIFT, "DB-02", D(2026, 3, 7), 3, 3, 4, 6,
     "Uvant format. Hadde vært fint å vite på forhånd hvor lang tid jeg hadde."),
    (DRIFT, None, D(2026, 3, 6), 4, 4, 5, 8, "Ryddig prosess og god informasjon underveis."),
    (DRIFT, None, D(2026, 3, 9), 4, 3, 5, 7,
     "Jeg trakk meg av personlige grunner, men opplevde prosessen som ryddig."),
    (DRIFT, None, D(2026, 3, 11), 5, 4, 4, 8, None),
    (SYKEPLEIE, "AS-01", D(2026, 3, 14), 5, 5, 5, 10,
     "Endelig et intervju der jeg fikk spørre om det jeg lurte på. Kjentes som en samtale."),
    (SYKEPLEIE, "AS-02", D(2026, 3, 14), 4, 4, 4, 8,
     "Gode svar fra klinikksjefen. Vi gikk litt over tiden, så ledersamtalen ble kort."),
    (SYKEPLEIE, "AS-03", D(2026, 3, 18), 3, 3, 2, 5,
     "Litt uklart hvorfor jeg ble intervjuet en annen dag enn de andre."),
    (SYKEPLEIE, None, D(2026, 3, 15), 4, 5, 4, 8, "Nyttig å forberede spørsmål på forhånd."),
    (SYKEPLEIE, None, D(2026, 3, 17), 5, 4, 5, 9, None),
    (SYKEPLEIE, None, D(2026, 3, 20), 4, 3, 4, 7, "Savnet informasjon om lønn før intervjuet."),
    (FINTECH, "EM-01", D(2026, 4, 16), 5, 5, 4, 9,
     "Loved flipping the interview. I learned more in 40 minutes than in three rounds elsewhere."),
    (FINTECH, "EM-02", D(2026, 4, 17), 4, 3, 4, 7,
     "A bit unusual. More context on the team up front would have helped me prepare."),
    (FINTECH, None, D(2026, 4, 16), 4, 4, 5, 8, "Fair and well organised."),
    (FINTECH, None, D(2026, 4, 20), 3, 4, 3, 6, "The recruiter was great; the timeline slipped."),
]

_TAG = re.compile(r"\s*\[(\w+)\]\s*$")


def parse_questions(block: str) -> list[tuple[int, str, int | None, str | None]]:
    """(seq, text, follow_up_to, fit) for each line of a question block."""
    out: list[tuple[int, str, int | None, str | None]] = []
    parents: list[int] = []  # parents[d] = seq of the latest question at depth d
    for line in (x for x in block.strip().splitlines() if x.strip()):
        depth = len(line) - len(line.lstrip(">"))
        text = line.lstrip(">").strip()
        fit = None
        if m := _TAG.search(text):
            fit, text = m.group(1), text[:m.start()]
        seq = len(out) + 1
        if depth > len(parents):
            raise ValueError(f"follow-up without a parent: {line!r}")
        follow_up_to = parents[depth - 1] if depth else None
        parents[depth:] = [seq]
        out.append((seq, text, follow_up_to, fit))
    return out


def minutes_for(questions: list[tuple], length: int) -> list[int]:
    """Strictly increasing minutes across a candidate part of ``length`` minutes: a follow-up
    comes right after its answer, a new topic takes longer."""
    gaps = [1.0 if q[2] else 2.2 for q in questions]
    span = max(length - 3, len(questions))
    scale = span / sum(gaps)
    minutes, at, last = [], 0.5, 0
    for g in gaps:
        at += g * scale
        m = max(int(round(at)), last + 1)
        minutes.append(m)
        last = m
    return minutes


def _length(s: Sess) -> int:
    return (s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute)


def build() -> Workbook:
    """The sample workbook."""
    wb = Workbook()
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="1F4E79")

    def sheet(title: str, headers: list[str], widths: list[int]):
        ws = wb.create_sheet(title)
        ws.append(headers)
        for i, (cell, width) in enumerate(zip(ws[1], widths)):
            cell.font, cell.fill = head_font, head_fill
            ws.column_dimensions[cell.column_letter].width = width
        ws.freeze_panes = "A2"
        return ws

    wb.remove(wb.active)
    ws = sheet("Økter", ["økt_id", "rekruttering", "kandidat", "dato", "start", "slutt",
                         "leder_minutter", "status", "andregangsintervju", "leder"],
               [9, 44, 18, 12, 8, 8, 15, 14, 20, 16])
    for s in SESSIONS:
        ws.append([s.key, s.recruitment, s.candidate, s.date, s.start, s.end, s.manager_minutes,
                   s.status, s.second_interview, s.manager])
        row = ws.max_row
        for col in "DI":
            ws[f"{col}{row}"].number_format = "DD.MM.YYYY"
        for col in "EF":
            ws[f"{col}{row}"].number_format = "HH:MM"

    ws = sheet("Spørsmål", ["økt_id", "nr", "minutt", "spørsmål", "oppfølging_av", "fit"],
               [9, 6, 8, 95, 14, 14])
    for s in SESSIONS:
        if not s.questions:
            continue
        qs = parse_questions(s.questions)
        for (seq, text, parent, fit), minute in zip(qs, minutes_for(qs, _length(s))):
            ws.append([s.key, seq, minute, text, parent, fit])
            ws.cell(ws.max_row, 4).alignment = Alignment(wrap_text=True, vertical="top")

    ws = sheet("Vurderinger", ["økt_id", "vurderer", "rolle", "levert", "rolleinnsikt",
                               "prioriteringer", "samtale", "oppfølging", "mestring", "notat"],
               [9, 16, 12, 17, 13, 15, 10, 12, 10, 90])
    for r in RATINGS:
        ws.append(list(r))
        ws.cell(ws.max_row, 4).number_format = "DD.MM.YYYY HH:MM"

    # English headers on this one sheet: both languages import.
    ws = sheet("Feedback", ["recruitment", "session_id", "submitted", "experience", "learned",
                            "fairness", "recommend", "comment"],
               [44, 11, 12, 11, 9, 9, 11, 90])
    for f in FEEDBACK:
        ws.append(list(f))
        ws.cell(ws.max_row, 3).number_format = "DD.MM.YYYY"

    props = wb.properties
    props.creator = props.lastModifiedBy = "Omvendt"
    props.title = "Omvendt – eksempeldata"
    return wb


def deterministic_bytes(wb: Workbook) -> bytes:
    """The workbook's bytes with every timestamp fixed, so identical content gives identical
    files."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>" + _FIXED_ISO.encode(), data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_STAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0]) if argv else OUT
    target.write_bytes(deterministic_bytes(build()))
    held = [s for s in SESSIONS if s.questions]
    n_q = sum(len(parse_questions(s.questions)) for s in held)
    print(f"Wrote {target}: {len({s.recruitment for s in SESSIONS})} recruitments, "
          f"{len(SESSIONS)} sessions, {n_q} questions, {len(RATINGS)} ratings, "
          f"{len(FEEDBACK)} feedback answers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
