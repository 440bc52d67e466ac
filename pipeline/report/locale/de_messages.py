"""German translations of the report, as a table (source of `de/LC_MESSAGES/messages.po`).

Regenerate the catalog after changing a message: ``python -m pipeline.report.locale``.
"""

from __future__ import annotations

# msgid -> msgstr; plural msgids map (singular, plural) -> (singular, plural)
DE: dict[str | tuple[str, str], str | tuple[str, str]] = {
    "No data in this period": "Keine Daten in diesem Zeitraum",
    "Daily mentions by sentiment": "Erwähnungen pro Tag nach Stimmung",
    "Negative": "Negativ",
    "Neutral": "Neutral",
    "Positive": "Positiv",
    "Net sentiment (right axis)": "Netto-Stimmung (rechte Achse)",
    "Alert": "Alarm",
    "n < %(n)s: hatched, hollow point": "n < %(n)s: schraffiert, hohler Punkt",
    "%(day)s: %(total)s mentions (%(neg)s negative, %(neu)s neutral, %(pos)s positive)":
        "%(day)s: %(total)s Erwähnungen (%(neg)s negativ, %(neu)s neutral, %(pos)s positiv)",
    ", net sentiment %(net)s": ", Netto-Stimmung %(net)s",
    " (too few mentions to read a rate from)":
        " (zu wenige Erwähnungen, um eine Quote abzulesen)",
    "%(day)s: net sentiment %(net)s": "%(day)s: Netto-Stimmung %(net)s",
    "Alert %(day)s: %(what)s": "Alarm %(day)s: %(what)s",
    "No mentions in this period": "Keine Erwähnungen in diesem Zeitraum",
    "Share of voice": "Share of Voice",
    "%(brand)s: %(share)s of mentions (%(n)s)": "%(brand)s: %(share)s der Erwähnungen (%(n)s)",
    "No reputation score in this period": "Kein Reputationswert in diesem Zeitraum",
    ("Reputation score per day (trailing %(n)s day)",
     "Reputation score per day (trailing %(n)s days)"):
        ("Reputationswert pro Tag (gleitend über %(n)s Tag)",
         "Reputationswert pro Tag (gleitend über %(n)s Tage)"),
    "Reputation score per day": "Reputationswert pro Tag",
    "%(what)s, −100 to +100": "%(what)s, −100 bis +100",
    "%(day)s: reputation %(score)s": "%(day)s: Reputation %(score)s",
    "No brands to compare": "Keine Marken zum Vergleichen",
    "Reputation by brand": "Reputation nach Marke",
    "no score": "kein Wert",
    "%(brand)s: reputation %(score)s": "%(brand)s: Reputation %(score)s",
    "< 1 hour": "< 1 Stunde",
    "low": "niedrig",
    "medium": "mittel",
    "high": "hoch",
    "%(neg)s negative, %(neu)s neutral, %(pos)s positive":
        "%(neg)s negativ, %(neu)s neutral, %(pos)s positiv",
    "%(delta)s pts vs previous period": "%(delta)s Pkt. gegenüber dem Vorzeitraum",
    "%(change)s%% vs previous period": "%(change)s %% gegenüber dem Vorzeitraum",
    "new: no %(what)s in the previous period": "neu: keine %(what)s im Vorzeitraum",
    "no scored mentions": "keine bewerteten Erwähnungen",
    "−100 … +100; no score in the previous period": "−100 … +100; kein Wert im Vorzeitraum",
    "−100 … +100; previous period: %(prev)s": "−100 … +100; Vorzeitraum: %(prev)s",
    "Reputation": "Reputation",
    "Net sentiment": "Netto-Stimmung",
    "−100 (all negative) … +100 (all positive), shrunk when few":
        "−100 (alle negativ) … +100 (alle positiv), bei wenigen gedämpft",
    "no positive or negative mentions": "keine positiven oder negativen Erwähnungen",
    "Negative share": "Negativ-Anteil",
    "of all mentions": "aller Erwähnungen",
    "no mentions": "keine Erwähnungen",
    "mentions": "Erwähnungen",
    "Mentions": "Erwähnungen",
    "previous period: %(prev)s": "Vorzeitraum: %(prev)s",
    "reach": "Reichweite",
    "Reach": "Reichweite",
    "views or interactions; previous period: %(prev)s":
        "Aufrufe oder Interaktionen; Vorzeitraum: %(prev)s",
    "no competitors configured": "keine Wettbewerber konfiguriert",
    "no mentions of the brand or its competitors":
        "keine Erwähnungen der Marke oder ihrer Wettbewerber",
    ("against %(n)s competitor", "against %(n)s competitors"):
        ("gegenüber %(n)s Wettbewerber", "gegenüber %(n)s Wettbewerbern"),
    "Net sentiment, shrunk (right axis)": "Netto-Stimmung, gedämpft (rechte Achse)",
    "Busiest day: %(day)s with %(n)s mentions.":
        "Stärkster Tag: %(day)s mit %(n)s Erwähnungen.",
    "Most negative mentions: %(day)s (%(n)s).":
        "Die meisten negativen Erwähnungen: %(day)s (%(n)s).",
    "Whole period: %(score)s": "Ganzer Zeitraum: %(score)s",
    "Latest: %(score)s on %(day)s": "Zuletzt: %(score)s am %(day)s",
    "lowest": "Tiefstwert",
    "highest": "Höchstwert",
    "%(which)s: %(score)s on %(day)s": "%(which)s: %(score)s am %(day)s",
    "%(brand)s is #%(place)s of %(n)s brands on reputation and #%(voice)s of %(all)s on "
    "mentions.":
        "%(brand)s ist Nr. %(place)s von %(n)s Marken bei der Reputation und Nr. %(voice)s "
        "von %(all)s bei den Erwähnungen.",
    "open": "offen",
    "acknowledged": "bestätigt",
    "resolved": "erledigt",
    ("%(n)s negative mention in the hour, usually %(usual)s per hour",
     "%(n)s negative mentions in the hour, usually %(usual)s per hour"):
        ("%(n)s negative Erwähnung in der Stunde, üblich sind %(usual)s pro Stunde",
         "%(n)s negative Erwähnungen in der Stunde, üblich sind %(usual)s pro Stunde"),
    ("%(n)s negative mention, usually %(usual)s per day",
     "%(n)s negative mentions, usually %(usual)s per day"):
        ("%(n)s negative Erwähnung, üblich sind %(usual)s pro Tag",
         "%(n)s negative Erwähnungen, üblich sind %(usual)s pro Tag"),
    "negative spike": "negativer Ausschlag",
    "negative spike (hourly)": "negativer Ausschlag (stündlich)",
    "info": "Info",
    "Posts per day about “%(label)s” over the last %(n)s days (the last %(recent)s shaded): "
    "%(values)s":
        "Beiträge pro Tag zu „%(label)s“ in den letzten %(n)s Tagen (die letzten %(recent)s "
        "hinterlegt): %(values)s",
    ("%(n)s post in the last %(days)s days", "%(n)s posts in the last %(days)s days"):
        ("%(n)s Beitrag in den letzten %(days)s Tagen",
         "%(n)s Beiträge in den letzten %(days)s Tagen"),
    ("%(before)s in the %(n)s day before", "%(before)s in the %(n)s days before"):
        ("%(before)s am Tag davor", "%(before)s in den %(n)s Tagen davor"),
    "%(before)s before": "%(before)s davor",
    "%(share)s negative": "%(share)s negativ",
    "%(share)s negative (n < %(few)s)": "%(share)s negativ (n < %(few)s)",
    "new": "neu",
    "no community": "ohne Community",
    "Question": "Frage",
    "Complaint": "Beschwerde",
    "negative": "negativ",
    "neutral": "neutral",
    "positive": "positiv",
    ("%(n)s question", "%(n)s questions"): ("%(n)s Frage", "%(n)s Fragen"),
    ("%(n)s complaint", "%(n)s complaints"): ("%(n)s Beschwerde", "%(n)s Beschwerden"),
    ("%(n)s other post", "%(n)s other posts"): ("%(n)s anderer Beitrag", "%(n)s andere Beiträge"),
    "%(list)s and %(last)s": "%(list)s und %(last)s",
    "ok": "ok",
    "failed": "fehlgeschlagen",
    "disabled": "deaktiviert",
    "never ran": "nie gelaufen",
    ("%(n)s failure in a row", "%(n)s failures in a row"):
        ("%(n)s Fehlschlag in Folge", "%(n)s Fehlschläge in Folge"),
    ("%(n)s run", "%(n)s runs"): ("%(n)s Lauf", "%(n)s Läufe"),
    ("%(n)s failed", "%(n)s failed"): ("%(n)s fehlgeschlagen", "%(n)s fehlgeschlagen"),
    "not configured": "nicht konfiguriert",
    "Sentiment": "Stimmung",
    "Intent": "Absicht",
    "Keyphrases": "Schlüsselphrasen",
    "Problems": "Probleme",
    "other %(share)s": "andere %(share)s",
    "not measured for this report.": "für diesen Bericht nicht gemessen.",
    "%(mentions)s mentions, %(scored)s scored by the sentiment model (%(pct)s), %(human)s with "
    "a human label (a human label wins over the model).":
        "%(mentions)s Erwähnungen, %(scored)s vom Stimmungsmodell bewertet (%(pct)s), "
        "%(human)s mit menschlichem Label (ein menschliches Label gilt vor dem Modell).",
    "Languages: %(langs)s.": "Sprachen: %(langs)s.",
    ("%(n)s source not healthy", "%(n)s sources not healthy"):
        ("%(n)s Quelle nicht in Ordnung", "%(n)s Quellen nicht in Ordnung"),
    "%(names)s: figures may miss their posts.":
        "%(names)s: den Zahlen können deren Beiträge fehlen.",
    ("%(n)s of %(runs)s run failed in the period",
     "%(n)s of %(runs)s runs failed in the period"):
        ("%(n)s von %(runs)s Läufen im Zeitraum fehlgeschlagen",
         "%(n)s von %(runs)s Läufen im Zeitraum fehlgeschlagen"),
    "%(what)s; %(posts)s posts on %(days)s of %(all)s days arrived.":
        "%(what)s; %(posts)s Beiträge an %(days)s von %(all)s Tagen sind angekommen.",
    "Last error: %(error)s": "Letzter Fehler: %(error)s",
    "Source %(name)s failed": "Quelle %(name)s ist ausgefallen",
    "Source %(name)s was silent": "Quelle %(name)s blieb stumm",
    "no posts dated in the period: check that it still collects what you expect.":
        "keine Beiträge aus dem Zeitraum: prüfen Sie, ob sie noch sammelt, was Sie erwarten.",
    ("Mentions on %(n)s of %(days)s day", "Mentions on %(n)s of %(days)s days"):
        ("Erwähnungen an %(n)s von %(days)s Tag", "Erwähnungen an %(n)s von %(days)s Tagen"),
    ("%(n)s source delivered", "%(n)s sources delivered"):
        ("%(n)s Quelle hat geliefert", "%(n)s Quellen haben geliefert"),
    ("%(n)s day without any mention of the brand",
     "%(n)s days without any mention of the brand"):
        ("%(n)s Tag ohne jede Erwähnung der Marke", "%(n)s Tage ohne jede Erwähnung der Marke"),
    "Reputation %(score)s": "Reputation %(score)s",
    "up %(n)s pts from %(prev)s in the previous period":
        "%(n)s Pkt. höher als %(prev)s im Vorzeitraum",
    "down %(n)s pts from %(prev)s in the previous period":
        "%(n)s Pkt. niedriger als %(prev)s im Vorzeitraum",
    "unchanged from the previous period": "unverändert gegenüber dem Vorzeitraum",
    "no score for the previous period to compare with":
        "kein Wert aus dem Vorzeitraum zum Vergleich",
    "net sentiment %(net)s": "Netto-Stimmung %(net)s",
    "Net sentiment %(net)s": "Netto-Stimmung %(net)s",
    "no previous period to compare with": "kein Vorzeitraum zum Vergleich",
    "No sentiment yet": "Noch keine Stimmung",
    "no scored mentions of %(brand)s in this period.":
        "keine bewerteten Erwähnungen von %(brand)s in diesem Zeitraum.",
    "none in the previous period either": "auch im Vorzeitraum keine",
    "share of voice %(share)s": "Share of Voice %(share)s",
    ("%(n)s mention", "%(n)s mentions"): ("%(n)s Erwähnung", "%(n)s Erwähnungen"),
    ("%(n)s still open", "%(n)s still open"): ("%(n)s noch offen", "%(n)s noch offen"),
    "all handled": "alle bearbeitet",
    "the strongest: %(rule)s on %(day)s, %(what)s": "der stärkste: %(rule)s am %(day)s, %(what)s",
    ("%(n)s alert", "%(n)s alerts"): ("%(n)s Alarm", "%(n)s Alarme"),
    "No alerts": "Keine Alarme",
    "sentiment stayed in its usual range.": "die Stimmung blieb im üblichen Bereich.",
    "No alerts on the data that arrived": "Keine Alarme in den angekommenen Daten",
    "a source failed or was silent (above): a spike there would not show.":
        "eine Quelle ist ausgefallen oder blieb stumm (oben): ein Ausschlag dort wäre nicht "
        "zu sehen.",
    "%(recent)s in the last %(days)s days (%(before)s in the weeks before), %(neg)s negative":
        "%(recent)s in den letzten %(days)s Tagen (%(before)s in den Wochen davor), "
        "%(neg)s negativ",
    ("%(n)s post", "%(n)s posts"): ("%(n)s Beitrag", "%(n)s Beiträge"),
    "%(n)s more rising": "%(n)s weitere steigen",
    "Rising problem: “%(label)s”": "Steigendes Problem: „%(label)s“",
    "No rising problem": "Kein steigendes Problem",
    ("%(n)s known problem, none growing.", "%(n)s known problems, none growing."):
        ("%(n)s bekanntes Problem, keines wächst.", "%(n)s bekannte Probleme, keines wächst."),
    "posts": "Beiträge",
    ("%(n)s post waits for an answer", "%(n)s posts wait for an answer"):
        ("%(n)s Beitrag wartet auf Antwort", "%(n)s Beiträge warten auf Antwort"),
    "%(kinds)s; the oldest has waited %(age)s.": "%(kinds)s; der älteste wartet schon %(age)s.",
    "Nothing waits for an answer": "Nichts wartet auf Antwort",
    "no unanswered questions or complaints.": "keine unbeantworteten Fragen oder Beschwerden.",
    ("%(n)s idea", "%(n)s ideas"): ("%(n)s Idee", "%(n)s Ideen"),
    "from customers: suggestions worth a look.":
        "von Kunden: Vorschläge, die einen Blick wert sind.",
    "%(brand)s — reputation report, %(period)s": "%(brand)s — Reputationsbericht, %(period)s",
    "Alerts of the period": "Alarme im Zeitraum",
    ("%(num)s alert", "%(num)s alerts"): ("%(num)s Alarm", "%(num)s Alarme"),
    ("%(num)s still open", "%(num)s still open"): ("%(num)s noch offen", "%(num)s noch offen"),
    "Under each alert: the posts, problems, phrases, sources and communities behind it.":
        "Unter jedem Alarm: die Beiträge, Probleme, Phrasen, Quellen und Communities dahinter.",
    "Day": "Tag",
    "Severity": "Schwere",
    "Rule": "Regel",
    "What happened": "Was geschah",
    "Status": "Status",
    "severity %(n)s of 10": "Schwere %(n)s von 10",
    "Posts behind it": "Beiträge dahinter",
    "negative %(score)s": "negativ %(score)s",
    "Open post ↗": "Beitrag öffnen ↗",
    "What grew": "Was gewachsen ist",
    "Problem %(name)s: %(count)s negative posts, %(expected)s expected":
        "Problem %(name)s: %(count)s negative Beiträge, %(expected)s erwartet",
    "Phrases:": "Phrasen:",
    "“%(name)s”: %(count)s posts, %(expected)s expected":
        "„%(name)s“: %(count)s Beiträge, %(expected)s erwartet",
    "Where": "Wo",
    "Sources: %(list)s": "Quellen: %(list)s",
    "Communities: %(list)s": "Communities: %(list)s",
    "negative posts in brackets": "negative Beiträge in Klammern",
    "Report for this alert ↗": "Bericht zu diesem Alarm ↗",
    "No explanation was stored with this alert.":
        "Zu diesem Alarm wurde keine Erklärung gespeichert.",
    "No alerts in this period: sentiment about %(brand)s stayed within its usual range.":
        "Keine Alarme in diesem Zeitraum: die Stimmung über %(brand)s blieb im üblichen Bereich.",
    "No alerts on the data that arrived; a source failed or was silent (see the top of the "
    "report), so a spike there would not show.":
        "Keine Alarme in den angekommenen Daten; eine Quelle ist ausgefallen oder blieb stumm "
        "(siehe oben im Bericht), ein Ausschlag dort wäre also nicht zu sehen.",
    "Opinion leaders (chiefs)": "Meinungsführer (Chiefs)",
    "The most influential authors who mention %(brand)s, by pseudonym only. Influence (0–100) "
    "combines the interactions their posts received, their centrality (0–1: how much others "
    "reply to them in their community) and consistency (0–1: the share of days they posted).":
        "Die einflussreichsten Autoren, die %(brand)s erwähnen, nur als Pseudonym. Einfluss "
        "(0–100) verbindet die Interaktionen auf ihre Beiträge, ihre Zentralität (0–1: wie "
        "sehr andere ihnen in ihrer Community antworten) und Beständigkeit (0–1: Anteil der "
        "Tage, an denen sie gepostet haben).",
    "Author": "Autor",
    "Community": "Community",
    "Influence": "Einfluss",
    "Centrality": "Zentralität",
    "Consistency": "Beständigkeit",
    "Tone": "Ton",
    "Net": "Netto",
    "posts in total: %(n)s": "Beiträge insgesamt: %(n)s",
    "No author who mentions %(brand)s stood out in this period.":
        "Kein Autor, der %(brand)s erwähnt, ist in diesem Zeitraum hervorgetreten.",
    "Against the competitors": "Im Vergleich zum Wettbewerb",
    "The same figures for %(brand)s and its competitors over the same period.":
        "Dieselben Kennzahlen für %(brand)s und die Wettbewerber im selben Zeitraum.",
    "Brand": "Marke",
    "you": "Sie",
    "No figures for %(competitors)s in this period yet, so there is nothing to compare "
    "%(brand)s with.":
        "Noch keine Zahlen für %(competitors)s in diesem Zeitraum, %(brand)s lässt sich also "
        "mit nichts vergleichen.",
    "%(brand)s has no competitors configured. Add them to the brand's configuration to "
    "compare reputation and sentiment side by side.":
        "Für %(brand)s sind keine Wettbewerber konfiguriert. Tragen Sie sie in der "
        "Markenkonfiguration ein, um Reputation und Stimmung nebeneinander zu vergleichen.",
    "The state of the data": "Der Zustand der Daten",
    "The data behind this report": "Die Daten hinter diesem Bericht",
    "No source health was recorded.": "Es wurde kein Quellenzustand aufgezeichnet.",
    "Community experts": "Community-Experten",
    "Influential regulars who answer in threads about %(brand)s without naming it themselves: "
    "they are not chiefs (0 mentions), but people listen to them. Same influence scale as the "
    "chiefs.":
        "Einflussreiche Stammgäste, die in Threads über %(brand)s antworten, ohne die Marke "
        "selbst zu nennen: keine Chiefs (0 Erwähnungen), aber man hört auf sie. Dieselbe "
        "Einfluss-Skala wie bei den Chiefs.",
    "Replies in brand threads": "Antworten in Marken-Threads",
    "Posts": "Beiträge",
    "expert": "Experte",
    "No community expert answered in threads about %(brand)s in this period.":
        "Kein Community-Experte hat in diesem Zeitraum in Threads über %(brand)s geantwortet.",
    "Reputation report": "Reputationsbericht",
    ("%(num)s day", "%(num)s days"): ("%(num)s Tag", "%(num)s Tage"),
    "Compared with %(brands)s": "Verglichen mit %(brands)s",
    "Generated %(when)s": "Erstellt %(when)s",
    "The period at a glance": "Der Zeitraum auf einen Blick",
    "At a glance": "Auf einen Blick",
    "Ideas from customers": "Ideen von Kunden",
    "Suggestions customers made in the period, the most widely seen first.":
        "Vorschläge von Kunden im Zeitraum, die meistgesehenen zuerst.",
    "language": "Sprache",
    "views or interactions": "Aufrufe oder Interaktionen",
    "reach %(n)s": "Reichweite %(n)s",
    "No suggestions from customers in this period.":
        "Keine Vorschläge von Kunden in diesem Zeitraum.",
    "Key figures": "Kennzahlen",
    "fewer than %(n)s mentions: read with care":
        "weniger als %(n)s Erwähnungen: mit Vorsicht lesen",
    "How to read this report": "So lesen Sie diesen Bericht",
    "Posts that match the brand's query in the period (duplicates removed), compared with the "
    "same number of days before it.":
        "Beiträge, die im Zeitraum zur Suchanfrage der Marke passen (ohne Duplikate), "
        "verglichen mit ebenso vielen Tagen davor.",
    "100 × Σ w·s ÷ (Σ w + K) over the period's scored mentions, where s is +1 / 0 / −1 for a "
    "positive / neutral / negative mention, w = 1 + ln(1 + interactions) weighs a post by its "
    "reach, and K = %(k)s neutral pseudo-mentions pull small counts towards 0. From −100 to "
    "+100; unlike net sentiment, neutral mentions dilute it.":
        "100 × Σ w·s ÷ (Σ w + K) über die bewerteten Erwähnungen des Zeitraums; s ist +1 / 0 / "
        "−1 für eine positive / neutrale / negative Erwähnung, w = 1 + ln(1 + Interaktionen) "
        "gewichtet einen Beitrag nach seiner Reichweite, und K = %(k)s neutrale "
        "Pseudo-Erwähnungen ziehen kleine Zahlen Richtung 0. Von −100 bis +100; anders als bei "
        "der Netto-Stimmung verdünnen neutrale Erwähnungen den Wert.",
    ("The daily trend uses the trailing %(num)s day.",
     "The daily trend uses the trailing %(num)s days."):
        ("Der Tagesverlauf nutzt den jeweils letzten %(num)s Tag.",
         "Der Tagesverlauf nutzt die jeweils letzten %(num)s Tage."),
    "(positive − negative) ÷ (positive + negative + K) mentions, shown from −100 to +100: shrunk "
    "with the same K = %(k)s as the reputation score, so one negative post alone reads "
    "%(one)s, not −100; neutral mentions do not count. Changes are in points.":
        "(positiv − negativ) ÷ (positiv + negativ + K) Erwähnungen, dargestellt von −100 bis "
        "+100: gedämpft mit demselben K = %(k)s wie der Reputationswert, ein einzelner "
        "negativer Beitrag ergibt also %(one)s, nicht −100; neutrale Erwähnungen zählen nicht. "
        "Veränderungen in Punkten.",
    "Small numbers": "Kleine Zahlen",
    "Rates are shrunk (net sentiment, reputation), never drawn as if certain. A rate that rests "
    "on fewer than %(n)s positive and negative mentions is marked n < %(n)s in the tables, "
    "hatched in the trend chart with a hollow point; the raw rates stay in the export.":
        "Quoten werden gedämpft (Netto-Stimmung, Reputation) und nie als sicher dargestellt. "
        "Eine Quote aus weniger als %(n)s positiven und negativen Erwähnungen ist in den "
        "Tabellen mit n < %(n)s markiert und im Verlaufsdiagramm schraffiert, mit hohlem Punkt; "
        "die Rohwerte stehen im Export.",
    "Negative mentions as a share of all mentions.":
        "Negative Erwähnungen als Anteil aller Erwähnungen.",
    "Per mention, its views where the source reports them, else 1 + its interactions (likes, "
    "comments, …); summed.":
        "Je Erwähnung ihre Aufrufe, wo die Quelle sie meldet, sonst 1 + ihre Interaktionen "
        "(Likes, Kommentare, …); summiert.",
    "The brand's mentions as a share of the mentions of the brand and its configured "
    "competitors.":
        "Die Erwähnungen der Marke als Anteil der Erwähnungen der Marke und ihrer "
        "konfigurierten Wettbewerber.",
    "Chiefs and experts": "Chiefs und Experten",
    "Chiefs are authors who mention the brand; community experts answer in threads about the "
    "brand without naming it. Both are ranked by influence and shown only by pseudonym.":
        "Chiefs sind Autoren, die die Marke erwähnen; Community-Experten antworten in Threads "
        "über die Marke, ohne sie zu nennen. Beide sind nach Einfluss gereiht und nur als "
        "Pseudonym gezeigt.",
    "Problems, ideas, queue": "Probleme, Ideen, Warteschlange",
    "Complaints are grouped into problems; a problem is rising when its last 7 days are "
    "significantly above its own baseline. Ideas are posts classified as suggestions. The "
    "queue holds questions and complaints no official account has answered.":
        "Beschwerden werden zu Problemen gruppiert; ein Problem steigt, wenn seine letzten 7 "
        "Tage deutlich über seiner eigenen Basis liegen. Ideen sind Beiträge, die als "
        "Vorschlag erkannt wurden. Die Warteschlange enthält Fragen und Beschwerden, auf die "
        "kein offizielles Konto geantwortet hat.",
    "Model versions": "Modellversionen",
    "Sentiment model": "Stimmungsmodell",
    "not recorded": "nicht aufgezeichnet",
    "Coverage": "Abdeckung",
    "Sources in this period": "Quellen in diesem Zeitraum",
    "Source": "Quelle",
    "Kind": "Art",
    "Posts in the period": "Beiträge im Zeitraum",
    "Days with posts": "Tage mit Beiträgen",
    "Runs": "Läufe",
    "Last error": "Letzter Fehler",
    ("%(num)s source not healthy: figures may miss its posts.",
     "%(num)s sources not healthy: figures may miss their posts."):
        ("%(num)s Quelle nicht in Ordnung: den Zahlen können ihre Beiträge fehlen.",
         "%(num)s Quellen nicht in Ordnung: den Zahlen können ihre Beiträge fehlen."),
    "Generated by stimmung on %(when)s for %(brand)s, %(period)s. Times are shown in %(tz)s; "
    "days are UTC days. Authors appear only as shortened pseudonyms.":
        "Erstellt von stimmung am %(when)s für %(brand)s, %(period)s. Uhrzeiten in %(tz)s; "
        "Tage sind UTC-Tage. Autoren erscheinen nur als gekürzte Pseudonyme.",
    "Most negative posts": "Die negativsten Beiträge",
    "The posts the sentiment model rates most negative: a good place to start answering.":
        "Die Beiträge, die das Stimmungsmodell am negativsten bewertet: ein guter Ort, um mit "
        "dem Antworten zu beginnen.",
    "negative score 0..1": "Negativ-Wert 0..1",
    "No negative posts about %(brand)s in this period.":
        "Keine negativen Beiträge über %(brand)s in diesem Zeitraum.",
    "Customer problems": "Kundenprobleme",
    "What customers complain about, the fastest-growing first. The small chart shows posts per "
    "day; the last 7 days are shaded.":
        "Worüber sich Kunden beschweren, das am schnellsten wachsende zuerst. Das kleine "
        "Diagramm zeigt Beiträge pro Tag; die letzten 7 Tage sind hinterlegt.",
    "rising": "steigend",
    "No customer problems were found for %(brand)s recently: complaints did not group into "
    "recurring topics.":
        "Zuletzt wurden keine Kundenprobleme für %(brand)s gefunden: Beschwerden bildeten "
        "keine wiederkehrenden Themen.",
    "Reputation trend": "Reputationsverlauf",
    ("The reputation score from −100 to +100, each day over the trailing %(num)s day: sentiment "
     "weighted by reach, with few mentions pulled towards 0. Above the line is positive.",
     "The reputation score from −100 to +100, each day over the trailing %(num)s days: "
     "sentiment weighted by reach, with few mentions pulled towards 0. Above the line is "
     "positive."):
        ("Der Reputationswert von −100 bis +100, jeden Tag über den letzten %(num)s Tag: "
         "Stimmung nach Reichweite gewichtet, wenige Erwähnungen Richtung 0 gezogen. Über der "
         "Linie ist positiv.",
         "Der Reputationswert von −100 bis +100, jeden Tag über die letzten %(num)s Tage: "
         "Stimmung nach Reichweite gewichtet, wenige Erwähnungen Richtung 0 gezogen. Über der "
         "Linie ist positiv."),
    "Highlighted days had an alert.": "Hervorgehobene Tage hatten einen Alarm.",
    "No reputation score for %(brand)s in the period %(period)s: no mention has been scored "
    "yet.":
        "Kein Reputationswert für %(brand)s im Zeitraum %(period)s: noch keine Erwähnung wurde "
        "bewertet.",
    "Waiting for an answer": "Wartet auf Antwort",
    "%(what)s that no official account has answered, most urgent first: the most widely seen, "
    "then the longest waiting.":
        "%(what)s, auf die kein offizielles Konto geantwortet hat, die dringendsten zuerst: "
        "die meistgesehenen, dann die am längsten wartenden.",
    "posted %(when)s": "gepostet %(when)s",
    "waiting %(age)s": "wartet schon %(age)s",
    "Open to answer ↗": "Zum Antworten öffnen ↗",
    "Nothing waits for an answer: every recent question and complaint about %(brand)s has a "
    "reply from an official account, or there were none.":
        "Nichts wartet auf Antwort: jede neue Frage und Beschwerde über %(brand)s hat eine "
        "Antwort von einem offiziellen Konto, oder es gab keine.",
    "Share of all mentions of %(brand)s and its competitors in the period (mentions in "
    "brackets).":
        "Anteil an allen Erwähnungen von %(brand)s und den Wettbewerbern im Zeitraum "
        "(Erwähnungen in Klammern).",
    "No competitors are configured for %(brand)s, so there is no share of voice to compare. Add "
    "competitors to the brand's configuration to see it here.":
        "Für %(brand)s sind keine Wettbewerber konfiguriert, daher gibt es keinen Share of "
        "Voice. Tragen Sie Wettbewerber in der Markenkonfiguration ein, um ihn hier zu sehen.",
    "Sentiment trend": "Stimmungsverlauf",
    "Mentions per day by sentiment; the line is net sentiment (right axis), shrunk towards 0 "
    "like the reputation score, so a day with one or two posts cannot swing to −100 or +100. "
    "Days with fewer than %(n)s positive and negative mentions are hatched, their points hollow.":
        "Erwähnungen pro Tag nach Stimmung; die Linie ist die Netto-Stimmung (rechte Achse), "
        "wie der Reputationswert Richtung 0 gedämpft, damit ein Tag mit ein, zwei Beiträgen "
        "nicht auf −100 oder +100 springt. Tage mit weniger als %(n)s positiven und negativen "
        "Erwähnungen sind schraffiert, ihre Punkte hohl.",
    "No mentions of %(brand)s were found in the period %(period)s, so there is no trend to show "
    "yet.":
        "Im Zeitraum %(period)s wurden keine Erwähnungen von %(brand)s gefunden, daher gibt es "
        "noch keinen Verlauf.",
    "Communities (tribes)": "Communities (Tribes)",
    "Where %(brand)s is discussed, ranked by mentions plus a bonus for growth against the "
    "previous period. The bar shows negative, neutral and positive mentions; net sentiment is "
    "shrunk towards 0 like the reputation score, and marked n < %(n)s where it rests on fewer "
    "positive and negative mentions.":
        "Wo über %(brand)s gesprochen wird, gereiht nach Erwähnungen plus einem Bonus für "
        "Wachstum gegenüber dem Vorzeitraum. Der Balken zeigt negative, neutrale und positive "
        "Erwähnungen; die Netto-Stimmung ist wie der Reputationswert Richtung 0 gedämpft und "
        "mit n < %(n)s markiert, wo sie auf weniger positiven und negativen Erwähnungen beruht.",
    "Change": "Veränderung",
    "Authors": "Autoren",
    "No communities discussed %(brand)s in this period.":
        "In diesem Zeitraum hat keine Community über %(brand)s gesprochen.",
}
