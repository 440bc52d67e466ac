"""A synthetic, deterministic demo corpus written for stimmung (no real data inside).

`generate_corpus()` makes ~1,600 German and English social posts over 60 days about two
fictional coffee-machine brands (Kaffeekraft and its competitor Brühwerk) and a fictional
e-bike brand (Velora), plus ~10% noise without a brand. Every post carries hidden gold
labels (sentiment, intent, topic, brands) so tests can check what the pipeline finds.

Injected signals:
* a negative spike for Kaffeekraft on `spike_day` (day 45 of 60): an app update breaks
  the milk frother; a small tail follows on the next day;
* an emerging customer problem in the last 14 days: the descaling warning
  ("Entkalkungswarnung") keeps appearing after firmware 3.2; absent before, growing
  from 1-2 to ~10 posts a day.

Reply threads, ~350-400 extra posts (only in the JSONL export, whose `parent` column holds
the parent's `id`; generated from a separate random stream, so the top-level posts are the
same as with `threads=False`):
* each brand's official accounts (`BRANDS[...]["official_accounts"]`, e.g.
  `Kaffeekraft_Service`) answer roughly half of the brand's questions and complaints
  within hours (07:00-22:00; Kaffeekraft's team is silent on spike day); the rest stay
  unanswered, the material for a response queue;
* ordinary members reply briefly (me too, tips, +1), askers thank their helpers;
* one "chief" per community of the export (`CHIEFS`) answers many questions and is
  replied to most, so reply-graph centrality has a clear top.
Gold labels mark replies (`parent`), posts by official accounts (`official`) and the
questions/complaints an official account answered (`answered_by_official`, `answered_by`).

`write_demo_data()` writes the corpus as two RSS 2.0 feeds, one Atom 1.0 feed, one JSONL
support-tool export and a `manifest.json` (see `DemoManifest`).
"""

from __future__ import annotations

import html
import json
import math
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from pipeline.text.dedup import Deduplicator

DEFAULT_END = date(2026, 10, 31)

SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("complaint", "question", "suggestion", "praise", "other")

KAFFEEKRAFT, BRUEHWERK, VELORA = "Kaffeekraft", "Brühwerk", "Velora"

# ----------------------------------------------------------------------------- brands

BRANDS: dict[str, dict[str, Any]] = {
    KAFFEEKRAFT: {
        "aliases": ["Kaffee-Kraft", "KK app", "Kaffeekraft Barista Pro"],
        "query": '"Kaffeekraft" OR "Kaffee-Kraft" OR ("KK" AND (app OR maschine OR machine))',
        "products": ["Barista Pro", "Barista Pro 2", "Barista Mini", "Duo Milk"],
        "domain": "coffee",
        "official_accounts": ["Kaffeekraft_Service"],
    },
    BRUEHWERK: {
        "aliases": ["Bruehwerk", "Bruhwerk"],
        "query": '"Brühwerk" OR "Bruehwerk" OR "Bruhwerk"',
        "products": ["Classic 58", "Duo S", "Mühle M2", "Compact One"],
        "domain": "coffee",
        "official_accounts": ["Bruehwerk_Team"],
    },
    VELORA: {
        "aliases": ["Velora bikes", "Velora e-bike"],
        "query": '"Velora" AND NOT ("Hotel Velora" OR "Velora Resort")',
        "products": ["Urban 3", "Trail X", "Cargo Plus", "City Step"],
        "domain": "bike",
        "official_accounts": ["Velora_Support", "VeloraBikes"],
    },
}
COMPETITORS: dict[str, list[str]] = {KAFFEEKRAFT: [BRUEHWERK], VELORA: []}

# brand surface forms (what authors actually type) with weights
_SURFACES: dict[str, list[tuple[str, int]]] = {
    KAFFEEKRAFT: [("Kaffeekraft", 14), ("Kaffee-Kraft", 3), ("kaffeekraft", 2), ("KK-Maschine", 1)],
    BRUEHWERK: [("Brühwerk", 14), ("Bruehwerk", 3), ("brühwerk", 1)],
    VELORA: [("Velora", 16), ("velora", 2), ("VELORA", 1)],
}

# ----------------------------------------------------------------------------- templates
# Slots: {b} brand, {c} competitor, {p} product, {n} small number, {city}, {e} emoji,
# {v} app version, {price} euro/dollar amount, {km} range in km.

_COFFEE: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "grinder_noise": {
        "de": {
            "neg": (
                "Das Mahlwerk der {p} von {b} ist so laut, dass morgens die ganze Wohnung wach ist.",
                "Seit {n} Wochen klingt die Mühle meiner {b} wie ein Presslufthammer.",
                "Das Mahlgeräusch ist ein Witz für eine Maschine in dieser Preisklasse, {b}.",
                "Meine {p} rattert beim Mahlen und ab und zu knackt es richtig.",
            ),
            "neu": (
                "Das Mahlwerk der {p} hat {n} Stufen, ich nutze meistens Stufe {n}.",
                "Die Mühle von {b} ist ein Kegelmahlwerk aus Stahl, laut Datenblatt.",
            ),
            "pos": (
                "Das Mahlwerk der {p} ist überraschend leise, {b} hat da echt nachgebessert.",
                "Endlich eine Mühle, die morgens niemanden weckt – danke {b}!",
                "Mahlgrad lässt sich bei der {b} super fein einstellen, klingt dabei ruhig.",
            ),
            "q": (
                "Ist es normal, dass das Mahlwerk der {p} nach {n} Wochen lauter wird?",
                "Kann man bei der {b} {p} die Mühle selbst reinigen oder muss die zum Service?",
            ),
            "sug": (
                "{b} sollte eine Dämmmatte für das Mahlwerk beilegen.",
                "Ein Leise-Modus für die Mühle wäre ein Traum, liebes {b}-Team.",
            ),
        },
        "en": {
            "neg": (
                "The grinder on my {b} {p} is so loud it wakes up the whole house.",
                "After {n} weeks the {b} grinder started rattling like a jackhammer.",
                "For this price the grinder noise on the {p} is honestly unacceptable, {b}.",
                "My {p} makes a horrible clicking sound while grinding.",
            ),
            "neu": (
                "The {b} {p} grinder has {n} settings; I mostly use setting {n}.",
                "According to the spec sheet the {b} grinder uses steel conical burrs.",
            ),
            "pos": (
                "The grinder on the {p} is surprisingly quiet, {b} really improved it.",
                "Finally a grinder that doesn't wake the kids – well done {b}!",
                "Grind size adjustment on the {b} is super fine and it stays quiet.",
            ),
            "q": (
                "Is it normal that the {p} grinder gets louder after {n} weeks?",
                "Can I clean the {b} {p} burrs myself or does it need a service visit?",
            ),
            "sug": (
                "{b} should ship a little damping mat for the grinder.",
                "A quiet mode for the grinder would be amazing, {b} team.",
            ),
        },
    },
    "milk_foam": {
        "de": {
            "neg": (
                "Der Milchschaum aus der {p} ist dünn und nach einer Minute zusammengefallen.",
                "Die Milchdüse der {b} verstopft ständig, ich reinige mir die Finger wund.",
                "Cappuccino mit der {p}? Eher warme Milch mit Blubberblasen. {e}",
                "Der Milchaufschäumer von {b} spritzt jedes Mal die halbe Küche voll.",
            ),
            "neu": (
                "Ich nehme für den Milchschaum bei der {p} meistens Hafermilch Barista-Edition.",
                "Die {b} hat eine automatische Milchlanze und eine manuelle Dampfdüse.",
            ),
            "pos": (
                "Der Milchschaum der {p} ist cremig und fein wie im Café {e}",
                "Latte Art mit der {b}? Klappt nach {n} Tagen Übung erstaunlich gut.",
                "Die Milchlanze von {b} ist der Hammer, super feinporiger Schaum.",
            ),
            "q": (
                "Welche Milch schäumt bei euch in der {p} am besten?",
                "Wie oft reinigt ihr die Milchdüse der {b}?",
            ),
            "sug": (
                "{b} könnte eine Temperaturanzeige für die Milch einbauen.",
                "Ein zweiter Milchbehälter als Zubehör wäre praktisch, {b}.",
            ),
        },
        "en": {
            "neg": (
                "The milk foam from the {p} is thin and collapses within a minute.",
                "The {b} milk nozzle clogs constantly, I'm cleaning it all the time.",
                "Cappuccino on the {p}? More like warm milk with a few bubbles. {e}",
                "The {b} frother sprays milk all over the counter every single time.",
            ),
            "neu": (
                "I mostly use oat milk barista edition with the {p}.",
                "The {b} has an automatic milk wand plus a manual steam wand.",
            ),
            "pos": (
                "The milk foam on the {p} is silky, café quality {e}",
                "Latte art on the {b} works surprisingly well after {n} days of practice.",
                "The {b} steam wand is brilliant, really fine microfoam.",
            ),
            "q": (
                "Which milk foams best in your {p}?",
                "How often do you clean the {b} milk nozzle?",
            ),
            "sug": (
                "{b} could add a milk temperature display.",
                "A second milk jug as an accessory would be handy, {b}.",
            ),
        },
    },
    "app_pairing": {
        "de": {
            "neg": (
                "Die App von {b} findet meine {p} einfach nicht, Bluetooth-Kopplung scheitert jedes Mal.",
                "Nach dem Update auf Version {v} ist die Maschine wieder aus der App verschwunden.",
                "Ständig muss ich die {b} App neu koppeln, total nervig.",
                "Die App stürzt beim Rezept-Speichern ab, {b} bitte fixen {e}",
            ),
            "neu": (
                "Die {b} App läuft bei mir auf Version {v}.",
                "Man kann die {p} über WLAN oder Bluetooth mit der App verbinden.",
            ),
            "pos": (
                "Die App von {b} ist richtig gut gemacht, Rezepte lassen sich easy anpassen.",
                "Kopplung mit der {p} hat auf Anhieb geklappt, sehr schön.",
                "Morgens per App den Kaffee starten – {b} hat mich überzeugt {e}",
            ),
            "q": (
                "Wie bekommt ihr die {p} stabil mit der {b} App gekoppelt?",
                "Gibt es die {b} App auch für Tablets?",
            ),
            "sug": (
                "Die {b} App bräuchte ein Widget für den Startbildschirm.",
                "Rezepte teilen in der App wäre cool, {b}.",
            ),
        },
        "en": {
            "neg": (
                "The {b} app just can't find my {p}, Bluetooth pairing fails every time.",
                "After updating to version {v} the machine disappeared from the app again.",
                "I have to re-pair the {b} app constantly, so annoying.",
                "The app crashes when I save a recipe, {b} please fix this {e}",
            ),
            "neu": (
                "I'm on version {v} of the {b} app.",
                "You can connect the {p} to the app via Wi-Fi or Bluetooth.",
            ),
            "pos": (
                "The {b} app is really well made, recipes are easy to tweak.",
                "Pairing the {p} worked on the first try, lovely.",
                "Starting my coffee from bed via the app – {b} won me over {e}",
            ),
            "q": (
                "How do you keep the {p} paired with the {b} app?",
                "Is there a tablet version of the {b} app?",
            ),
            "sug": (
                "The {b} app needs a home screen widget.",
                "Sharing recipes inside the app would be cool, {b}.",
            ),
        },
    },
    "customer_service": {
        "de": {
            "neg": (
                "Seit {n} Tagen warte ich auf eine Antwort vom {b} Kundenservice.",
                "Hotline von {b}: {n}0 Minuten Warteschleife und dann aufgelegt.",
                "Der Service & Support bei {b} ist eine Katastrophe, Reparatur dauert schon {n} Wochen.",
                "Mein Ticket bei {b} wurde einfach geschlossen, ohne Lösung {e}",
            ),
            "neu": (
                "Der Kundenservice von {b} ist werktags von 8 bis 18 Uhr erreichbar.",
                "Reparaturen laufen bei {b} über ein Servicecenter in {city}.",
            ),
            "pos": (
                "Großes Lob an den {b} Service, Ersatzteil war nach {n} Tagen da.",
                "Die Dame an der {b} Hotline war super freundlich und kompetent.",
                "Reparatur in {city} ging schneller als gedacht, danke {b}!",
            ),
            "q": (
                "Wie lange hat bei euch eine Reparatur bei {b} gedauert?",
                "Hat jemand eine direkte Mailadresse vom {b} Support?",
            ),
            "sug": (
                "{b} sollte einen Rückruf-Service anbieten statt Warteschleife.",
                "Ein Leihgerät während der Reparatur wäre ein starkes Signal, {b}.",
            ),
        },
        "en": {
            "neg": (
                "I've been waiting {n} days for a reply from {b} customer service.",
                "{b} hotline: {n}0 minutes on hold and then they hung up.",
                "Service & support at {b} is a mess, my repair has taken {n} weeks so far.",
                "{b} closed my ticket without any solution {e}",
            ),
            "neu": (
                "{b} support is available on weekdays from 8am to 6pm.",
                "Repairs for {b} machines go through a service center in {city}.",
            ),
            "pos": (
                "Big thanks to {b} support, the spare part arrived after {n} days.",
                "The agent on the {b} hotline was super friendly and knew her stuff.",
                "My repair in {city} was faster than expected, thanks {b}!",
            ),
            "q": (
                "How long did a {b} repair take for you?",
                "Does anyone have a direct email for {b} support?",
            ),
            "sug": (
                "{b} should offer a call-back service instead of hold music.",
                "A loaner machine during repairs would be a strong move, {b}.",
            ),
        },
    },
    "price": {
        "de": {
            "neg": (
                "{price} € für die {p}? Das ist für das Gebotene viel zu teuer.",
                "Die Ersatzfilter von {b} kosten ein Vermögen.",
                "Preis & Leistung passen bei {b} einfach nicht mehr.",
                "Zwei Wochen nach dem Kauf hat {b} den Preis um {n}0 € gesenkt. Super. {e}",
            ),
            "neu": (
                "Die {p} kostet aktuell {price} € im Onlineshop von {b}.",
                "Bei {b} gibt es gerade {n} % Rabatt auf Zubehör.",
            ),
            "pos": (
                "Für {price} € bekommt man mit der {p} richtig viel Maschine.",
                "Preis-Leistung bei {b} ist top, würde sie wieder kaufen.",
                "Hab die {p} im Angebot geschossen, lohnt sich total {e}",
            ),
            "q": (
                "Lohnt sich die {p} für {price} € oder lieber warten?",
                "Wann gibt es bei {b} normalerweise Rabattaktionen?",
            ),
            "sug": (
                "{b} sollte ein Abo für Filter und Entkalker anbieten.",
                "Eine günstigere Variante ohne App wäre sinnvoll, {b}.",
            ),
        },
        "en": {
            "neg": (
                "{price} for the {p}? Way too expensive for what you get.",
                "{b} replacement filters cost a fortune.",
                "Price & value just don't match at {b} anymore.",
                "Two weeks after I bought it {b} dropped the price by {n}0. Great. {e}",
            ),
            "neu": (
                "The {p} currently sells for {price} in the {b} web shop.",
                "{b} has {n}% off accessories right now.",
            ),
            "pos": (
                "For {price} the {p} gives you a lot of machine.",
                "Value for money at {b} is great, would buy again.",
                "Got the {p} on sale, totally worth it {e}",
            ),
            "q": (
                "Is the {p} worth {price} or should I wait?",
                "When does {b} usually run sales?",
            ),
            "sug": (
                "{b} should offer a subscription for filters and descaler.",
                "A cheaper version without the app would make sense, {b}.",
            ),
        },
    },
    "taste": {
        "de": {
            "neg": (
                "Der Espresso aus der {p} schmeckt sauer, egal was ich einstelle.",
                "Die Brühtemperatur der {b} schwankt, der Kaffee ist mal bitter, mal wässrig.",
                "Crema? Fehlanzeige. Die {p} enttäuscht mich geschmacklich total.",
            ),
            "neu": (
                "Ich trinke aus der {p} meistens Espresso mit {n}8 g Bohnen.",
                "Die {b} brüht laut Anleitung mit 93 Grad.",
            ),
            "pos": (
                "Der Espresso aus der {p} ist schokoladig mit toller Crema {e}",
                "Seit ich die {b} habe, gehe ich nicht mehr ins Café.",
                "Geschmacklich spielt die {p} in einer anderen Liga als meine alte Maschine.",
            ),
            "q": (
                "Welche Bohnen empfehlt ihr für die {p}?",
                "Welche Brühtemperatur nutzt ihr bei der {b}?",
            ),
            "sug": (
                "Ein Profil für helle Röstungen würde der {b} gut tun.",
                "{b} könnte Bohnen-Empfehlungen in die App packen.",
            ),
        },
        "en": {
            "neg": (
                "Espresso from the {p} tastes sour no matter what I change.",
                "Brew temperature on the {b} is all over the place, bitter one day, watery the next.",
                "Crema? None. Taste-wise the {p} is a real letdown.",
            ),
            "neu": (
                "I mostly pull espresso on the {p} with {n}8 g of beans.",
                "According to the manual the {b} brews at 93 degrees.",
            ),
            "pos": (
                "Espresso from the {p} is chocolatey with gorgeous crema {e}",
                "Since I got the {b} I barely go to cafés anymore.",
                "Taste-wise the {p} is in a different league than my old machine.",
            ),
            "q": (
                "Which beans do you recommend for the {p}?",
                "What brew temperature do you use on the {b}?",
            ),
            "sug": (
                "A light-roast profile would do the {b} good.",
                "{b} could put bean recommendations in the app.",
            ),
        },
    },
}

