"""Intent of a post: complaint, question, suggestion, praise or other.

A fast, offline rule model: weighted regular-expression lexicons per language (German
and English; other or unknown languages use both). Every pattern adds its weight to one
class; a few structural rules (rhetorical questions, sarcasm, "praise, but problem")
move weight between classes; the best class wins when it reaches a minimum score,
otherwise the post is `other`. Measured in `models/intent/MODEL_CARD.md`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pipeline.nlp.sentiment.base import TextFeatures

log = logging.getLogger(__name__)

INTENT_MODEL = ("stimmung-intent", "1.1.0")
INTENTS = ("complaint", "question", "suggestion", "praise", "other")
MIN_SCORE = 1.0

_Rule = tuple[str, str, float]  # (regex, class, weight)

_COMMON: list[_Rule] = [
    (r"\?\s*$", "question", 1.5),
    (r"\?", "question", 0.5),
    (r"[!]{2,}", "complaint", 0.3),
]

_DE: list[_Rule] = [
    # questions without a question mark
    (r"^(wie|was|wo|wann|warum|wieso|weshalb|welche[rsmn]?|wer|woran|womit|wohin|wieviel|"
     r"kann|könnt|hat|habt|haben|gibt es|gibts|gibt's|ist|sind|muss|soll|lohnt|funktioniert|"
     r"macht es|weiß|weiss|wisst|kennt|kennst|geht|darf|braucht|würdet|passt|reicht)\b",
     "question", 1.3),
    (r"\b(weiß|weiss|kennt|hat|kann) (hier )?(jemand|einer|wer|zufällig jemand|"
     r"jemand zufällig)\b", "question", 2.0),
    (r"\bwer weiß\b|\bfrage an\b|\bfrage:|\bsuche (tipps|hilfe|rat|eine anleitung|infos?)\b|"
     r"\bbrauche (kurz |mal |dringend )?(hilfe|rat|tipps)\b|\bbräuchte\b|"
     r"\bwürde (gern|gerne) wissen\b|\bmich (würde )?interessiert?\b|\bich frage mich\b|"
     r"\bbin (mir )?unsicher\b|\bwas meint ihr\b|\bwas haltet ihr\b|\bfalls jemand\b|"
     r"\bfür jeden (hinweis|tipp) dankbar\b|\beure erfahrungen\b|\berfahrungen mit\b|"
     r"\bhat jemand (einen )?tipp\b|\bkann mir (mal )?jemand (sagen|helfen)\b|"
     r"\bich suche\b|\bhallo zusammen\b|\bhat schon jemand\b|\bwie sind eure\b|"
     r"\bmuss ich\b|\bist das normal\b|\bwas bedeutet\b", "question", 2.0),
    # complaints
    (r"\b(kaputt|defekt|stürzt|abgestürzt|absturz|nervt|nervig|ärgerlich|enttäusch\w*|"
     r"frechheit|unverschämt|mist|schlecht|schlechter|zumutung|ausfall|fällt\w* aus|tropft|"
     r"quietscht|flackert|hängt|warteschleife|abgelehnt|verkalkt|verbrannt|nutzlos|"
     r"dreckig|fehlkonstruktion|hinüber|katastrophe|lächerlich|unerträglich|unfassbar|"
     r"bereue|bereut|reicht (es|mir)|bedient|witz|leckt|leer|nie wieder|undicht|"
     r"verstopft|rattert|rauschen|rauscht|fehler\w*|störung|abgebucht|abbrüche|"
     r"problem|probleme|nicht mehr|verloren|keiner|niemand|nie erreichbar|"
     r"geht nicht|kam keiner|nie da|gar nichts|nichts mehr|immer noch nichts|"
     r"verbuggt|unbenutzbar|scheitert|scharfe kanten|lauwarm\w*|riss|ständig|dauernd|"
     r"schon wieder|mal wieder|jedes mal|erstattung|mahnung|teuer|preiserhöhung|"
     r"nachgelassen|verspätung|tot|gruselig|blendet|zurückgeschickt|falsch\w*)\b",
     "complaint", 1.0),
    (r"\b(danke für (gar )?nichts|na toll|läuft bei euch|ernsthaft\?|"
     r"wann hört (das|es) (denn )?(endlich )?auf|wie lange (soll|muss|darf) (das|ich) (denn )?noch|"
     r"wann (kommt|klappt|funktioniert|geht) (das|es|der|die|mein|meine) ?\w* endlich|"
     r"ist es zu viel verlangt|wie kann man|wer hat sich|geht (das|'s|es) nur mir so,? oder|"
     r"hat noch jemand (das|dieses) problem|noch jemand mit|langsam reicht)",
     "rhetoric", 4.0),
    (r"\bbitte (behebt|fixt|fixen|repariert|beheben|reparieren)\b|\bbitte \w+ fixen\b",
     "complaint", 2.5),
    # "... oder bin ich der Einzige?" closing a post: a weak complaint hint only
    (r"\b(bin ich (der|die) einzige|geht (das|'s|es) nur mir so)\b", "complaint", 1.0),
    # thanks in advance closes a request for help: a question, not praise
    (r"\b(danke|dank) (schon mal|schonmal|im voraus|vorab)\b|\bvielen dank im voraus\b|"
     r"\bbin (für|über) (jeden|jede|alle) (tipp|tipps|hinweis|hinweise|hilfe|rat)\w* dankbar\b|"
     r"\bweiß jemand rat\b", "question", 2.0),
    (r"\b(danke|dank) (schon mal|schonmal|im voraus|vorab)\b", "praise", -1.0),
    (r"^(super|toll|genial|klasse|prima|wunderbar|echt super|na super|"
     r"fünf sterne)\b[,.!: ]", "sarcasm", 1.0),
    # suggestions
    (r"\bwäre (es |doch |echt |ja )?(cool|super|toll|schön|klasse|praktisch|genial|"
     r"hilfreich|nett|gut|ein traum|eine schöne sache|nicht schlecht|perfekt|prima)\b|"
     r"\b(es|das) wäre\b|\bwie wäre es\b|\bschön wäre\b|\bpraktisch wäre\b|"
     r"\bwünschenswert\b|\bich wünsche mir\b|\bwürde (mir|ich mir) .*wünschen\b|"
     r"\bmein (vorschlag|wunsch)\b|\bvorschlag\b|\bidee\b|\bihr solltet\b|"
     r"\b(sollte|solltet|könnte|könntet) (ruhig |doch |bitte |einfach )?\w*\s?\w* "
     r"(einbauen|anbieten|beilegen|informieren|anbringen|aufnehmen|einführen|bringen)\b|"
     r"\bbitte (baut|fügt|macht|bringt|nehmt|bietet|legt|ergänzt|integriert)\b|"
     r"\bbaut doch\b|\bnehmt doch\b|\bbringt doch\b|\bmacht doch\b|\blegt doch\b|"
     r"\bes fehlt\b|\bfehlt (nur|eigentlich|noch)\b|\bhätte (gern|gerne)\b|"
     r"\bfände (es|einen|eine|ein)\b|\bwarum nicht\b|\bfür die nächste version\b|"
     r"\blasst uns\b|\bman könnte\b|\bman sollte\b|\bbraucht dringend\b|"
     r"\bwürde (viel|sehr|vielen) helfen\b|\bwürde .* (helfen|sparen)\b|"
     r"\bwürde ich sofort kaufen\b|\bwären nicht schlecht\b|\bwäre eine\b|"
     r"\bals zubehör\b|\bfeature-?wunsch\b|\bfeature request\b", "suggestion", 2.2),
    (r"\bkönnt(et)? ihr (nicht |bitte )?(einfach |mal )?\w+", "suggestion", 0.8),
    # praise
    (r"\b(lob|danke|dank|dankeschön|top|begeistert|empfehlen|empfehlung|kaufempfehlung|"
     r"liebe|lieben|traumhaft|zufrieden|perfekt\w*|klasse|hammer|vorbildlich|überzeugt|"
     r"überzeugt|gefällt|weiter so|jeden cent wert|beste[rns]?|positiv überrascht|fair|"
     r"hilfreich|geholfen|kulant\w*|edel|schön\w*|super|toll\w*|genial|großartig|"
     r"wunderbar|spitze|gelungen|stabil|einfach|schnell\w*|angenehm|hut ab|"
     r"rundum|übersichtlich|intuitiv|leise|freundlich\w*|nett\w*|gerne wieder|"
     r"pünktlich|ohne probleme|ohne diskussion|problem gelöst|endlich)\b", "praise", 1.0),
    (r"\b(nicht schlecht|kann man nicht meckern|kein problem|nicht nervt|"
     r"tausendmal besser|besser als|ohne probleme|gerne wieder)\b|^was für ein", "praise", 2.0),
    (r"\bkönn(t|tet) ihr (nicht |bitte |nicht einfach |doch )?.*\b(einbauen|anbieten|"
     r"schicken|machen|bringen|ergänzen)\b", "suggestion", 2.2),
]

_EN: list[_Rule] = [
    (r"^(how|what|where|when|which|who|whom|whose|why|can|could|does|do|did|is|are|has|"
     r"have|should|will|was|were|am|any|anyone|anybody|someone|curious|wondering)\b",
     "question", 1.3),
    (r"\b(anyone|anybody|someone|somebody) (know|knows|got|have|has|tried|recommend|"
     r"happen)\b|\bdoes (anyone|anybody)\b|\bcan (anyone|someone|somebody)\b|"
     r"\bcould (anyone|someone|somebody)\b|\bwho knows\b|\bany (tips|ideas|advice|"
     r"pointers|news|recommendations?|thoughts)\b|\blooking for (tips|advice|help|a guide|"
     r"recommendations?)\b|\bneed (a bit of |some |your )?(help|advice)\b|\bi wonder\b|"
     r"\bwondering\b|\bi'?d like to know\b|\bwould love to know\b|\bnot sure (if|whether)\b|"
     r"\bthoughts\b|\bif anyone knows\b|\btrying to figure out\b|\bquick poll\b|"
     r"\bwhat'?s your experience\b|\bwhat do you think\b|\bcurious (whether|if)\b|"
     r"\bgrateful for any\b|\bis that normal\b|\bdo i need to\b|\bwhat does .* mean\b|"
     r"\bhi all\b|\bhas anyone\b|\bis there (a|any) way\b|\bdoes it make sense\b",
     "question", 2.0),
    (r"\b(broken|broke|crash\w*|useless|annoying|disappoint\w*|ridiculous|outrageous|"
     r"garbage|unacceptable|leak\w*|squeal\w*|flicker\w*|freez\w*|refused|denied|on hold|"
     r"joke|worse|worst|filthy|dead|died|regret|snaps?|hiss\w*|clog\w*|burnt|never|"
     r"nobody|rip-?off|terrible|awful|horrible|disaster|unusable|fed up|driving me|"
     r"error|errors|outage|fault\w*|defective|problem|issue|issues|wrong|unbelievable|"
     r"charged twice|still nothing|charging me|won'?t|doesn'?t work|not working|"
     r"stopped working|nothing works|dropp\w+|creepy|canned|smashed|lukewarm|sharp edges|"
     r"cracked|keeps|constantly|constant|again|every single time|waiting|"
     r"rattl\w*|blinding|sent .* back|cuts out|dies|price hike|empty|running out)\b",
     "complaint", 1.0),
    (r"\b(thanks for nothing|is it too much to ask|how do you build|who designed|"
     r"when (does|will) (this|it) (ever |finally )?end|how much longer|"
     r"when will (you|this|it) (ever |finally )|"
     r"is it just me,? or\b|anyone else (having|getting|with)|does anyone else'?s?|"
     r"nice job,|seriously\?|impressive\.?$|wow, \d+ percent)", "rhetoric", 4.0),
    (r"\bplease (finally )?(fix|repair|sort out)\b", "complaint", 2.5),
    (r"\b(is it just me|am i the only one)\b", "complaint", 1.0),
    (r"\b(thanks|thank you|thx|ty) in advance\b|\bany (tips|help|advice|pointers|input) "
     r"(is |would be )?(much |greatly )?appreciated\b|\bany (advice|experience with)\b",
     "question", 2.0),
    (r"\b(thanks|thank you|thx|ty) in advance\b", "praise", -1.0),
    (r"^(oh great|great|brilliant|fantastic|wonderful|wow|nice|perfect|lovely|"
     r"five stars)\b[,.!: ]", "sarcasm", 1.0),
    (r"\bnothing says\b|\bwho needs\b", "complaint", 2.5),
    (r"\bwould (be|help) (so |really |a lot |very )?(cool|great|nice|awesome|amazing|handy|"
     r"perfect|helpful|useful|practical|lovely|a lot)\b|\bit'?d be\b|\bhow about\b|"
     r"\bwhat about\b|\bi wish\b|\bi'?d love\b|\bi'?d like (an?|to be able|the option)\b|"
     r"\b(my )?suggestion\b|\bidea\b|\bfeature request\b|\bmy wish\b|\byou should\b|"
     r"\bshould (add|offer|notify|include|make|ship|sell|put|keep|build|consider|let)\b|"
     r"\bcould (easily |just |please )?(add|offer|include|make)\b|"
     r"\bplease (add|make|include|consider|offer|build|bring|let)\b|"
     r"\bcould you (please )?(add|make|offer|include)\b|\ball that'?s missing\b|"
     r"\bwhat'?s missing\b|\bwhy not\b|\bfor the next version\b|\blet us\b|"
     r"\bcould be (way |much |a lot )?(simpler|better|easier)\b|\bbadly needs\b|"
     r"\bwouldn'?t hurt\b|\bwould be (a )?(nice|great) touch\b|\bwould help\b|"
     r"\bwould save\b|\bi'?d buy it\b|\bwould be perfect\b|\bas an accessory\b|"
     r"\bshould be able to\b|\bcouldn'?t you\b|\bwould be (so )?much more\b",
     "suggestion", 2.2),
    (r"\b(love|loving|loved|thanks|thank you|shout-?out|kudos|recommend\w*|great|best|"
     r"perfect\w*|worth|happy|exemplary|keep it up|dream|pleasantly surprised|helpful|"
     r"won me over|thrilled|amazing|awesome|excellent|fantastic|brilliant|beautiful|"
     r"cosy|cozy|insane|friendly|stable|fast|quick\w*|smooth|cleaner|intuitive|quiet|"
     r"hats off|generous|fair|on time|early|without any (fuss|problems)|problem solved|"
     r"finally|top|impressed|superb|like it|nice|good|punchy|easy)\b", "praise", 1.0),
    (r"\b(not bad|can'?t complain|no problem|doesn'?t annoy|a thousand times better|"
     r"better than|without any problems|would order again)\b|^what (a )?beautiful",
     "praise", 2.0),
]


@dataclass(frozen=True)
class _Compiled:
    rules: tuple[tuple[re.Pattern[str], str, float], ...]
    # the same rules without IGNORECASE, for lower-cased texts (see `_lowered`)
    lower_rules: tuple[tuple[re.Pattern[str], str, float], ...]


def _compile(rules: list[_Rule]) -> _Compiled:
    return _Compiled(tuple((re.compile(p, re.IGNORECASE), c, w) for p, c, w in rules),
                     tuple((re.compile(p), c, w) for p, c, w in rules))


_BY_LANG: dict[str, _Compiled] = {
    "de": _compile(_COMMON + _DE),
    "en": _compile(_COMMON + _EN),
    "*": _compile(_COMMON + _DE + _EN),
}
_CONTRAST = re.compile(r"\b(aber|doch|nur leider|leider|but|however|though|only)\b",
                       re.IGNORECASE)
_RHETORIC = re.compile(r"^(warum|wieso|weshalb|why|wer braucht|who needs)\b", re.IGNORECASE)
_RHETORIC_HINT = re.compile(r"\b(eigentlich|immer|nie|ständig|jedes mal|bei jedem|always|never|"
                            r"every|constantly|still)\b", re.IGNORECASE)
_GREETING = re.compile(r"^(hallo|hi|hey|moin|servus|hello)( zusammen| all| everyone| leute)?"
                       r"[,!.:]?\s+", re.IGNORECASE)
_WS = re.compile(r"\s+")
_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]*")

# sentence-level questions: an information question anywhere in the post, not only at its
# start or end ("Bought it last year. When does X usually run sales? Thanks in advance!")
_WH_DE = (r"^(wie|was|wo|wohin|woher|wann|welche[rsmn]?|wer|wieviel|ab wann|bis wann|"
          r"gibt es|gibt's|gibts)\b")
_WH_EN = r"^(how|what|where|when|which|who|whom|is there|are there)\b"
_YESNO_DE = (r"^(kann|könnt|kennt|weiß|weiss|hat|habt|ist|sind|lohnt|muss|soll|braucht|reicht|"
             r"passt|funktioniert|gibt|bekommt|liefert|bietet|führt)\b")
_YESNO_EN = r"^(is|are|does|do|did|can|could|will|would|should|has|have|any|anyone|anybody)\b"
# what shops are asked about: prices, dates and availability
_INFO_DE = (r"\b(wie ?viel|was kostet|kostet|kosten|preis\w*|rabatt\w*|angebot\w*|\w*aktion\w*|"
            r"sale|gutschein\w*|lieferbar|verfügbar|erhältlich|vorrätig|auf lager|lieferzeit\w*|"
            r"liefertermin|versand\w*|ab wann|bis wann|wie lange|wann|öffnungszeit\w*|geöffnet|"
            r"termin\w*|datum|uhrzeit|erscheint|erscheinen)\b")
_INFO_EN = (r"\b(how much|cost|costs|price\w*|pricing|sale|sales|discount\w*|deals?|coupons?|"
            r"promo\w*|available|availability|in stock|back in stock|ships?|shipping|deliver\w*|"
            r"when|how long|what time|opening hours|open|release date|launch\w*|restock\w*)\b")


def _either(de: str, en: str) -> dict[str, re.Pattern[str]]:
    return {"de": re.compile(de, re.IGNORECASE), "en": re.compile(en, re.IGNORECASE),
            "*": re.compile(f"(?:{de})|(?:{en})", re.IGNORECASE)}


_WH = _either(_WH_DE, _WH_EN)
# suggestions phrased as questions are not questions for information
_PROPOSAL = re.compile(r"^(wie wäre es|wie wärs|wie wär's|was wäre, wenn|was wäre wenn|"
                       r"wäre es nicht|how about|what about|what if|why not|wouldn'?t it be)\b",
                       re.IGNORECASE)
_YESNO = _either(_YESNO_DE, _YESNO_EN)
_INFO = _either(_INFO_DE, _INFO_EN)


@cache
def _case_risky() -> re.Pattern[str]:
    """Characters for which `str.lower` + case-sensitive matching may differ from
    IGNORECASE matching of the rules: those an IGNORECASE class of the rules' characters
    treats otherwise than their lower case does (long s, dotless i, Kelvin sign, ...),
    those lower-cased to several characters or to a non-word character, and the capital
    sigma (lower-cased by context). Found once per process (~0.1 s)."""
    chars = {ch for rules in (_COMMON, _DE, _EN) for p, _, _ in rules for ch in p}
    members = "".join(re.escape(ch) for ch in sorted(chars))
    ignorecase = re.compile(f"[{members}]", re.IGNORECASE).fullmatch
    risky = ["\u03a3"]
    for cp in range(0x20000):  # no cased characters beyond plane 1
        c = chr(cp)
        low = c.lower()
        if (bool(ignorecase(c)) != (low in chars) or
                (low != c and (len(low) != 1 or c.isalnum() != low.isalnum()))):
            risky.append(re.escape(c))
    return re.compile("[" + "".join(risky) + "]")


def _lowered(text: str) -> str | None:
    """`text` lower-cased when case-sensitive rules on it match exactly what the
    IGNORECASE rules match on `text` (3x faster), else None."""
    if text.isascii() or not _case_risky().search(text):
        return text.lower()
    return None


def _question_sentences(t: str, lang: str) -> tuple[float, bool]:
    """Extra question weight from the post's sentences, and whether one asks for
    prices, dates or availability."""
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(t)]
    extra, info = 0.0, False
    for i, sent in enumerate(sentences):
        if _RHETORIC.search(sent) or _PROPOSAL.search(sent):
            continue
        asks = sent.endswith("?")
        wh = bool(_WH[lang].search(sent))
        if asks and i < len(sentences) - 1:
            extra = max(extra, 1.0)  # a question followed by more text
        if wh and (asks or i == len(sentences) - 1):
            extra = max(extra, 1.5)
        if (asks or wh or _YESNO[lang].search(sent)) and _INFO[lang].search(sent):
            info = True
    return extra, info


def _scores(text: str, lang: str | None) -> dict[str, float]:
    key = (lang or "*").lower()[:2]
    key = key if key in _BY_LANG else "*"
    compiled = _BY_LANG[key]
    t = _GREETING.sub("", _WS.sub(" ", text).strip())
    s = dict.fromkeys((*INTENTS, "sarcasm", "rhetoric"), 0.0)
    low = _lowered(t)
    rules, target = (compiled.rules, t) if low is None else (compiled.lower_rules, low)
    for pattern, cls, weight in rules:
        if pattern.search(target):
            s[cls] += weight
    # a rhetorical complaint phrase ("is it too much to ask", "how do you build ...") is
    # a complaint however it is punctuated
    s["complaint"] += s.pop("rhetoric")
    if s["complaint"] < 4.0:
        extra, info = _question_sentences(t, key)
        s["question"] += extra
        # questions about prices, dates or availability are questions
        # ("When does X usually run sales?")
        if info:
            s["question"] += 1.5
    # a suggestion phrased as a question ("why not ...?", "could you add ...?")
    if s["suggestion"] >= 2.0:
        s["question"] = max(0.0, s["question"] - 1.5)
    # rhetorical question: "why ..." with a problem word is a complaint, not a question
    if _RHETORIC.search(t) and _RHETORIC_HINT.search(t):
        s["complaint"] += 1.0
    if _RHETORIC.search(t) and s["complaint"] >= 1.0 and s["suggestion"] < 2.0:
        s["complaint"] += 1.5 + s["question"] / 2
        s["question"] /= 2
    # sarcasm: a positive opener followed by a problem
    if s["sarcasm"] and s["complaint"] >= 1.0:
        s["complaint"] += 2.0
        s["praise"] = 0.0
    # "praise, but problem": the problem after the contrast decides
    m = _CONTRAST.search(t)
    if m and s["complaint"] >= 1.0 and s["praise"] >= 1.0:
        tail = t[m.end():]
        tail_scores = dict.fromkeys(INTENTS, 0.0)
        compiled_tail = compiled.rules
        for pattern, cls, weight in compiled_tail:
            if cls in tail_scores and pattern.search(tail):
                tail_scores[cls] += weight
        if tail_scores["complaint"] > tail_scores["praise"]:
            s["complaint"] += 1.5
    # a problem report with a question: help requests stay questions unless emotional
    if s["question"] >= 2.0 and s["complaint"] >= 2.5 and s["complaint"] < 3.5:
        s["complaint"] -= 1.0
    del s["sarcasm"]
    return s


def rule_scores(text: str, lang: str | None = None) -> dict[str, float]:
    """The rules' score per class (the head's stacking features)."""
    return _scores(text, lang)


def label_of(scores: dict[str, float]) -> str:
    """The rules' label for their class scores: the best class, `other` below MIN_SCORE."""
    best = max(INTENTS[:-1], key=lambda c: (scores[c], -INTENTS.index(c)))
    return best if scores[best] >= MIN_SCORE else "other"