_BIKE: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "battery_range": {
        "en": {
            "neg": (
                "The battery on my {b} {p} barely lasts {km} km, the ad promised twice that.",
                "Range dropped by a third after {n} months, not impressed with {b}.",
                "My {p} died halfway home in the cold, {b} batteries hate winter {e}",
                "Charging the {b} battery takes forever and it still shows 80% max.",
            ),
            "neu": (
                "I get about {km} km of range on the {p} in eco mode.",
                "The {b} {p} ships with a 625 Wh battery.",
            ),
            "pos": (
                "Did {km} km on one charge with my {b} {p}, amazing.",
                "The {b} battery holds up great even after {n} months of commuting.",
                "Range on the {p} is better than advertised {e}",
            ),
            "q": (
                "What range do you get from the {p} in winter?",
                "Can I buy a second battery for the {b} {p}?",
            ),
            "sug": (
                "{b} should sell a range extender for the {p}.",
                "A battery health screen in the {b} app would be great.",
            ),
        },
        "de": {
            "neg": (
                "Der Akku meines {b} {p} schafft kaum {km} km, beworben war das Doppelte.",
                "Nach {n} Monaten ist die Reichweite um ein Drittel eingebrochen, {b}.",
                "Im Winter macht der {b} Akku schlapp, stand mitten in {city} ohne Strom da {e}",
            ),
            "neu": (
                "Im Eco-Modus komme ich mit dem {p} auf etwa {km} km.",
                "Das {b} {p} hat einen 625-Wh-Akku.",
            ),
            "pos": (
                "{km} km mit einer Ladung, das {b} {p} ist der Wahnsinn.",
                "Der Akku von {b} hält auch nach {n} Monaten Pendeln super durch.",
            ),
            "q": (
                "Welche Reichweite schafft ihr mit dem {p} im Winter?",
                "Kann man für das {b} {p} einen Zweitakku kaufen?",
            ),
            "sug": (
                "{b} sollte einen Range-Extender für das {p} anbieten.",
                "Eine Akku-Zustandsanzeige in der App wäre super, {b}.",
            ),
        },
    },
    "motor_noise": {
        "en": {
            "neg": (
                "The motor on my {b} {p} whines like a drone above 20 km/h.",
                "Started hearing a grinding noise from the {b} motor after {n} weeks.",
                "My {p} motor clicks on every hill, dealer says it's normal. It isn't. {e}",
            ),
            "neu": (
                "The {p} uses a mid-drive motor with 85 Nm torque.",
                "{b} motors have a firmware that can be updated at the dealer.",
            ),
            "pos": (
                "The {b} motor is whisper quiet, you barely notice it.",
                "Climbing hills on the {p} is effortless and silent {e}",
                "Smooth power delivery on the {b}, no jerks at all.",
            ),
            "q": (
                "Is a slight whine from the {p} motor normal?",
                "Has anyone had the {b} motor firmware updated?",
            ),
            "sug": (
                "{b} should let riders tune the motor support curve in the app.",
                "A quieter gear for the {p} motor would be welcome.",
            ),
        },
        "de": {
            "neg": (
                "Der Motor meines {b} {p} heult ab 20 km/h wie eine Drohne.",
                "Seit {n} Wochen knirscht der {b} Motor bei jedem Anstieg {e}",
            ),
            "neu": (
                "Das {p} hat einen Mittelmotor mit 85 Nm.",
                "Die Motor-Firmware von {b} kann beim Händler aktualisiert werden.",
            ),
            "pos": (
                "Der {b} Motor ist flüsterleise, man hört ihn kaum.",
                "Berge hoch mit dem {p} – mühelos und leise {e}",
            ),
            "q": (
                "Ist ein leichtes Pfeifen vom {p} Motor normal?",
                "Hat jemand schon das Motor-Update von {b} gemacht?",
            ),
            "sug": (
                "{b} sollte die Unterstützungsstufen in der App einstellbar machen.",
                "Ein leiserer Modus für den Motor wäre toll, {b}.",
            ),
        },
    },
    "delivery_delay": {
        "en": {
            "neg": (
                "Ordered my {b} {p} {n} weeks ago and it still hasn't shipped.",
                "{b} pushed my delivery date back for the third time {e}",
                "No tracking, no answer, no bike. {b} delivery is a joke.",
                "They promised delivery in May, now {b} says maybe next month.",
            ),
            "neu": (
                "The {b} site currently says {n}-{n}0 days delivery for the {p}.",
                "My {p} was shipped from the {b} warehouse near {city}.",
            ),
            "pos": (
                "My {b} {p} arrived {n} days early, well packed too.",
                "Delivery was smooth, {b} even called to schedule it {e}",
            ),
            "q": (
                "How long did your {b} {p} take to arrive?",
                "Does {b} deliver to {city} yet?",
            ),
            "sug": (
                "{b} should send proactive updates when deliveries slip.",
                "A live tracking page for orders would save {b} a lot of angry emails.",
            ),
        },
        "de": {
            "neg": (
                "Mein {b} {p} ist seit {n} Wochen bestellt und immer noch nicht verschickt.",
                "{b} hat den Liefertermin zum dritten Mal verschoben {e}",
                "Keine Sendungsnummer, keine Antwort, kein Rad. Danke {b}.",
            ),
            "neu": (
                "Auf der {b} Website steht für das {p} aktuell {n} Wochen Lieferzeit.",
                "Das {p} kam aus dem {b} Lager bei {city}.",
            ),
            "pos": (
                "Mein {b} {p} kam {n} Tage früher als angekündigt, top verpackt.",
                "Lieferung lief reibungslos, {b} hat sogar vorher angerufen {e}",
            ),
            "q": (
                "Wie lange hat die Lieferung von eurem {b} {p} gedauert?",
                "Liefert {b} schon nach {city}?",
            ),
            "sug": (
                "{b} sollte bei Verzögerungen von sich aus Bescheid geben.",
                "Eine Tracking-Seite für Bestellungen würde {b} viel Ärger sparen.",
            ),
        },
    },
    "dealer_service": {
        "en": {
            "neg": (
                "The {b} dealer in {city} wants {n} weeks for a simple brake check.",
                "My local {b} dealer had no idea how to read the motor error code.",
                "Service appointment at the {b} partner shop got cancelled twice {e}",
            ),
            "neu": (
                "{b} has {n}0 partner dealers, the closest to me is in {city}.",
                "The first service for the {p} is free at {b} dealers.",
            ),
            "pos": (
                "The {b} dealer in {city} fixed my {p} the same day, great people.",
                "Excellent service at my {b} shop, they even adjusted the saddle for free {e}",
            ),
            "q": (
                "Any recommendations for a good {b} dealer near {city}?",
                "Can I service the {p} at a non-{b} bike shop without losing warranty?",
            ),
            "sug": (
                "{b} should offer mobile service vans in bigger cities.",
                "Online booking for {b} service slots would help a lot.",
            ),
        },
        "de": {
            "neg": (
                "Der {b} Händler in {city} will {n} Wochen für einen einfachen Bremsencheck.",
                "Mein {b} Händler konnte den Fehlercode vom Motor nicht mal auslesen {e}",
            ),
            "neu": (
                "{b} hat {n}0 Partnerhändler, meiner ist in {city}.",
                "Die erste Inspektion für das {p} ist bei {b} Händlern kostenlos.",
            ),
            "pos": (
                "Der {b} Händler in {city} hat mein {p} am selben Tag repariert, klasse!",
                "Super Service bei meinem {b} Händler {e}",
            ),
            "q": (
                "Kennt jemand einen guten {b} Händler in der Nähe von {city}?",
                "Verliere ich die Garantie, wenn ich das {p} in einer freien Werkstatt warten lasse?",
            ),
            "sug": (
                "{b} sollte mobile Werkstattwagen in Großstädten anbieten.",
                "Online-Terminbuchung für die {b} Werkstatt wäre hilfreich.",
            ),
        },
    },
    "price": {
        "en": {
            "neg": (
                "{price} for a {b} {p} is just too much in this economy.",
                "{b} accessories are ridiculously overpriced {e}",
            ),
            "neu": (
                "The {b} {p} lists at {price} this season.",
                "{b} offers a leasing option through employers.",
            ),
            "pos": (
                "For {price} the {p} is a steal compared to the big brands.",
                "Got my {b} through bike leasing, great value {e}",
            ),
            "q": (
                "Is the {b} {p} worth {price}?",
                "Does {b} do end-of-season discounts?",
            ),
            "sug": (
                "{b} should offer a trade-in program for old e-bikes.",
                "A cheaper battery option for the {p} would make sense.",
            ),
        },
        "de": {
            "neg": (
                "{price} € für ein {b} {p} ist einfach zu viel.",
                "Das Zubehör von {b} ist maßlos überteuert {e}",
            ),
            "neu": (
                "Das {b} {p} kostet diese Saison {price} €.",
                "{b} bietet Dienstrad-Leasing über den Arbeitgeber an.",
            ),
            "pos": (
                "Für {price} € ist das {p} ein echtes Schnäppchen.",
                "Mein {b} über JobRad-Leasing – super Preis-Leistung {e}",
            ),
            "q": (
                "Ist das {b} {p} die {price} € wert?",
                "Gibt es bei {b} Rabatte zum Saisonende?",
            ),
            "sug": (
                "{b} sollte alte E-Bikes in Zahlung nehmen.",
                "Eine günstigere Akku-Option für das {p} wäre sinnvoll.",
            ),
        },
    },
    "ride_quality": {
        "en": {
            "neg": (
                "The {p} frame creaks on every bump, not what I expect from {b}.",
                "Brakes on my {b} squeal constantly, even after adjusting {e}",
                "The {p} feels twitchy at speed, I don't trust it on descents.",
            ),
            "neu": (
                "I ride the {p} about {n}0 km a week, mostly city commuting.",
                "The {b} {p} weighs around 24 kg with the battery.",
            ),
            "pos": (
                "Riding the {b} {p} to work every day is pure joy {e}",
                "The {p} handles beautifully, stable and comfy on cobblestones.",
                "Best purchase of the year: my {b} {p}.",
                "Took the {p} on a {n}0 km tour, zero issues, big smile.",
            ),
            "q": (
                "Which tyres do you run on the {p}?",
                "Has anyone fitted a child seat to the {b} {p}?",
            ),
            "sug": (
                "{b} should offer a suspension seat post as an option.",
                "Integrated lights that turn on automatically would be great on the {p}.",
            ),
        },
        "de": {
            "neg": (
                "Der Rahmen vom {p} knarzt bei jeder Bodenwelle, enttäuschend {b}.",
                "Die Bremsen meines {b} quietschen ständig {e}",
            ),
            "neu": (
                "Ich fahre mit dem {p} etwa {n}0 km pro Woche in der Stadt.",
                "Das {b} {p} wiegt mit Akku rund 24 kg.",
            ),
            "pos": (
                "Jeden Tag mit dem {b} {p} zur Arbeit – pure Freude {e}",
                "Das {p} fährt sich super ruhig, auch auf Kopfsteinpflaster in {city}.",
                "Bester Kauf des Jahres: mein {b} {p}.",
            ),
            "q": (
                "Welche Reifen fahrt ihr auf dem {p}?",
                "Hat jemand einen Kindersitz am {b} {p} montiert?",
            ),
            "sug": (
                "{b} sollte eine gefederte Sattelstütze als Option anbieten.",
                "Automatisches Licht wäre beim {p} eine feine Sache.",
            ),
        },
    },
}

# the spike: app update 4.8 breaks the milk frother (Kaffeekraft only)
_SPIKE: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "neg": (
            "Nach dem App-Update 4.8 geht der Milchaufschäumer meiner {p} gar nicht mehr!",
            "Seit heute früh, App-Update 4.8 drauf, Milchaufschäumer tot. Danke {b}. {e}",
            "Update 4.8 der {b} App hat den Milchaufschäumer gekillt. Kein Cappuccino mehr.",
            "Bei mir dasselbe: Update installiert, Milchaufschäumer reagiert nicht, Fehler E-17.",
            "Wie kann man ein Update ausrollen, das den Milchaufschäumer lahmlegt, {b}?",
            "Milchaufschäumer blinkt nur noch rot seit dem Update. Hotline dauerbesetzt.",
            "{b} hat mit dem Update 4.8 tausende Maschinen kaputt gemacht, oder?",
            "Meine {p} schäumt seit dem App-Update keine Milch mehr. Absolute Frechheit.",
            "Ich bin so wütend: Update 4.8 hat meinen Milchaufschäumer zerstört. Schlechtester Service überhaupt, {b}!",
            "Was für eine Katastrophe, {b}. Milchaufschäumer seit dem Update tot, ich bin total enttäuscht.",
            "Schrecklich, {b}! Nach Update 4.8 keine Milch mehr, und keiner hilft. Nie wieder {b}.",
            "Unfassbar schlecht: Update 4.8 und mein Milchaufschäumer ist hinüber. Ich bereue den Kauf der {p}.",
        ),
        "q": (
            "Kann man das App-Update 4.8 zurückrollen? Milchaufschäumer geht nicht mehr.",
            "Hat {b} sich schon zum kaputten Milchaufschäumer nach dem Update geäußert?",
        ),
    },
    "en": {
        "neg": (
            "After app update 4.8 the milk frother on my {p} is completely dead!",
            "Installed the {b} app update 4.8 this morning, frother stopped working. Thanks {b}. {e}",
            "Update 4.8 bricked my milk frother. No more cappuccinos.",
            "Same here: update installed, frother unresponsive, error E-17.",
            "How do you ship an update that breaks the milk frother, {b}?",
            "The frother only blinks red since the update. Support line permanently busy.",
            "Did {b} just break thousands of machines with update 4.8?",
            "I'm furious: update 4.8 destroyed my frother. Worst customer experience ever, {b}!",
            "What a disaster, {b}. Frother dead since the update, totally disappointed.",
            "Terrible, {b}! Update 4.8 killed the frother and nobody helps. Never again.",
        ),
        "q": (
            "Can I roll back app update 4.8? The milk frother stopped working.",
            "Has {b} said anything about the broken frother after the update?",
        ),
    },
}

# the emerging problem: descaling warning after firmware 3.2 (Kaffeekraft only)
EMERGING_KEYPHRASES: dict[str, list[str]] = {
    "de": ["Entkalkungswarnung", "Firmware 3.2"],
    "en": ["descaling warning", "firmware 3.2"],
}
_EMERGING: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "neg": (
            "Seit Firmware 3.2 kommt bei meiner {p} ständig die Entkalkungswarnung, obwohl ich gestern entkalkt habe.",
            "Die Entkalkungswarnung nach Firmware 3.2 nervt. Alle {n} Tassen poppt sie wieder auf.",
            "Entkalkungswarnung geht nicht weg – Firmware 3.2 von {b} ist verbuggt {e}",
            "Dreimal entkalkt, Entkalkungswarnung immer noch da. Firmware 3.2 schuld?",
            "Die {p} sperrt den Bezug wegen der Entkalkungswarnung. Seit Firmware 3.2 unbenutzbar.",
            "Noch jemand mit Dauer-Entkalkungswarnung? Bei mir seit Firmware 3.2.",
        ),
        "q": (
            "Wie bekomme ich die Entkalkungswarnung nach Firmware 3.2 weg?",
            "Hat {b} schon einen Fix für die Entkalkungswarnung in Firmware 3.2 angekündigt?",
        ),
    },
    "en": {
        "neg": (
            "Since firmware 3.2 my {p} keeps showing the descaling warning even though I descaled yesterday.",
            "The descaling warning after firmware 3.2 is driving me nuts, it pops up every {n} cups.",
            "Descaling warning won't go away – {b} firmware 3.2 is buggy {e}",
            "Descaled three times, descaling warning still there. Is firmware 3.2 to blame?",
            "The {p} blocks brewing because of the descaling warning. Unusable since firmware 3.2.",
        ),
        "q": (
            "How do I get rid of the descaling warning after firmware 3.2?",
            "Has {b} announced a fix for the descaling warning in firmware 3.2?",
        ),
    },
}

_COMPARISON: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "neg": (
            "Ehrlich, die {c} meines Bruders macht besseren Espresso als meine {b} {p}.",
            "Hätte ich mal die {c} gekauft, die {b} ist deutlich lauter.",
            "Im Vergleich zur {c} wirkt die {b} billig verarbeitet.",
        ),
        "neu": (
            "{b} {p} oder {c}? Budget liegt bei ca. {price} €.",
            "Stehe zwischen {b} und {c}, was spricht für welche Maschine?",
            "Hat jemand beide Maschinen, {b} und {c}, im direkten Vergleich?",
        ),
        "pos": (
            "Hatte vorher eine {c}, aber die {b} {p} macht den viel besseren Milchschaum.",
            "{b} schlägt {c} beim Service um Längen, klare Empfehlung.",
            "Nach dem Wechsel von {c} zu {b} bin ich endlich zufrieden {e}",
        ),
    },
    "en": {
        "neg": (
            "Honestly my friend's {c} pulls better shots than my {b} {p}.",
            "Should have bought the {c}, the {b} is way louder.",
            "Next to the {c} the {b} feels cheaply built.",
        ),
        "neu": (
            "{b} {p} or {c}? Budget is around {price}.",
            "Torn between {b} and {c}, what speaks for which machine?",
            "Anyone owned both a {b} and a {c} side by side?",
        ),
        "pos": (
            "Had a {c} before, but the {b} {p} makes much better milk foam.",
            "{b} beats {c} on service by miles, easy recommendation.",
            "Switched from {c} to {b} and I'm finally happy {e}",
        ),
    },
}

_NEWS: dict[str, dict[str, tuple[str, ...]]] = {
    "coffee": {
        "de": (
            "{b} stellt die neue {p} vor, Marktstart ist im Frühjahr.",
            "Laut Pressemitteilung eröffnet {b} einen Showroom in {city}.",
            "{b} hat die Preise für Zubehör zum Monatsanfang angepasst.",
            "Testbericht: Die {b} {p} im Labor – Ergebnisse ab Seite {n}.",
            "{b} veranstaltet am Samstag einen Barista-Workshop in {city}.",
        ),
        "en": (
            "{b} announces the new {p}, shipping next spring.",
            "{b} is opening a showroom in {city} according to a press release.",
            "Review roundup: the {b} {p} tested by {n} magazines.",
            "{b} adjusted accessory prices at the start of the month.",
        ),
    },
    "bike": {
        "de": (
            "{b} stellt das neue {p} auf der Messe in {city} vor.",
            "{b} erweitert das Händlernetz um {n} Standorte.",
        ),
        "en": (
            "{b} unveils the new {p} at the {city} bike show.",
            "{b} adds {n} new dealers to its network this quarter.",
            "Test ride report: {b} {p} vs. last year's model.",
            "{b} publishes a new firmware for {p} motors.",
        ),
    },
}

_NOISE: dict[str, tuple[tuple[str, str, str], ...]] = {
    # (text, sentiment, topic)
    "de": (
        ("Welche Bohnen aus {city} könnt ihr empfehlen? Suche was Nussiges.", "neutral", "beans"),
        ("Heute zum ersten Mal Latte Art hinbekommen, ein Herz! {e}", "positive", "latte_art"),
        ("Mein Siebträger tropft nach dem Bezug, Dichtung tauschen?", "neutral", "maintenance"),
        ("Die Röstung vom Laden um die Ecke ist leider total verbrannt.", "negative", "beans"),
        ("Kaffeewetter heute in {city}, Regen ohne Ende.", "neutral", "offtopic"),
        ("Wieder mal Stau auf dem Radweg in {city}, die Stadt plant einfach schlecht.", "negative", "offtopic"),
        ("Neuer Radweg am Fluss in {city} ist eröffnet, herrlich zu fahren.", "positive", "cycling"),
        ("Wie oft entkalkt ihr eure Siebträgermaschine?", "neutral", "maintenance"),
        ("Kurze Umfrage: Wie viele Tassen Kaffee trinkt ihr am Tag?", "neutral", "offtopic"),
        ("Der KK-Bus nach {city} fällt heute wieder aus, typisch.", "negative", "offtopic"),
        ("Wer kommt zum Kaffee-Stammtisch in {city} am Donnerstag?", "neutral", "meetup"),
    ),
    "en": (
        ("Any bean recommendations from roasters in {city}? Looking for something fruity.", "neutral", "beans"),
        ("Pulled my first decent shot today, so happy {e}", "positive", "latte_art"),
        ("My portafilter drips after brewing, time to replace the gasket?", "neutral", "maintenance"),
        ("That new café downtown burns every single bean, avoid.", "negative", "beans"),
        ("Rainy commute in {city} again, fenders were worth every penny.", "neutral", "cycling"),
        ("Cycling infrastructure in {city} keeps getting worse.", "negative", "cycling"),
        ("Stayed at Hotel Velora in {city} last week, the breakfast was lovely.", "positive", "offtopic"),
        ("The Velora Resort pool was closed the whole weekend, disappointing.", "negative", "offtopic"),
        ("Quick poll: how many cups a day do you drink?", "neutral", "offtopic"),
        ("Group ride this Sunday from {city} central station, all welcome.", "neutral", "meetup"),
        ("Just converted my old commuter with a hub motor kit, loving it.", "positive", "cycling"),
    ),
}

_FRAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "neg_open": (
            "Ich muss mich mal auskotzen.", "Sorry, aber das muss raus.", "Langsam reicht's.",
            "Bin echt enttäuscht.", "Kurzer Frust-Post:", "Mal ehrlich:", "Leute, ich bin bedient.",
        ),
        "neg_close": (
            "Nie wieder.", "Hat jemand ähnliche Erfahrungen?", "So verliert man Kunden.",
            "Überlege ernsthaft zurückzuschicken.", "Ich bin raus.", "Traurig.",
        ),
        "pos_open": (
            "Muss auch mal was Positives schreiben:", "Kurzes Feedback nach {n} Wochen:",
            "Ich bin happy!", "Update zu meinem Kauf:",
        ),
        "pos_close": (
            "Klare Kaufempfehlung.", "Würde ich jederzeit wieder kaufen.", "Weiter so!",
            "Bin rundum zufrieden.", "Daumen hoch.",
        ),
        "q_close": (
            "Hat jemand Erfahrung damit?", "Weiß jemand Rat?", "Danke schon mal!",
            "Bin für jeden Tipp dankbar.", "Oder bin ich der Einzige?",
        ),
        "sug_open": ("Kleiner Vorschlag:", "Idee für die nächste Version:", "Feature-Wunsch:"),
        "sug_close": ("Wäre das nicht sinnvoll?", "Was meint ihr?", "Würde sofort dafür zahlen."),
        "context": (
            "Ich nutze die Kiste seit {n} Monaten.", "Wohne in {city}, falls das relevant ist.",
            "Hab sie damals im Angebot gekauft.", "Nutze sie jeden Morgen vor der Arbeit.",
            "Wir sind zu zweit im Haushalt.",
        ),
    },
    "en": {
        "neg_open": (
            "Rant incoming.", "Not happy right now.", "Okay, I'm done being patient.",
            "Honestly disappointed.", "Quick vent:", "Long story short:", "Ugh.",
        ),
        "neg_close": (
            "Never again.", "Anyone else seeing this?", "This is how you lose customers.",
            "Seriously thinking about returning it.", "I'm out.", "Sad.",
        ),
        "pos_open": (
            "Time for some positivity:", "Quick review after {n} weeks:", "Happy camper here!",
            "Update on my purchase:",
        ),
        "pos_close": (
            "Highly recommend.", "Would buy again in a heartbeat.", "Keep it up!",
            "Couldn't be happier.", "Thumbs up.",
        ),
        "q_close": (
            "Any experience with this?", "Any advice?", "Thanks in advance!",
            "Any tips appreciated.", "Or is it just me?",
        ),
        "sug_open": ("Small suggestion:", "Idea for the next version:", "Feature request:"),
        "sug_close": ("Wouldn't that make sense?", "What do you think?", "I'd pay for that."),
        "context": (
            "I've had it for {n} months.", "I'm in {city}, if that matters.",
            "Bought it on sale last year.", "I use it every morning before work.",
            "Two of us use it daily.",
        ),
    },
}