def classify_intent(text: str, lang: str | None = None) -> str:
    """The intent of one post by the rules (see `classify_intents`)."""
    return label_of(_scores(text, lang))


def rule_intents(texts: Sequence[str], langs: Sequence[str | None]) -> list[str]:
    """One intent per text by the rules alone (no encoder)."""
    if len(texts) != len(langs):
        raise ValueError("texts and langs must have the same length")
    return [classify_intent(t or "", lang) for t, lang in zip(texts, langs, strict=True)]


def classify_intents(texts: Sequence[str], langs: Sequence[str | None],
                     features: TextFeatures | None = None) -> list[str]:
    """One intent per text: complaint | question | suggestion | praise | other.

    `features` (what an encoder backend handed out for the same texts, see
    `pipeline.nlp.sentiment.base.TextFeatures`) lets the bundled encoder head decide the
    texts it has vectors for (`features.encoded`); the rules decide the rest. Without
    features (the fast profile), without a bundled head, or with vectors of another kind
    than the head reads, the rules decide alone.
    """
    if len(texts) != len(langs):
        raise ValueError("texts and langs must have the same length")
    if features is None or not texts:
        return rule_intents(texts, langs)
    from pipeline.nlp.intent_head import head_for

    head = head_for(features.kind)
    if head is None:
        return rule_intents(texts, langs)
    encoded = np.asarray(features.encoded, dtype=bool)
    if encoded.shape != (len(texts),) or len(features.rows) != len(texts):
        raise ValueError("features must have one row and one flag per text")
    out = [""] * len(texts)
    idx = np.flatnonzero(encoded).tolist()
    if idx:
        by_head = head.predict([texts[i] for i in idx], [langs[i] for i in idx],
                               np.asarray(features.rows)[idx])
        for i, label in zip(idx, by_head, strict=True):
            out[i] = label
    rest = np.flatnonzero(~encoded).tolist()
    for i, label in zip(rest, rule_intents([texts[i] for i in rest], [langs[i] for i in rest]),
                        strict=True):
        out[i] = label
    return out