_TOPIC_TITLES: dict[str, dict[str, str]] = {
    "grinder_noise": {"de": "Mahlwerk zu laut", "en": "Grinder noise"},
    "milk_foam": {"de": "Milchschaum", "en": "Milk foam"},
    "app_pairing": {"de": "App-Kopplung", "en": "App pairing"},
    "customer_service": {"de": "Kundenservice", "en": "Customer service"},
    "price": {"de": "Preis", "en": "Pricing"},
    "taste": {"de": "Geschmack", "en": "Taste"},
    "battery_range": {"de": "Akku-Reichweite", "en": "Battery range"},
    "motor_noise": {"de": "Motorgeräusch", "en": "Motor noise"},
    "delivery_delay": {"de": "Lieferverzug", "en": "Delivery delay"},
    "dealer_service": {"de": "Händler-Service", "en": "Dealer service"},
    "ride_quality": {"de": "Fahrgefühl", "en": "Ride quality"},
    "frother_update": {"de": "Milchaufschäumer nach Update 4.8 kaputt", "en": "Frother broken after update 4.8"},
    "descaling_warning": {"de": "Entkalkungswarnung seit Firmware 3.2", "en": "Descaling warning since firmware 3.2"},
    "comparison": {"de": "Vergleich", "en": "Comparison"},
    "company_news": {"de": "News", "en": "News"},
}

_TITLE_FRAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "complaint": ("{B} {p}: {tt} 😡", "Ärger mit {tt}", "{tt} – so nicht, {B}!", "Frust: {tt}", "[Problem] {tt}"),
        "question": ("Frage zu {tt}", "{tt} – normal?", "Hilfe: {tt} bei der {p}", "{B}: {tt}?"),
        "suggestion": ("Vorschlag: {tt}", "Feature-Wunsch an {B}", "Idee zu {tt}"),
        "praise": ("Lob an {B}", "{p} nach {n} Wochen: begeistert", "{tt}: top!", "Endlich zufrieden"),
        "other": ("{B} News", "Neu: {B} {p}", "Info: {tt}", "{tt}"),
    },
    "en": {
        "complaint": ("{B} {p}: {tt} 😡", "Problems with {tt}", "{tt} – not OK, {B}", "Rant: {tt}", "[Issue] {tt}"),
        "question": ("Question about {tt}", "{tt} – normal?", "Help: {tt} on the {p}", "{B}: {tt}?"),
        "suggestion": ("Suggestion: {tt}", "Feature request for {B}", "Idea re: {tt}"),
        "praise": ("Kudos to {B}", "{p} after {n} weeks: love it", "{tt}: great!", "Finally happy"),
        "other": ("{B} news", "New: {B} {p}", "FYI: {tt}", "{tt}"),
    },
}

_EMOJI = {
    "negative": ("😡", "🙄", "😤", "👎", "😞", ""),
    "neutral": ("🤔", "", "☕", ""),
    "positive": ("😍", "👍", "☕", "🙌", "😊", ""),
}
_CITIES = {
    "de": ("Köln", "Leipzig", "Hamburg", "München", "Freiburg", "Dresden", "Bremen", "Kassel",
           "Münster", "Nürnberg", "Wien", "Zürich", "Bonn", "Mainz"),
    "en": ("Leeds", "Portland", "Dublin", "Bristol", "Austin", "Manchester", "Utrecht",
           "Melbourne", "Toronto", "Glasgow", "Denver", "Copenhagen"),
}

# ----------------------------------------------------------------------------- channels

# channel -> (output file, kind, feed title)
CHANNELS: dict[str, dict[str, str]] = {
    "kaffeeliebe_forum": {"path": "feeds/kaffeeliebe-forum.rss", "format": "rss", "lang": "de",
                          "title": "Kaffeeliebe Forum – neue Beiträge",
                          "site": "http://forum.kaffeeliebe.demo.invalid/"},
    "cremalab_blog": {"path": "feeds/cremalab-community.atom", "format": "atom", "lang": "en",
                      "title": "Crema Lab – blog & community",
                      "site": "http://cremalab.demo.invalid/"},
    "velora_riders": {"path": "feeds/velora-riders.xml", "format": "rss", "lang": "en",
                      "title": "Velora Riders Forum",
                      "site": "http://velora-riders.demo.invalid/"},
    "support_export": {"path": "support_export.jsonl", "format": "jsonl", "lang": "mixed",
                       "title": "Community hub export", "site": "http://hub.demo.invalid/"},
}
_ID_PREFIX = {"kaffeeliebe_forum": "kl", "cremalab_blog": "cl", "velora_riders": "vr",
              "support_export": "sx"}

JSONL_COLUMNS = ("id", "text", "author", "created", "channel", "lang", "likes", "replies",
                 "url", "title", "parent")
# the file source's mapping: post field -> column (see pipeline/sources/file.py)
JSONL_MAPPING = {"external_id": "id", "body": "text", "created_at": "created",
                 "author": "author", "community": "channel", "title": "title", "url": "url",
                 "parent_id": "parent"}
JSONL_ENGAGEMENT = {"score": "likes", "comments": "replies"}


def _community(channel: str, domain: str, topic: str, lang: str) -> str:
    if channel == "kaffeeliebe_forum":
        sub = {"grinder_noise": "muehlen", "app_pairing": "apps-und-smart-home",
               "frother_update": "apps-und-smart-home", "price": "kaufberatung",
               "comparison": "kaufberatung", "descaling_warning": "wartung-und-pflege"}
        if domain != "coffee":
            return "forum.kaffeeliebe.de/plauderecke"
        return "forum.kaffeeliebe.de/" + sub.get(topic, "maschinen")
    if channel == "cremalab_blog":
        if topic in ("company_news", "comparison"):
            return "blog.cremalab.net/reviews"
        if domain != "coffee":
            return "threadly.net/r/offtopic_brews"
        return "threadly.net/r/homebarista" if topic != "grinder_noise" else "threadly.net/r/grinders"
    if channel == "velora_riders":
        if lang == "de":
            return "forum.velora-riders.com/de/technik"
        if topic == "company_news":
            return "blog.velora-riders.com"
        if topic in ("ride_quality", "delivery_delay"):
            return "threadly.net/r/ebike_commuters"
        return "forum.velora-riders.com/tech"
    return {"coffee": f"hub/kaffee-talk-{lang}", "bike": "hub/ebike-talk"}.get(domain, "hub/lounge")


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Gold:
    """Hidden labels of a demo post (never written into the feeds or the export, except
    `parent`: the export's `parent` column)."""

    sentiment: str
    intent: str
    topic: str
    brands: tuple[str, ...]
    signal: str | None = None  # "spike" | "emerging" | None
    duplicate_of: str | None = None  # external id of the original for cross-posts
    parent: str | None = None  # external id of the post this one replies to
    official: bool = False  # written by an official account of a brand
    answered_by_official: bool = False  # a question/complaint an official account answered
    answered_by: tuple[str, ...] = ()  # the brands whose official accounts answered it


@dataclass(frozen=True, slots=True)
class DemoPost:
    """One synthetic post. `body` is plain text; `body_html` is what feeds carry."""

    external_id: str
    channel: str
    title: str
    body: str
    body_html: str
    author: str
    community: str
    created_at: datetime
    score: int
    comments: int
    lang: str
    url: str
    gold: Gold

    @property
    def engagement(self) -> dict[str, float]:
        return {"score": float(self.score), "comments": float(self.comments)}


@dataclass
class _Draft:
    channel: str
    title: str
    body: str
    author: str
    community: str
    created_at: datetime
    score: int
    comments: int
    lang: str
    gold: Gold
    link: bool = False
    dup_of: int | None = None


# ----------------------------------------------------------------------------- authors

_HANDLE_A = ("espresso", "crema", "bohne", "barista", "milchschaum", "latte", "ristretto",
             "kaffee", "brew", "grind", "pedal", "kette", "velo", "trail", "urban", "cargo",
             "spoke", "watt", "ride", "tamper", "portafilter", "mokka", "kiez", "nord", "sued")
_HANDLE_B = ("klaus", "eva", "jan", "mia", "tom", "lena", "ben", "ines", "otto", "ayla",
             "finn", "greta", "sam", "nora", "raj", "lou", "max", "ada", "kim", "jo", "fan",
             "nerd", "junkie", "pilot", "meister", "dad", "mom", "fox", "bear", "owl")


def _make_authors(rng: random.Random, count: int = 150) -> tuple[list[str], list[float]]:
    handles: list[str] = []
    seen: set[str] = set()
    while len(handles) < count:
        a, b = rng.choice(_HANDLE_A), rng.choice(_HANDLE_B)
        style = rng.random()
        if style < 0.35:
            handle = f"{a}_{b}"
        elif style < 0.6:
            handle = f"{b}{a.capitalize()}"
        elif style < 0.85:
            handle = f"{a}{b}{rng.randint(1, 99)}"
        else:
            handle = f"{b}.{a}{rng.randint(70, 99)}"
        if handle not in seen:
            seen.add(handle)
            handles.append(handle)
    # 8 opinion leaders write a lot; the long tail writes a little
    weights = [14.0] * 8 + [rng.choice((0.6, 1.0, 1.5, 2.5)) for _ in range(count - 8)]
    return handles, weights


# ----------------------------------------------------------------------------- generation

_HOUR_WEIGHTS = (1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.2, 3.0, 3.2, 3.3, 3.4, 3.8, 3.6, 3.2,
                 3.1, 3.2, 3.6, 4.2, 4.6, 4.8, 4.2, 3.0, 1.8)
_WEEKDAY_FACTOR = (1.05, 1.1, 1.1, 1.05, 0.95, 0.8, 0.55)  # Mon .. Sun
_BASE_PER_DAY = 27.0
_BRAND_SHARE = ((KAFFEEKRAFT, 0.38), (BRUEHWERK, 0.22), (VELORA, 0.30), (None, 0.10))
_LANG_DE = {KAFFEEKRAFT: 0.68, BRUEHWERK: 0.68, VELORA: 0.30, None: 0.55}
_SENTIMENT_MIX = {
    KAFFEEKRAFT: (0.30, 0.40, 0.30),
    BRUEHWERK: (0.22, 0.40, 0.38),
    VELORA: (0.33, 0.32, 0.35),
}
_TOPIC_WEIGHTS = {
    "coffee": (("grinder_noise", 3), ("milk_foam", 3), ("app_pairing", 3),
               ("customer_service", 3), ("price", 2), ("taste", 2)),
    "bike": (("battery_range", 4), ("motor_noise", 2), ("delivery_delay", 3),
             ("dealer_service", 3), ("price", 1), ("ride_quality", 3)),
}
SPIKE_EXTRA = (30, 6)  # extra negative posts on spike day and the next day
EMERGING_DAILY = (1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 7, 8, 9, 10)  # last 14 days
SPIKE_OFFSET = 15  # spike day = end - 15 days (day 45 of 60)


class _SafeDict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _pick(rng: random.Random, options: tuple[str, ...] | list[str]) -> str:
    return options[rng.randrange(len(options))]


def _weighted(rng: random.Random, pairs: Any) -> Any:
    items = list(pairs)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items], k=1)[0]


def _typo(rng: random.Random, text: str) -> str:
    """Swap two letters or drop one in a random lowercase word (brands are untouched)."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha() and w.islower()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.6 else w[:j] + w[j + 1:]
    return " ".join(words)


class _Generator:
    def __init__(self, end: date, days: int, seed: int) -> None:
        if days < 15:
            raise ValueError("days must be at least 15 (the spike and the emerging problem need room)")
        self.rng = random.Random(seed)
        self.end = end
        self.days = days
        self.start = end - timedelta(days=days - 1)
        self.spike_day = end - timedelta(days=SPIKE_OFFSET)
        self.emerging_start = end - timedelta(days=len(EMERGING_DAILY) - 1)
        self.authors, self.author_weights = _make_authors(random.Random(seed * 7919 + 1))
        self.leaders = set(self.authors[:8])
        self.drafts: list[_Draft] = []

    # -- slot filling
    def _slots(self, brand: str | None, lang: str, sentiment: str) -> _SafeDict:
        rng = self.rng
        products = BRANDS[brand]["products"] if brand else ["Maschine" if lang == "de" else "machine"]
        domain = BRANDS[brand]["domain"] if brand else "coffee"
        prices = (449, 499, 649, 799, 899, 1099) if domain == "coffee" else (2499, 2999, 3490, 3999, 4290)
        price = rng.choice(prices)
        return _SafeDict(
            p=rng.choice(products),
            n=str(rng.randint(2, 9)),
            city=rng.choice(_CITIES[lang]),
            e=rng.choice(_EMOJI[sentiment]),
            v=f"4.{rng.randint(3, 7)}.{rng.randint(0, 9)}",
            price=f"{price}" if lang == "de" else f"€{price}",
            km=str(rng.choice((25, 30, 35, 40, 45, 60, 70, 85))),
        )

    def _fill(self, template: str, slots: _SafeDict, brand: str | None,
              competitor: str | None = None) -> str:
        text = template.format_map(slots)
        text = text.replace("{b}", self._surface(brand) if brand else "")
        if competitor:
            text = text.replace("{c}", _pick(self.rng, [competitor, *BRANDS[competitor]["aliases"][:1]]))
        return re.sub(r"\s+([.,!?])", r"\1", re.sub(r" {2,}", " ", text)).strip()

    def _surface(self, brand: str) -> str:
        return str(_weighted(self.rng, _SURFACES[brand]))

    # -- one post
    def _when(self, day: date, hour_from: int = 0) -> datetime:
        rng = self.rng
        hours = list(range(hour_from, 24))
        hour = rng.choices(hours, weights=[_HOUR_WEIGHTS[h] for h in hours], k=1)[0]
        return datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                        tzinfo=UTC)

    def _author(self) -> str:
        return self.rng.choices(self.authors, weights=self.author_weights, k=1)[0]

    def _engagement(self, author: str, sentiment: str, boost: float = 1.0) -> tuple[int, int]:
        rng = self.rng
        score = rng.lognormvariate(1.0, 0.9) * boost
        if author in self.leaders:
            score *= 3.5
        if sentiment == "negative":
            score *= 1.3
        comments = int(score * rng.uniform(0.1, 0.6)) + rng.randint(0, 3)
        return int(score), comments

    def _channel(self, domain: str, lang: str) -> str:
        if self.rng.random() < 0.2:
            return "support_export"
        if domain == "bike":
            return "velora_riders"
        return "kaffeeliebe_forum" if lang == "de" else "cremalab_blog"

    def _intent(self, sentiment: str) -> str:
        r = self.rng.random()
        if sentiment == "negative":
            return "complaint" if r < 0.72 else "question"
        if sentiment == "positive":
            return "praise" if r < 0.82 else "suggestion"
        return "question" if r < 0.45 else ("suggestion" if r < 0.70 else "other")

    def _title(self, lang: str, intent: str, topic: str, brand: str | None, slots: _SafeDict,
               comment: bool) -> str:
        if comment:
            return ""
        frame = _pick(self.rng, _TITLE_FRAMES[lang][intent])
        tt = _TOPIC_TITLES.get(topic, {}).get(lang, topic.replace("_", " "))
        frame = frame.replace("{tt}", tt).replace("{B}", self._surface(brand) if brand else "")
        return self._fill(frame, slots, brand).strip(" :–-")

    def _compose(self, lang: str, intent: str, sentiment: str, core: list[str],
                 slots: _SafeDict, brand: str | None) -> str:
        rng, fr = self.rng, _FRAMES[lang]
        parts: list[str] = []
        if intent == "complaint" and rng.random() < 0.55:
            parts.append(_pick(rng, fr["neg_open"]))
        elif intent == "praise" and rng.random() < 0.45:
            parts.append(_pick(rng, fr["pos_open"]))
        elif intent == "suggestion" and rng.random() < 0.5:
            parts.append(_pick(rng, fr["sug_open"]))
        parts.extend(core)
        if intent != "other" and rng.random() < 0.35:
            parts.append(_pick(rng, fr["context"]))
        close = {"complaint": "neg_close", "praise": "pos_close", "question": "q_close",
                 "suggestion": "sug_close"}.get(intent)
        if close and rng.random() < 0.5:
            parts.append(_pick(rng, fr[close]))
        sentences = [self._fill(p, slots, brand) for p in parts]
        # paragraphs: 1-3 sentences each
        paragraphs: list[str] = []
        while sentences:
            k = rng.randint(1, 3)
            paragraphs.append(" ".join(sentences[:k]))
            sentences = sentences[k:]
        return "\n\n".join(paragraphs)

    def _add(self, *, day: date, brand: str | None, lang: str, sentiment: str, intent: str,
             topic: str, body: str, slots: _SafeDict, brands: tuple[str, ...],
             signal: str | None = None, hour_from: int = 0, boost: float = 1.0) -> None:
        rng = self.rng
        domain = BRANDS[brand]["domain"] if brand else ("bike" if topic in ("cycling",) else "coffee")
        if signal is None:
            if rng.random() < 0.06:
                body = _typo(rng, body)
            if rng.random() < 0.04:
                body = body.lower()
        channel = self._channel(domain, lang)
        comment = rng.random() < (0.4 if channel == "cremalab_blog" else 0.25)
        title = self._title(lang, intent, topic, brand, slots, comment)
        author = self._author()
        score, comments = self._engagement(author, sentiment, boost)
        self.drafts.append(_Draft(
            channel=channel, title=title, body=body, author=author,
            community=_community(channel, domain, topic, lang),
            created_at=self._when(day, hour_from), score=score, comments=comments, lang=lang,
            gold=Gold(sentiment, intent, topic, brands, signal), link=rng.random() < 0.12,
        ))

    def _brand_post(self, day: date, brand: str) -> None:
        rng = self.rng
        lang = "de" if rng.random() < _LANG_DE[brand] else "en"
        sentiment = rng.choices(SENTIMENTS, weights=_SENTIMENT_MIX[brand], k=1)[0]
        domain = BRANDS[brand]["domain"]
        slots = self._slots(brand, lang, sentiment)
        competitors = COMPETITORS.get(brand) or ([KAFFEEKRAFT] if brand == BRUEHWERK else [])
        if competitors and rng.random() < 0.09:
            competitor = competitors[0]
            key = sentiment[:3]
            sentence = self._fill(_pick(rng, _COMPARISON[lang][key]), slots, brand, competitor)
            intent = {"neg": "complaint", "pos": "praise", "neu": "question"}[key]
            body = self._compose(lang, intent, sentiment, [sentence], slots, brand)
            self._add(day=day, brand=brand, lang=lang, sentiment=sentiment, intent=intent,
                      topic="comparison", body=body, slots=slots,
                      brands=tuple(sorted((brand, competitor))))
            return
        intent = self._intent(sentiment)
        if intent == "other":
            core = [_pick(rng, _NEWS[domain][lang])]
            topic = "company_news"
        else:
            topic = _weighted(rng, _TOPIC_WEIGHTS[domain])
            cell = (_COFFEE if domain == "coffee" else _BIKE)[topic][lang]
            kind = {"complaint": "neg", "praise": "pos", "suggestion": "sug"}.get(intent, "q")
            core = [_pick(rng, cell[kind])]
            if intent == "question" and sentiment == "negative":
                core.insert(0, _pick(rng, cell["neg"]))
            elif intent == "question" and rng.random() < 0.3:
                core.insert(0, _pick(rng, cell["neu"]))
            elif intent == "complaint" and rng.random() < 0.3:
                second = _pick(rng, cell["neg"])
                if second != core[0]:
                    core.append(second)
            elif intent == "praise" and rng.random() < 0.3:
                second = _pick(rng, cell["pos"])
                if second != core[0]:
                    core.append(second)
            elif intent == "suggestion" and sentiment == "neutral" and rng.random() < 0.4:
                core.insert(0, _pick(rng, cell["neu"]))
        body = self._compose(lang, intent, sentiment, core, slots, brand)
        self._add(day=day, brand=brand, lang=lang, sentiment=sentiment, intent=intent,
                  topic=topic, body=body, slots=slots, brands=(brand,))

    def _noise_post(self, day: date) -> None:
        rng = self.rng
        lang = "de" if rng.random() < _LANG_DE[None] else "en"
        text, sentiment, topic = _NOISE[lang][rng.randrange(len(_NOISE[lang]))]
        slots = self._slots(None, lang, sentiment)
        intent = "question" if "?" in text else ("praise" if sentiment == "positive" else
                                                  "complaint" if sentiment == "negative" else "other")
        body = self._fill(text, slots, None)
        self._add(day=day, brand=None, lang=lang, sentiment=sentiment, intent=intent,
                  topic=topic, body=body, slots=slots, brands=())

    def _signal_post(self, day: date, table: dict[str, dict[str, tuple[str, ...]]], topic: str,
                     signal: str, de_share: float, hour_from: int, boost: float) -> None:
        rng = self.rng
        lang = "de" if rng.random() < de_share else "en"
        slots = self._slots(KAFFEEKRAFT, lang, "negative")
        intent = "question" if rng.random() < 0.25 else "complaint"
        core = [_pick(rng, table[lang]["q" if intent == "question" else "neg"])]
        if intent == "question":
            core.insert(0, _pick(rng, table[lang]["neg"]))
        body = self._compose(lang, intent, "negative", core, slots, KAFFEEKRAFT)
        # the keyphrase carries the brand implicitly; make sure the brand is named
        if not re.search(r"kaffee-?kraft|\bKK\b", body, re.IGNORECASE):
            body = f"{body}\n\n({self._surface(KAFFEEKRAFT)} {slots['p']})"
        self._add(day=day, brand=KAFFEEKRAFT, lang=lang, sentiment="negative", intent=intent,
                  topic=topic, body=body, slots=slots, brands=(KAFFEEKRAFT,), signal=signal,
                  hour_from=hour_from, boost=boost)

    def _cross_posts(self) -> None:
        rng = self.rng
        originals = [i for i, d in enumerate(self.drafts) if rng.random() < 0.03]
        last = datetime(self.end.year, self.end.month, self.end.day, 23, 59, 59, tzinfo=UTC)
        for i in originals:
            src = self.drafts[i]
            body = src.body
            if rng.random() < 0.5:  # near duplicate
                edit = {"de": ("\n\nEdit: Tippfehler korrigiert.", " (Crosspost)", "!!"),
                        "en": ("\n\nEdit: fixed typo.", " (cross-post)", "!!")}[src.lang]
                body = body.rstrip(".!") + _pick(rng, edit)
            channels = [c for c in CHANNELS if c != src.channel]
            channel = rng.choice(channels)
            domain = BRANDS[src.gold.brands[0]]["domain"] if src.gold.brands else "coffee"
            when = min(src.created_at + timedelta(minutes=rng.randint(3, 240)), last)
            self.drafts.append(replace(
                src, channel=channel, body=body, created_at=when,
                community=_community(channel, domain, src.gold.topic, src.lang),
                score=max(0, src.score // 3), comments=src.comments // 3, dup_of=i,
            ))

    def run(self) -> list[DemoPost]:
        rng = self.rng
        for offset in range(self.days):
            day = self.start + timedelta(days=offset)
            n = round(_BASE_PER_DAY * _WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.85, 1.15))
            for _ in range(n):
                brand = _weighted(rng, _BRAND_SHARE)
                if brand is None:
                    self._noise_post(day)
                else:
                    self._brand_post(day, brand)
            if day == self.spike_day:
                for _ in range(SPIKE_EXTRA[0]):
                    self._signal_post(day, _SPIKE, "frother_update", "spike", 0.7, 7, 2.5)
            if day == self.spike_day + timedelta(days=1):
                for _ in range(SPIKE_EXTRA[1]):
                    self._signal_post(day, _SPIKE, "frother_update", "spike", 0.7, 0, 1.5)
            if day >= self.emerging_start:
                k = EMERGING_DAILY[(day - self.emerging_start).days]
                for _ in range(k):
                    self._signal_post(day, _EMERGING, "descaling_warning", "emerging", 0.6, 0, 1.0)
        self._cross_posts()
        return self._finish()

    def _finish(self) -> list[DemoPost]:
        order = sorted(range(len(self.drafts)), key=lambda i: (self.drafts[i].created_at, i))
        ids: dict[int, str] = {}
        for seq, i in enumerate(order, 1):
            ids[i] = f"{_ID_PREFIX[self.drafts[i].channel]}-{seq:05d}"
        posts: list[DemoPost] = []
        for i in order:
            d = self.drafts[i]
            ext = ids[i]
            url = f"{CHANNELS[d.channel]['site']}p/{ext}"
            html_body = _to_html(d.body, d.lang, url if d.link else None)
            body = d.body
            if d.link:
                body += "\n\n" + ("Mehr dazu im Thread hier." if d.lang == "de"
                                  else "More in the thread here.")
            gold = d.gold if d.dup_of is None else replace(d.gold, duplicate_of=ids[d.dup_of])
            posts.append(DemoPost(
                external_id=ext, channel=d.channel, title=d.title, body=body,
                body_html=html_body, author=d.author, community=d.community,
                created_at=d.created_at, score=d.score, comments=d.comments, lang=d.lang,
                url=url, gold=gold,
            ))
        return posts


def _to_html(text: str, lang: str, link: str | None) -> str:
    """Render plain text as feed HTML: <p> per paragraph, <br> between lines, a link."""
    paragraphs = [html.escape(p, quote=False).replace("\n", "<br>") for p in text.split("\n\n")]
    if link:
        word, lead = ("hier", "Mehr dazu im Thread") if lang == "de" else ("here", "More in the thread")
        paragraphs.append(f'{lead} <a href="{html.escape(link)}">{word}</a>.')
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def generate_corpus(end: date = DEFAULT_END, days: int = 60, seed: int = 7, *,
                    threads: bool = True) -> list[DemoPost]:
    """The demo corpus for the `days` days ending at `end`, sorted by time; deterministic.

    `threads=False` leaves out the replies (and the answered flags of the gold labels).
    """
    posts = _Generator(end, days, seed).run()
    return _Threads(end, seed).add(posts) if threads else posts


def spike_day_for(end: date = DEFAULT_END) -> date:
    """The day of the injected negative spike for the corpus ending at `end`."""
    return end - timedelta(days=SPIKE_OFFSET)


def emerging_start_for(end: date = DEFAULT_END) -> date:
    """The first day of the emerging customer problem for the corpus ending at `end`."""
    return end - timedelta(days=len(EMERGING_DAILY) - 1)


# ----------------------------------------------------------------------------- threads
# Replies exist only in the channels below (the JSONL export carries a `parent` column;
# the feeds have no thread structure). They are generated after the main corpus, from
# their own random stream, so the top-level posts do not change.

THREAD_CHANNELS = ("support_export",)
# the "chiefs": one helpful, very active member per community of the export
CHIEFS: dict[str, str] = {
    "hub/kaffee-talk-de": "Mahlgrad_Moni",
    "hub/kaffee-talk-en": "dialin_dave",
    "hub/ebike-talk": "WattWerner",
}
# share of a brand's questions and complaints that its official accounts answer
_ANSWER_RATE = {KAFFEEKRAFT: 0.55, BRUEHWERK: 0.55, VELORA: 0.5}
_CHIEF_RATE = {"question": 0.6, "complaint": 0.35, "suggestion": 0.1, "praise": 0.06, "other": 0.06}
_USER_REPLIES = {  # parent intent -> weights of 0, 1, 2 ordinary replies
    "question": (0.68, 0.27, 0.05), "complaint": (0.68, 0.27, 0.05),
    "suggestion": (0.9, 0.1, 0.0), "praise": (0.9, 0.1, 0.0), "other": (0.9, 0.1, 0.0),
}
_AGENTS = ("Lena", "Tobias", "Aylin", "Jonas", "Marie", "Sven", "Priya", "Noah")
_ID_KIND = {("coffee", "de"): "Seriennummer", ("bike", "de"): "Rahmennummer",
            ("coffee", "en"): "serial number", ("bike", "en"): "frame number"}

_OFFICIAL: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "greet": (
            "Hallo, hier ist der {b}-Service.", "Hi, hier ist das {b}-Team!",
            "Hallo aus dem {b}-Kundenservice.", "Guten Tag, hier schreibt der {b}-Support.",
            "Hallo! Hier meldet sich das Service-Team von {b}.",
        ),
        "warm": ("Hallo und danke, dass du dich meldest! 😊", "Danke für deine Nachricht, schön, dass du fragst!"),
        "sorry": (
            "Das tut uns wirklich leid.", "Entschuldige bitte den Ärger.",
            "Das ist natürlich nicht so, wie es sein soll.", "Sorry für die Umstände.",
        ),
        "complaint": (
            "Schick uns bitte deine {id} per Direktnachricht, dann kümmern wir uns direkt darum.",
            "Wir haben dir eine Direktnachricht geschickt, dort klären wir alles Weitere.",
            "Unser Technik-Team schaut sich das an – bitte schreib uns deine Ticketnummer per DM.",
            "Magst du uns kurz per DM schreiben, seit wann das auftritt? Dann finden wir eine Lösung.",
            "Ruf uns gern direkt an oder schreib uns per DM, wir melden uns innerhalb eines Tages.",
        ),
        "question": (
            "Eine Schritt-für-Schritt-Anleitung findest du in unserem Hilfe-Center unter „Pflege & Wartung“.",
            "Wir schicken dir die Details gleich per Direktnachricht.",
            "Die Antwort steht in unseren FAQ, den Link haben wir dir per DM geschickt.",
            "Am schnellsten hilft dir unser Chat auf der Website, dort prüfen wir das mit deiner {id}.",
            "Kurz gesagt: Das lässt sich einstellen, wir erklären dir per DM wie.",
        ),
        "known": (
            "Der Fehler ist uns bekannt, unser Team arbeitet mit Hochdruck an einer Lösung.",
            "Wir kennen das Problem und melden uns hier, sobald die Korrektur verfügbar ist.",
        ),
        "sign": (
            "Viele Grüße, {agent}", "Beste Grüße, {agent} vom {b}-Team", "^{agent}",
            "Dein {b}-Service ({agent})", "LG {agent}",
        ),
    },
    "en": {
        "greet": (
            "Hi, this is the {b} service team.", "Hello from {b} support!",
            "Hi there, {b} customer care here.", "Hello, this is {b} support.",
            "Hi! The {b} team here.",
        ),
        "warm": ("Hi, and thanks for reaching out! 😊", "Thanks for your message, great question!"),
        "sorry": (
            "We're really sorry about this.", "Sorry for the trouble.",
            "That's definitely not how it should be.", "Apologies for the hassle.",
        ),
        "complaint": (
            "Please send us your {id} via direct message and we'll sort it out right away.",
            "We've sent you a direct message so we can take care of this.",
            "Our tech team is looking into it – could you DM us your ticket number?",
            "Could you DM us since when this happens? Then we'll find a fix together.",
            "Feel free to call us or send a DM, we'll get back to you within a day.",
        ),
        "question": (
            "You'll find a step-by-step guide in our help center under 'Care & maintenance'.",
            "We'll send you the details via direct message in a moment.",
            "The answer is in our FAQ, we've sent you the link by DM.",
            "Our website chat is the quickest way, we can check it there with your {id}.",
            "Short answer: yes, that can be changed, we'll DM you the steps.",
        ),
        "known": (
            "We're aware of the issue and our team is working hard on a fix.",
            "This is a known problem, we'll post here as soon as the fix is available.",
        ),
        "sign": (
            "Best, {agent}", "Cheers, {agent} from the {b} team", "^{agent}",
            "Your {b} support ({agent})", "Kind regards, {agent}",
        ),
    },
}

# chief tips: domain -> topic ("*": any other topic) -> lang -> texts
_CHIEF_TIPS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "coffee": {
        "grinder_noise": {
            "de": ("Mahlwerk einmal komplett ausbauen und die Bohnenreste raussaugen, danach war es bei mir deutlich leiser.",
                   "Stell den Mahlgrad ein, zwei Stufen gröber und stell die Maschine auf eine Gummimatte, das dämpft enorm."),
            "en": ("Take the burrs out once and vacuum the old grounds, mine got much quieter after that.",
                   "Go one or two steps coarser and put a rubber mat under the machine, it dampens a lot."),
        },
        "milk_foam": {
            "de": ("Die Milch muss richtig kalt sein, direkt aus dem Kühlschrank. Und die Düse nach jedem Bezug kurz durchspülen.",
                   "Probier mal Milch mit 3,5 % Fett, bei fettarmer Milch fällt der Schaum immer zusammen."),
            "en": ("The milk has to be really cold, straight from the fridge. And purge the wand after every drink.",
                   "Try whole milk, skimmed milk foam always collapses within a minute."),
        },
        "app_pairing": {
            "de": ("Bluetooth am Handy aus und wieder an, Maschine zehn Sekunden vom Strom, dann neu koppeln. Klappt bei mir jedes Mal.",
                   "In den Handy-Einstellungen das Gerät komplett entfernen und neu suchen lassen, das Zwischenspeichern macht Ärger."),
            "en": ("Turn phone Bluetooth off and on, unplug the machine for ten seconds, then pair again. Works every time for me.",
                   "Remove the device completely in your phone settings and search again, the cached pairing causes trouble."),
        },
        "customer_service": {
            "de": ("Schreib direkt an die Service-Adresse und nenn die Seriennummer im Betreff, dann geht es bei mir meistens schneller.",
                   "Ruf vormittags an, da ist die Warteschleife am kürzesten. Und alles schriftlich bestätigen lassen."),
            "en": ("Email them directly with the serial number in the subject line, that's usually faster.",
                   "Call in the morning, the queue is shortest then. And ask for everything in writing."),
        },
        "price": {
            "de": ("Warte auf die Aktionswochen im Frühjahr, da gibt es regelmäßig {n}0 € Rabatt.",
                   "Zubehör gibt es bei Drittanbietern oft zum halben Preis, passt genauso."),
            "en": ("Wait for the spring sale, there's usually a decent discount.",
                   "Third-party accessories fit just as well and cost half as much."),
        },
        "frother_update": {
            "de": ("Bis es einen Fix gibt: Milch separat aufschäumen und die Maschine nicht neu starten, das hat bei mir den Fehlercode verschlimmert.",
                   "Automatische App-Aktualisierungen ausschalten, dann erwischt es wenigstens nicht noch die Zweitmaschine."),
            "en": ("Until there's a fix: froth the milk separately and don't keep restarting, that made the error code worse for me.",
                   "Turn off automatic app updates so it doesn't hit your second machine too."),
        },
        "descaling_warning": {
            "de": ("Workaround: Maschine ausschalten, Dampftaste gedrückt halten und wieder einschalten. Setzt den Zähler zurück, hält aber nur ein paar Tage.",
                   "Einmal mit dem Original-Entkalker durchlaufen lassen und danach zehn Sekunden vom Strom nehmen, dann ist Ruhe, zumindest eine Weile."),
            "en": ("Workaround: switch off, hold the steam button and switch on again. Resets the counter, but only lasts a few days.",
                   "Run one cycle with the original descaler, then unplug for ten seconds. Quiet for a while at least."),
        },
        "*": {
            "de": ("Schau mal ins Wiki hier im Forum, da hab ich das Schritt für Schritt erklärt.",
                   "Bei mir hat ein Werksreset geholfen, vorher die Rezepte notieren.",
                   "Wasserhärte richtig einstellen, das erklärt erstaunlich viele Probleme."),
            "en": ("Check the wiki in this forum, I wrote a step-by-step guide there.",
                   "A factory reset fixed it for me, just note down your recipes first.",
                   "Set the water hardness correctly, it explains a surprising number of issues."),
        },
    },
    "bike": {
        "battery_range": {
            "de": ("Reifendruck prüfen und im Eco-Modus anfahren, das bringt locker {n} Kilometer mehr.",
                   "Akku nicht im kalten Keller lagern, bei unter zehn Grad bricht die Reichweite ein."),
            "en": ("Check tyre pressure and start off in eco mode, that's easily a few extra kilometres.",
                   "Don't store the battery in a cold garage, range drops a lot below ten degrees."),
        },
        "motor_noise": {
            "de": ("Das Knacken kommt oft vom Tretlager, nicht vom Motor. Lass das beim Händler nachziehen.",
                   "Kette reinigen und neu ölen, bei mir war das Geräusch danach weg."),
            "en": ("The clicking is often the bottom bracket, not the motor. Have the dealer tighten it.",
                   "Clean and re-lube the chain, the noise was gone for me afterwards."),
        },
        "delivery_delay": {
            "de": ("Frag beim Händler nach der Auftragsnummer beim Hersteller, dann bekommst du einen echten Liefertermin.",
                   "Bei mir hat es am Ende {n} Wochen gedauert. Schriftlich nachfragen hilft."),
            "en": ("Ask the dealer for the factory order number, then you get a real delivery date.",
                   "Mine took {n} weeks in the end. Asking in writing helps."),
        },
        "dealer_service": {
            "de": ("Jeder Vertragshändler muss die Inspektion machen, nicht nur der, bei dem du gekauft hast.",
                   "Termin online buchen statt anrufen, dann bist du meist in einer Woche dran."),
            "en": ("Any authorised dealer has to do the service, not only the one you bought from.",
                   "Book the service online instead of calling, usually you're in within a week."),
        },
        "*": {
            "de": ("Schau mal in den Sammelthread oben angepinnt, da steht die Lösung auf Seite {n}.",
                   "Display-Reset: beide Tasten zehn Sekunden halten. Hat bei mir schon oft geholfen.",
                   "Firmware beim Händler prüfen lassen, die aktuelle Version behebt einiges."),
            "en": ("Check the pinned megathread, the fix is on page {n}.",
                   "Display reset: hold both buttons for ten seconds. Has saved me more than once.",
                   "Have the dealer check the firmware, the current version fixes a lot."),
        },
    },
}

_CHIEF_FRAME: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {"open": ("Kenne ich gut.", "Moin!", "Das Thema hatten wir hier schon öfter.",
                    "Kurzer Tipp aus Erfahrung:", "", ""),
           "close": ("Sag Bescheid, ob's geklappt hat.", "Viel Erfolg!", "Meld dich gern, falls nicht.",
                     "", "")},
    "en": {"open": ("Been there.", "Hey!", "This comes up a lot here.", "Quick tip from experience:",
                    "", ""),
           "close": ("Let me know if that works.", "Good luck!", "Shout if it doesn't help.", "", "")},
}

# ordinary replies: kind -> lang -> (text, gold sentiment)
_REPLIES: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "metoo": {
        "de": (("Bei mir genau das Gleiche, seit ungefähr {n} Wochen.", "negative"),
               ("Same here, ich hab das auch und bin echt genervt.", "negative"),
               ("Oh nein, dachte ich bin der Einzige. Bei mir seit {n} Tagen.", "negative"),
               ("Dito. Ist echt ärgerlich, vor allem für das Geld.", "negative"),
               ("Hab genau dasselbe Problem, bisher keine Lösung gefunden.", "negative")),
        "en": (("Same here, started about {n} weeks ago.", "negative"),
               ("Exactly the same for me, really annoying.", "negative"),
               ("Oh no, I thought it was just me. Mine too for {n} days now.", "negative"),
               ("Ditto. Really frustrating for the money.", "negative"),
               ("Having the exact same problem, no fix so far.", "negative")),
    },
    "sympathy": {
        "de": (("Ärgerlich, drück dir die Daumen, dass sich das schnell klärt.", "neutral"),
               ("Hoffe, du bekommst das bald gelöst. Halt uns auf dem Laufenden.", "neutral"),
               ("Klingt nervig. Hast du schon beim Händler nachgefragt?", "neutral")),
        "en": (("That's annoying, fingers crossed it gets sorted soon.", "neutral"),
               ("Hope you get this fixed soon. Keep us posted.", "neutral"),
               ("Sounds frustrating. Have you asked the shop yet?", "neutral")),
    },
    "same_question": {
        "de": (("Würde mich auch interessieren, hab die gleiche Frage.", "neutral"),
               ("Gute Frage, hänge mich mal dran.", "neutral"),
               ("Das frage ich mich auch schon seit {n} Wochen.", "neutral")),
        "en": (("Following, I have the same question.", "neutral"),
               ("Good question, I'd like to know too.", "neutral"),
               ("Been wondering the same for {n} weeks.", "neutral")),
    },
    "hint": {
        "de": (("Bei mir hat ein kompletter Neustart geholfen, einfach mal probieren.", "neutral"),
               ("Schau mal in die FAQ, da stand bei mir was dazu.", "neutral"),
               ("Hab gehört, dass ein Reset hilft, aber selbst nicht probiert.", "neutral"),
               ("Frag am besten im Laden in {city}, die kennen sich aus.", "neutral")),
        "en": (("A full restart fixed it for me, worth a try.", "neutral"),
               ("Check the FAQ, there was something about it.", "neutral"),
               ("I've heard a reset helps, haven't tried it myself though.", "neutral"),
               ("Ask the shop in {city}, they know their stuff.", "neutral")),
    },
    "agree": {
        "de": (("Kann ich nur bestätigen, bin auch sehr zufrieden.", "positive"),
               ("Sehe ich genauso, nutze meine seit {n} Monaten ohne Probleme.", "positive"),
               ("Schön zu lesen! Geht mir genauso.", "positive")),
        "en": (("Can confirm, really happy with mine too.", "positive"),
               ("Totally agree, mine has been flawless for {n} months.", "positive"),
               ("Nice to read! Same experience here.", "positive")),
    },
    "plus_one": {
        "de": (("Gute Idee, würde ich sofort nutzen.", "positive"),
               ("+1, das fehlt wirklich.", "positive"),
               ("Unterschreibe ich so, wäre super.", "positive")),
        "en": (("Great idea, I'd use that right away.", "positive"),
               ("+1, that's really missing.", "positive"),
               ("Fully agree, that would be great.", "positive")),
    },
    "remark": {
        "de": (("Danke für die Info!", "positive"), ("Interessant, wusste ich noch nicht.", "neutral"),
               ("Gut zu wissen, danke fürs Teilen.", "positive")),
        "en": (("Thanks for the info!", "positive"), ("Interesting, didn't know that.", "neutral"),
               ("Good to know, thanks for sharing.", "positive")),
    },
    "thanks": {  # the asker thanks a helper
        "de": (("Danke, hat geklappt!", "positive"), ("Super Tipp, läuft wieder. Danke dir!", "positive"),
               ("Genau das war's, vielen Dank!", "positive"), ("Du bist meine Rettung, danke!", "positive"),
               ("Probiere ich heute Abend aus, danke schon mal.", "positive"),
               ("Wow, so einfach. Danke!", "positive"), ("Klappt wieder, du hast was gut bei mir!", "positive")),
        "en": (("Thanks, that worked!", "positive"), ("Great tip, all good again. Thank you!", "positive"),
               ("That was it, thanks a lot!", "positive"), ("You're a lifesaver, thanks!", "positive"),
               ("Will try it tonight, thanks already.", "positive"),
               ("Wow, that simple. Thanks!", "positive"), ("Works again, I owe you one!", "positive")),
    },
    "no_luck": {
        "de": (("Hab ich probiert, leider ohne Erfolg.", "negative"),
               ("Danke, hat bei mir aber nichts gebracht.", "negative")),
        "en": (("Tried that, no luck unfortunately.", "negative"),
               ("Thanks, but it didn't help in my case.", "negative")),
    },
    "also_helped": {
        "de": (("Der Tipp hat bei mir auch geholfen, danke!", "positive"),
               ("Kann ich bestätigen, hat bei mir auch funktioniert.", "positive"),
               ("Hab ich gestern auch so gemacht, läuft seitdem.", "positive"),
               ("Genau so hat es bei mir auch geklappt.", "positive"),
               ("Danke, das hat mir vor {n} Wochen auch schon geholfen.", "positive")),
        "en": (("That tip worked for me too, thanks!", "positive"),
               ("Can confirm, worked for me as well.", "positive"),
               ("Did the same yesterday, fine ever since.", "positive"),
               ("Exactly how I fixed mine too.", "positive"),
               ("Thanks, this helped me {n} weeks ago as well.", "positive")),
    },
    "ack": {  # the asker answers an ordinary reply
        "de": (("Danke, dann bin ich wenigstens nicht allein.", "neutral"), ("Danke dir, probiere ich.", "positive"),
               ("Mal sehen, melde mich, wenn es was Neues gibt.", "neutral")),
        "en": (("Thanks, at least I'm not alone.", "neutral"), ("Thanks, will try.", "positive"),
               ("We'll see, I'll report back.", "neutral")),
    },
    "official_ok": {
        "de": (("Danke für die schnelle Antwort, DM ist raus.", "positive"),
               ("Danke, hab euch geschrieben.", "positive"), ("Super, danke für die Rückmeldung!", "positive")),
        "en": (("Thanks for the quick reply, DM sent.", "positive"),
               ("Thanks, just messaged you.", "positive"), ("Great, thanks for getting back to me!", "positive")),
    },
    "official_bad": {
        "de": (("Das schreibt ihr mir jetzt schon zum dritten Mal.", "negative"),
               ("Meine DM ist seit {n} Tagen unbeantwortet.", "negative"),
               ("Standardantwort, hilft mir null weiter.", "negative")),
        "en": (("That's the third time you've told me that.", "negative"),
               ("My DM has been unanswered for {n} days.", "negative"),
               ("Canned answer, doesn't help me at all.", "negative")),
    },
}
# a second sentence that fits the sentiment of the first
_TAILS: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "negative": ("Langsam reicht es mir.", "So macht das echt keinen Spaß.", "Echt schade.",
                     "Hab schon {n} Sachen ausprobiert.", "Und das nach {n} Monaten."),
        "neutral": ("Mal sehen.", "Bin gespannt.", "Ich halte euch auf dem Laufenden.",
                    "Melde mich, wenn ich mehr weiß.", "Grüße aus {city}."),
        "positive": ("Ihr seid klasse.", "Tolles Forum hier!", "Schönen Tag noch!",
                     "Grüße aus {city}!", "Danke euch allen."),
    },
    "en": {
        "negative": ("Running out of patience.", "Not fun at all.", "Such a shame.",
                     "Already tried {n} things.", "And that after {n} months."),
        "neutral": ("We'll see.", "Curious what happens.", "I'll keep you posted.",
                    "Will report back when I know more.", "Greetings from {city}."),
        "positive": ("You're all great.", "Love this forum!", "Have a nice day!",
                     "Cheers from {city}!", "Thanks everyone."),
    },
}
# what an ordinary member says to a post of this intent
_REPLY_KINDS = {
    "question": (("same_question", 2), ("hint", 3)),
    "complaint": (("metoo", 3), ("sympathy", 2), ("hint", 1)),
    "praise": (("agree", 1),),
    "suggestion": (("plus_one", 1),),
    "other": (("remark", 1),),
}


@dataclass
class _ReplyDraft:
    parent: str | int  # external id of a top-level post or index of another reply draft
    channel: str
    community: str
    author: str
    created_at: datetime
    body: str
    lang: str
    sentiment: str
    topic: str
    brands: tuple[str, ...]
    score: int
    official: bool = False


class _Threads:
    """Adds reply threads and official answers to the posts of `THREAD_CHANNELS`."""

    def __init__(self, end: date, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 2)
        self.authors, self.author_weights = _make_authors(random.Random(seed * 7919 + 1))
        self.last = datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=UTC)
        self.spike_day = end - timedelta(days=SPIKE_OFFSET)
        self.drafts: list[_ReplyDraft] = []
        self.answered: dict[str, set[str]] = {}  # external id -> brands that answered
        self.dedup = Deduplicator()

    def add(self, posts: list[DemoPost]) -> list[DemoPost]:
        for post in posts:
            self.dedup.check(post.external_id, f"{post.title}\n\n{post.body}".strip())
        for post in posts:
            if post.channel in THREAD_CHANNELS:
                self._thread(post)
        return self._finish(posts)

    def _fresh(self, make: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """A reply text that is no (near) duplicate of any earlier post, if a few draws find one:
        short replies would otherwise collapse into duplicates, which the pipeline drops."""
        for attempt in range(25):
            text, sentiment = make()
            if self.dedup.check(("reply", len(self.drafts), attempt), text).duplicate_of is None:
                break
        return text, sentiment

    # -- helpers
    def _fill(self, text: str, lang: str, **extra: str) -> str:
        rng = self.rng
        slots = _SafeDict(n=str(rng.randint(2, 9)), city=rng.choice(_CITIES[lang]), **extra)
        return text.format_map(slots)

    def _after(self, when: datetime, median_minutes: float, sigma: float = 1.0) -> datetime | None:
        minutes = min(max(self.rng.lognormvariate(math.log(median_minutes), sigma), 2.0), 2880.0)
        later = when + timedelta(minutes=minutes, seconds=self.rng.randrange(60))
        return later if later <= self.last else None

    def _member(self, *exclude: str) -> str:
        while True:
            author = self.rng.choices(self.authors, weights=self.author_weights, k=1)[0]
            if author not in exclude:
                return author

    def _reply(self, parent: str | int, anchor: DemoPost, author: str, when: datetime,
               body: str, sentiment: str, score: int, brands: tuple[str, ...] = (),
               official: bool = False) -> int:
        self.drafts.append(_ReplyDraft(
            parent=parent, channel=anchor.channel, community=anchor.community, author=author,
            created_at=when, body=body, lang=anchor.lang, sentiment=sentiment,
            topic=anchor.gold.topic, brands=brands, score=score, official=official))
        return len(self.drafts) - 1

    def _said(self, kind: str, lang: str) -> tuple[str, str]:
        def make() -> tuple[str, str]:
            rng = self.rng
            text, sentiment = _REPLIES[kind][lang][rng.randrange(len(_REPLIES[kind][lang]))]
            if rng.random() < 0.6:
                text = f"{text} {_pick(rng, _TAILS[lang][sentiment])}"
            return self._fill(text, lang), sentiment
        return self._fresh(make)

    # -- one thread
    def _thread(self, post: DemoPost) -> None:
        rng = self.rng
        intent = post.gold.intent
        if intent in ("question", "complaint"):
            for brand in post.gold.brands:
                self._official(post, brand)
        chief = CHIEFS.get(post.community)
        if chief and chief != post.author and rng.random() < _CHIEF_RATE[intent]:
            self._chief(post, chief)
        count = rng.choices((0, 1, 2), weights=_USER_REPLIES[intent], k=1)[0]
        for _ in range(count):
            when = self._after(post.created_at, 150)
            if when is None:
                continue
            author = self._member(post.author, *CHIEFS.values())
            text, sentiment = self._said(_weighted(rng, _REPLY_KINDS[intent]), post.lang)
            idx = self._reply(post.external_id, post, author, when, text, sentiment,
                              int(rng.lognormvariate(0.3, 0.8)))
            if rng.random() < 0.15 and (later := self._after(when, 60)) is not None:
                text, sentiment = self._said("ack", post.lang)
                self._reply(idx, post, post.author, later, text, sentiment,
                            int(rng.lognormvariate(0.0, 0.7)))

    def _chief(self, post: DemoPost, chief: str) -> None:
        rng, lang, intent = self.rng, post.lang, post.gold.intent
        when = self._after(post.created_at, 50, 0.9)
        if when is None:
            return

        def tip() -> tuple[str, str]:
            tips = _CHIEF_TIPS[_domain(post)]
            frame = _CHIEF_FRAME[lang]
            parts = [_pick(rng, frame["open"]), _pick(rng, tips.get(post.gold.topic, tips["*"])[lang]),
                     _pick(rng, frame["close"])]
            return self._fill(" ".join(p for p in parts if p), lang), "neutral"

        if intent in ("question", "complaint"):
            body, sentiment = self._fresh(tip)
        else:
            kind = {"praise": "agree", "suggestion": "plus_one"}.get(intent, "remark")
            body, sentiment = self._said(kind, lang)
        idx = self._reply(post.external_id, post, chief, when, body, sentiment,
                          int(rng.lognormvariate(1.6, 0.6)))
        if intent in ("question", "complaint") and rng.random() < 0.7:
            later = self._after(when, 90)
            if later is not None:
                text, sentiment = self._said("thanks" if rng.random() < 0.8 else "no_luck", lang)
                self._reply(idx, post, post.author, later, text, sentiment,
                            int(rng.lognormvariate(0.2, 0.7)))
        if rng.random() < 0.3:
            later = self._after(when, 240)
            if later is not None:
                text, sentiment = self._said("also_helped" if intent in ("question", "complaint")
                                             else "remark", lang)
                self._reply(idx, post, self._member(post.author, chief), later, text, sentiment,
                            int(rng.lognormvariate(0.3, 0.7)))

    def _official(self, post: DemoPost, brand: str) -> None:
        rng = self.rng
        accounts: list[str] = BRANDS[brand].get("official_accounts", [])
        if not accounts:
            return
        rate = _ANSWER_RATE.get(brand, 0.5) * (0.5 if post.gold.signal == "spike" else 1.0)
        if rng.random() >= rate:
            return
        hours = min(max(rng.lognormvariate(math.log(3.0), 0.7), 0.3), 30.0)
        when = self._office_hours(post.created_at + timedelta(hours=hours), brand)
        if when > self.last:
            return
        account = accounts[0] if len(accounts) == 1 or rng.random() < 0.8 else rng.choice(accounts[1:])
        body, sentiment = self._fresh(lambda: self._official_text(post, brand))
        named = (brand,) if brand in body else ()
        idx = self._reply(post.external_id, post, account, when, body, sentiment,
                          int(rng.lognormvariate(0.5, 0.7)), named, official=True)
        self.answered.setdefault(post.external_id, set()).add(brand)
        if rng.random() < 0.35 and (later := self._after(when, 120)) is not None:
            text, sentiment = self._said("official_ok" if rng.random() < 0.6 else "official_bad",
                                         post.lang)
            self._reply(idx, post, post.author, later, text, sentiment,
                        int(rng.lognormvariate(0.2, 0.7)))

    def _office_hours(self, when: datetime, brand: str) -> datetime:
        """Official accounts write 07:00-22:00; the spike brand's team is silent on spike day."""
        rng = self.rng
        if when.hour < 7:
            when = when.replace(hour=7, minute=rng.randrange(60))
        elif when.hour >= 22:
            when = (when + timedelta(days=1)).replace(hour=7, minute=rng.randrange(60))
        if brand == KAFFEEKRAFT and when.date() == self.spike_day:
            when = (when + timedelta(days=1)).replace(hour=8, minute=rng.randrange(60))
        return when

    def _official_text(self, post: DemoPost, brand: str) -> tuple[str, str]:
        rng, lang = self.rng, post.lang
        table = _OFFICIAL[lang]
        warm = rng.random() < 0.25
        parts = [_pick(rng, table["warm" if warm else "greet"])]
        if post.gold.intent == "complaint" and rng.random() < 0.6:
            parts.append(_pick(rng, table["sorry"]))
        if post.gold.signal is not None:
            parts.append(_pick(rng, table["known"]))
        parts.append(_pick(rng, table["complaint" if post.gold.intent == "complaint" else "question"]))
        body = " ".join(parts) + "\n\n" + _pick(rng, table["sign"])
        body = self._fill(body, lang, b=brand, agent=rng.choice(_AGENTS),
                          id=_ID_KIND[(_domain(post), lang)])
        return body, "positive" if warm else "neutral"

    # -- ids, engagement, gold
    def _finish(self, posts: list[DemoPost]) -> list[DemoPost]:
        drafts = self.drafts
        order = sorted(range(len(drafts)), key=lambda i: (drafts[i].created_at, i))
        ids = {i: f"{_ID_PREFIX[drafts[i].channel]}-r{seq:05d}" for seq, i in enumerate(order, 1)}
        children = Counter(d.parent for d in drafts)
        replies: list[DemoPost] = []
        for i in order:
            d = drafts[i]
            ext = ids[i]
            parent = ids[d.parent] if isinstance(d.parent, int) else d.parent
            replies.append(DemoPost(
                external_id=ext, channel=d.channel, title="", body=d.body,
                body_html=_to_html(d.body, d.lang, None), author=d.author, community=d.community,
                created_at=d.created_at, score=d.score, comments=children[i], lang=d.lang,
                url=f"{CHANNELS[d.channel]['site']}p/{ext}",
                gold=Gold(d.sentiment, "other", d.topic, d.brands, parent=parent,
                          official=d.official),
            ))
        top = [p if p.external_id not in self.answered else replace(p, gold=replace(
            p.gold, answered_by_official=True, answered_by=tuple(sorted(self.answered[p.external_id]))))
            for p in posts]
        return sorted(top + replies, key=lambda p: p.created_at)


def _domain(post: DemoPost) -> str:
    if post.gold.brands:
        return str(BRANDS[post.gold.brands[0]]["domain"])
    return "bike" if post.community == "hub/ebike-talk" or post.gold.topic == "cycling" else "coffee"


# ----------------------------------------------------------------------------- output


@dataclass
class DemoManifest:
    """What `write_demo_data` wrote and what the pipeline should find in it."""

    start: date
    end: date
    seed: int
    total_posts: int
    feeds: list[dict[str, Any]]
    files: list[dict[str, Any]]
    brands: list[dict[str, Any]]
    competitors: dict[str, list[str]]
    spike_day: date
    spike_brand: str
    spike: dict[str, Any]
    emerging_problem: dict[str, Any]
    gold_path: str
    counts: dict[str, Any] = field(default_factory=dict)
    threads: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (dates as ISO strings)."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rss(channel: str, posts: list[DemoPost], build: datetime) -> str:
    meta = CHANNELS[channel]
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:slash="http://purl.org/rss/1.0/modules/slash/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"<title>{xml_escape(meta['title'])}</title>",
        f"<link>{xml_escape(meta['site'])}</link>",
        f"<description>{xml_escape(meta['title'])} (stimmung demo data)</description>",
        f"<language>{meta['lang']}</language>",
        f"<lastBuildDate>{format_datetime(build, usegmt=True)}</lastBuildDate>",
    ]
    for p in sorted(posts, key=lambda p: p.created_at, reverse=True):
        summary = p.body if len(p.body) <= 200 else p.body[:197].rstrip() + "…"
        out += [
            "<item>",
            f"<title>{xml_escape(p.title)}</title>",
            f"<link>{xml_escape(p.url)}</link>",
            f'<guid isPermaLink="false">{xml_escape(p.external_id)}</guid>',
            f"<pubDate>{format_datetime(p.created_at, usegmt=True)}</pubDate>",
            f"<dc:creator>{xml_escape(p.author)}</dc:creator>",
            f"<category>{xml_escape(p.community)}</category>",
            f"<description>{xml_escape(summary)}</description>",
            f"<content:encoded>{xml_escape(p.body_html)}</content:encoded>",
            f"<slash:comments>{p.comments}</slash:comments>",
            "</item>",
        ]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def _atom(channel: str, posts: list[DemoPost], build: datetime) -> str:
    meta = CHANNELS[channel]
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{meta["lang"]}">',
        f"<title>{xml_escape(meta['title'])}</title>",
        f"<id>{xml_escape(meta['site'])}</id>",
        f'<link rel="alternate" href="{xml_escape(meta["site"])}"/>',
        f"<updated>{_rfc3339(build)}</updated>",
    ]
    for p in sorted(posts, key=lambda p: p.created_at, reverse=True):
        out += [
            "<entry>",
            f"<id>tag:cremalab.demo.invalid,2026:{xml_escape(p.external_id)}</id>",
            f'<title type="text">{xml_escape(p.title)}</title>',
            f'<link rel="alternate" href="{xml_escape(p.url)}"/>',
            f"<published>{_rfc3339(p.created_at)}</published>",
            f"<updated>{_rfc3339(p.created_at)}</updated>",
            f"<author><name>{xml_escape(p.author)}</name></author>",
            f'<category term="{xml_escape(p.community, {chr(34): "&quot;"})}"/>',
            f'<content type="html">{xml_escape(p.body_html)}</content>',
            "</entry>",
        ]
    out += ["</feed>", ""]
    return "\n".join(out)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _jsonl_row(p: DemoPost) -> dict[str, Any]:
    return {
        "id": p.external_id, "text": p.body, "author": p.author,
        "created": p.created_at.isoformat(timespec="seconds"),
        "channel": p.community, "lang": p.lang, "likes": p.score, "replies": p.comments,
        "url": p.url, "title": p.title, "parent": p.gold.parent,
    }


def corpus_counts(posts: list[DemoPost]) -> dict[str, Any]:
    """Counts per brand, language, sentiment, intent and channel (gold labels)."""
    by_brand: Counter[str] = Counter()
    for p in posts:
        for b in p.gold.brands or ("(none)",):
            by_brand[b] += 1
    brand_sent: dict[str, dict[str, int]] = {}
    for p in posts:
        for b in p.gold.brands or ("(none)",):
            brand_sent.setdefault(b, dict.fromkeys(SENTIMENTS, 0))[p.gold.sentiment] += 1
    return {
        "posts": len(posts),
        "by_brand": dict(sorted(by_brand.items())),
        "by_lang": dict(sorted(Counter(p.lang for p in posts).items())),
        "by_sentiment": dict(sorted(Counter(p.gold.sentiment for p in posts).items())),
        "by_intent": dict(sorted(Counter(p.gold.intent for p in posts).items())),
        "by_channel": dict(sorted(Counter(p.channel for p in posts).items())),
        "brand_sentiment": dict(sorted(brand_sent.items())),
        "comparisons": sum(1 for p in posts if len(p.gold.brands) > 1),
        "duplicates": sum(1 for p in posts if p.gold.duplicate_of),
        "spike_posts": sum(1 for p in posts if p.gold.signal == "spike"),
        "emerging_posts": sum(1 for p in posts if p.gold.signal == "emerging"),
        "replies": sum(1 for p in posts if p.gold.parent),
        "official_replies": sum(1 for p in posts if p.gold.official),
        "response": _response_counts(posts),
    }


def _response_counts(posts: list[DemoPost]) -> dict[str, dict[str, int]]:
    """Per brand: its questions and complaints, how many an official account answered, and
    how many wait (in the whole corpus, and in the threaded channels where answers exist)."""
    out: dict[str, dict[str, int]] = {}
    for name in BRANDS:
        asked = [p for p in posts if name in p.gold.brands and p.gold.parent is None
                 and p.gold.intent in ("question", "complaint")]
        answered = sum(1 for p in asked if name in p.gold.answered_by)
        threaded = [p for p in asked if p.channel in THREAD_CHANNELS]
        out[name] = {
            "questions_complaints": len(asked), "answered": answered,
            "unanswered": len(asked) - answered,
            "questions_complaints_threaded": len(threaded),
            "unanswered_threaded": sum(1 for p in threaded if name not in p.gold.answered_by),
        }
    return out


def write_demo_data(out_dir: Path, *, end: date = DEFAULT_END, days: int = 60,
                    seed: int = 7) -> DemoManifest:
    """Write the feeds, the JSONL export, gold labels and manifest.json into `out_dir`."""
    out_dir = Path(out_dir)
    posts = generate_corpus(end, days, seed)
    build = datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=UTC)
    by_channel: dict[str, list[DemoPost]] = {c: [] for c in CHANNELS}
    for p in posts:
        by_channel[p.channel].append(p)

    feeds: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    for channel, meta in CHANNELS.items():
        path = out_dir / meta["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        items = by_channel[channel]
        if meta["format"] == "jsonl":
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                for p in items:
                    handle.write(json.dumps(_jsonl_row(p), ensure_ascii=False) + "\n")
            files.append({
                "name": channel, "kind": "file", "path": meta["path"], "format": "jsonl",
                "columns": list(JSONL_COLUMNS), "mapping": dict(JSONL_MAPPING),
                "engagement": dict(JSONL_ENGAGEMENT), "rows": len(items),
            })
            continue
        text = _rss(channel, items, build) if meta["format"] == "rss" else _atom(channel, items, build)
        path.write_text(text, encoding="utf-8", newline="\n")
        feeds.append({
            "name": channel, "kind": "feed", "path": meta["path"], "format": meta["format"],
            "lang": meta["lang"], "community_from": "category", "entries": len(items),
        })

    gold_rel = "gold/labels.jsonl"
    (out_dir / "gold").mkdir(parents=True, exist_ok=True)
    with (out_dir / gold_rel).open("w", encoding="utf-8", newline="\n") as handle:
        for p in posts:
            row = {"source": p.channel, "external_id": p.external_id, "lang": p.lang,
                   **_jsonable(asdict(p.gold))}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    spike_day = spike_day_for(end)
    emerging_start = emerging_start_for(end)
    manifest = DemoManifest(
        start=end - timedelta(days=days - 1), end=end, seed=seed, total_posts=len(posts),
        feeds=feeds, files=files,
        brands=[{"name": name, "aliases": list(b["aliases"]), "query": b["query"],
                 "products": list(b["products"]), "competitors": COMPETITORS.get(name, []),
                 "official_accounts": list(b.get("official_accounts", [])),
                 "tracked": name in COMPETITORS} for name, b in BRANDS.items()],
        competitors={k: list(v) for k, v in COMPETITORS.items()},
        spike_day=spike_day, spike_brand=KAFFEEKRAFT,
        spike={"day": spike_day, "brand": KAFFEEKRAFT, "topic": "frother_update",
               "label": "App-Update 4.8 legt den Milchaufschäumer lahm / app update 4.8 breaks the milk frother",
               "keyphrases": {"de": ["Milchaufschäumer", "Update 4.8"],
                              "en": ["frother", "update 4.8"]},
               "extra_negative_posts": list(SPIKE_EXTRA)},
        emerging_problem={"brand": KAFFEEKRAFT, "topic": "descaling_warning",
                          "label": "Entkalkungswarnung nach Firmware 3.2 / descaling warning after firmware 3.2",
                          "keyphrases": EMERGING_KEYPHRASES, "start": emerging_start,
                          "daily_posts": list(EMERGING_DAILY)},
        gold_path=gold_rel, counts=corpus_counts(posts),
        threads={"channels": list(THREAD_CHANNELS), "parent_column": "parent",
                 "chiefs": dict(CHIEFS),
                 "official_accounts": {name: list(b.get("official_accounts", []))
                                       for name, b in BRANDS.items()}},
    )
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest
