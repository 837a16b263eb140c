"""Static tables of the demo chain: regions, shops, people, scenarios and comments.

Plain data only; :mod:`audit.services.demo` decides how they are combined. Shopping-centre
and street names are real, house numbers are not meant to be exact.
"""
from __future__ import annotations

from typing import NamedTuple

CHAIN = "Volta"  # a fictitious Baltic home-electronics chain
DOMAIN = "demo.example"


class Site(NamedTuple):
    name: str  # shown after the chain name: "Volta Akropolis Vilnius"
    address: str
    city: str
    format: str


class RegionData(NamedTuple):
    name: str
    code: str  # location code prefix
    country: str  # "lt" or "lv": the locale of people who work there
    weight: float  # share of the chain's branches
    sites: tuple[Site, ...]
    streets: tuple[tuple[str, str], ...]  # (street, city) for branches beyond ``sites``


# Ordered so that a small chain still spans both countries: VLN-01, KNS-02, RIX-03, KLP-04 …
REGIONS: tuple[RegionData, ...] = (
    RegionData("Vilnius", "VLN", "lt", 0.22, (
        Site("Akropolis Vilnius", "Ozo g. 25", "Vilnius", "flagship"),
        Site("Ozas", "Ozo g. 18", "Vilnius", "mall"),
        Site("Panorama", "Saltoniškių g. 9", "Vilnius", "mall"),
        Site("Gedimino prospektas", "Gedimino pr. 9", "Vilnius", "high_street"),
        Site("Europa", "Konstitucijos pr. 7A", "Vilnius", "mall"),
        Site("CUP", "Upės g. 9", "Vilnius", "mall"),
        Site("Ogmios miestas", "Verkių g. 29", "Vilnius", "outlet"),
        Site("BIG Vilnius", "Ukmergės g. 369", "Vilnius", "mall"),
        Site("Vilniaus oro uostas", "Rodūnios kl. 10A", "Vilnius", "kiosk"),
        Site("Pilies gatvė", "Pilies g. 14", "Vilnius", "high_street"),
    ), (("Ukmergės g.", "Vilnius"), ("Kalvarijų g.", "Vilnius"), ("Savanorių pr.", "Vilnius"),
        ("Vytauto g.", "Trakai"), ("Vilniaus g.", "Elektrėnai"))),
    RegionData("Kaunas", "KNS", "lt", 0.17, (
        Site("Akropolis Kaunas", "Karaliaus Mindaugo pr. 49", "Kaunas", "flagship"),
        Site("Mega", "Islandijos pl. 32", "Kaunas", "mall"),
        Site("Laisvės alėja", "Laisvės al. 68", "Kaunas", "high_street"),
        Site("Molas", "Islandijos pl. 213", "Kaunas", "mall"),
        Site("Girstupis", "Kovo 11-osios g. 22", "Kaunas", "mall"),
        Site("Vilniaus gatvė", "Vilniaus g. 30", "Kaunas", "high_street"),
        Site("Jonava", "Žeimių g. 13", "Jonava", "outlet"),
    ), (("Savanorių pr.", "Kaunas"), ("Taikos pr.", "Kaunas"), ("Vytauto pr.", "Kaunas"),
        ("Laisvės al.", "Marijampolė"), ("Vilniaus g.", "Kėdainiai"))),
    RegionData("Rīga", "RIX", "lv", 0.26, (
        Site("Galerija Centrs", "Audēju iela 16", "Rīga", "flagship"),
        Site("Alfa", "Brīvības gatve 372", "Rīga", "mall"),
        Site("Spice", "Lielirbes iela 29", "Rīga", "mall"),
        Site("Brīvības iela", "Brīvības iela 68", "Rīga", "high_street"),
        Site("Origo", "Stacijas laukums 2", "Rīga", "mall"),
        Site("Akropole Rīga", "Maskavas iela 257", "Rīga", "mall"),
        Site("Domina Shopping", "Ieriķu iela 3", "Rīga", "mall"),
        Site("Rīga Plaza", "Mūkusalas iela 71", "Rīga", "mall"),
        Site("Rīgas lidosta", "Lidosta Rīga, Mārupe", "Mārupe", "kiosk"),
        Site("Jūrmala", "Jomas iela 45", "Jūrmala", "high_street"),
        Site("Krasta iela", "Krasta iela 52", "Rīga", "outlet"),
    ), (("Brīvības iela", "Rīga"), ("Tērbatas iela", "Rīga"), ("Krišjāņa Barona iela", "Rīga"),
        ("Jomas iela", "Jūrmala"), ("Rīgas iela", "Ogre"))),
    RegionData("Klaipėda", "KLP", "lt", 0.12, (
        Site("Akropolis Klaipėda", "Taikos pr. 61", "Klaipėda", "mall"),
        Site("BIG Klaipėda", "Taikos pr. 139", "Klaipėda", "mall"),
        Site("Herkaus Manto gatvė", "H. Manto g. 11", "Klaipėda", "high_street"),
        Site("Palanga", "J. Basanavičiaus g. 20", "Palanga", "high_street"),
        Site("Šilutė", "Lietuvininkų g. 40", "Šilutė", "outlet"),
    ), (("Taikos pr.", "Klaipėda"), ("Tiltų g.", "Klaipėda"), ("Vytauto g.", "Palanga"),
        ("Mažvydo g.", "Gargždai"))),
    RegionData("Kurzeme", "KUR", "lv", 0.11, (
        Site("Liepāja Lielā iela", "Lielā iela 11", "Liepāja", "high_street"),
        Site("Ventspils", "Kuldīgas iela 21", "Ventspils", "mall"),
        Site("Kuldīga", "Liepājas iela 8", "Kuldīga", "high_street"),
        Site("Talsi", "Lielā iela 19a", "Talsi", "kiosk"),
        Site("Saldus", "Brīvības iela 12", "Saldus", "outlet"),
    ), (("Graudu iela", "Liepāja"), ("Lielā iela", "Liepāja"), ("Kuldīgas iela", "Ventspils"),
        ("Brīvības iela", "Saldus"))),
    RegionData("Latgale", "LTG", "lv", 0.12, (
        Site("Daugavpils Rīgas iela", "Rīgas iela 22", "Daugavpils", "high_street"),
        Site("Daugavpils Cietokšņa iela", "Cietokšņa iela 60", "Daugavpils", "mall"),
        Site("Rēzekne", "Atbrīvošanas aleja 100", "Rēzekne", "mall"),
        Site("Ludza", "Baznīcas iela 30", "Ludza", "kiosk"),
        Site("Preiļi", "Raiņa bulvāris 5", "Preiļi", "high_street"),
        Site("Krāslava", "Rīgas iela 12", "Krāslava", "outlet"),
    ), (("Rīgas iela", "Daugavpils"), ("Atbrīvošanas aleja", "Rēzekne"), ("18. novembra iela", "Daugavpils"),
        ("Raiņa iela", "Līvāni"))),
)

#: Chain-wide strengths and weaknesses (logits) by section id; other sections 0.
SECTION_BASE = {"arrival": 0.4, "greeting": -0.2, "needs": -0.4, "advice": -0.2, "payment": 0.9,
                "complaint": -0.2, "farewell": -0.5}
FORMAT_EFFECT = {"flagship": 0.3, "mall": 0.1, "high_street": 0.0, "outlet": -0.3, "kiosk": -0.2}
#: Opening hours by format, Monday to Saturday; on Sundays high-street shops are closed and
#: the others open 10–19. Phone lines answer 9–18 on weekdays and 10–15 on Saturdays.
OPENING_HOURS = {"flagship": (10, 21), "mall": (10, 21), "high_street": (10, 19), "outlet": (10, 20),
                 "kiosk": (9, 20)}

#: Formats of numbered branches once a region's ``sites`` run out, in turn.
EXTRA_FORMATS = ("high_street", "mall", "kiosk", "outlet")

#: (first names, surnames) by locale; Lithuanian and Latvian surnames agree with gender.
PEOPLE = {
    "lt": (
        ("Tomas", "Mantas", "Lukas", "Darius", "Andrius", "Paulius", "Justinas", "Vytautas"),
        ("Kazlauskas", "Petrauskas", "Jankauskas", "Žukauskas", "Butkus", "Paulauskas", "Vasiliauskas",
         "Stankevičius"),
        ("Rūta", "Eglė", "Ieva", "Gintarė", "Aistė", "Jurgita", "Simona", "Agnė"),
        ("Kazlauskienė", "Petrauskaitė", "Jankauskienė", "Žukauskaitė", "Butkienė", "Paulauskienė",
         "Vasiliauskaitė", "Stankevičienė"),
    ),
    "lv": (
        ("Jānis", "Andris", "Mārtiņš", "Kārlis", "Edgars", "Raivis", "Roberts", "Artūrs"),
        ("Bērziņš", "Kalniņš", "Ozoliņš", "Liepiņš", "Krūmiņš", "Balodis", "Zariņš", "Vītols"),
        ("Ilze", "Līga", "Inese", "Kristīne", "Dace", "Agnese", "Elīna", "Zane"),
        ("Bērziņa", "Kalniņa", "Ozoliņa", "Liepiņa", "Krūmiņa", "Balode", "Zariņa", "Vītola"),
    ),
    "ru": (
        ("Dmitrijs", "Aleksandrs", "Sergejs", "Igors"),
        ("Ivanovs", "Petrovs", "Smirnovs", "Kuzņecovs"),
        ("Olga", "Jeļena", "Natālija", "Tatjana"),
        ("Ivanova", "Petrova", "Smirnova", "Kuzņecova"),
    ),
}

#: Home regions (indexes into REGIONS) of auditor1 … auditor8 and their locale. Every region
#: is home to at least two auditors and the home areas overlap in a ring, so auditor and
#: branch effects can be told apart.
AUDITORS = (
    ((0, 1), "lt"), ((1, 3), "lt"), ((2, 4), "lv"), ((3, 0), "lt"),
    ((4, 5), "lv"), ((5, 2), "ru"), ((0, 2), "ru"), ((5, 1), "lv"),
)

#: Scenarios per checklist id: (scenario, is a return or complaint). Visits walk through the
#: list from a random start, so every branch gets its share of complaints. A scenario is text
#: typed when a visit is scheduled (``Assignment.scenario``, copied to ``Visit.scenario``), shown
#: as typed in every language and matched exactly by the dashboard's scenario filter: one
#: language, as head office would write them, not one per interface language.
SCENARIOS = {
    "store-visit": (
        ("Buy a gift for a teenager", False),
        ("Ask for advice on a laptop for studies", False),
        ("Return an item", True),
        ("Compare two TVs", False),
        ("Buy headphones and ask about the warranty", False),
        ("Complain about a faulty product", True),
    ),
    "phone-enquiry": (
        ("Ask whether a washing machine is in stock", False),
        ("Ask about delivery and installation times", False),
        ("Ask how to return a faulty kettle", True),
        ("Ask for advice on a robot vacuum", False),
    ),
    "email-enquiry": (
        ("Ask for a price offer on a fridge", False),
        ("Ask about the status of an online order", False),
        ("Complain about a late delivery", True),
        ("Ask which laptop suits photo editing", False),
    ),
}
DEFAULT_SCENARIOS = (("Ask about a product", False), ("Complain about a faulty product", True))

#: Short comments on failed items, by principle tag.
FAIL_COMMENTS = {
    "premises": ("Fingerprints on the glass door and flyers on the floor.",
                 "Two price tags missing in the TV aisle.", "Boxes left in the aisle near the laptops."),
    "greeting": ("Nobody looked up from the counter for a while.", "Staff were chatting with each other."),
    "courtesy": ("Answered in a curt, irritated tone.", "Turned away while I was still talking."),
    "needs": ("Did not ask what I needed it for.", "Interrupted me and pushed the promoted model."),
    "personalization": ("Recommended the same model as to the previous customer.",),
    "knowledge": ("Could not say the battery life; guessed.", "Mixed up the two models' specifications."),
    "advice": ("Just pointed at the shelf.", "Recommended the most expensive option without reasons."),
    "upsell": ("Pushed an extended warranty three times.",),
    "speed": ("Waited a long time; only one person at the counter.", "Long queue at the till, no second till opened."),
    "payment": ("Card terminal did not work, had to pay cash.", "Had to ask twice for the receipt."),
    "accuracy": ("Charged 10 EUR more than the shelf price; corrected after I asked.",
                 "Receipt price differed from the price tag."),
    "problem_resolution": ("Refused the return without a clear reason.", "Only offered to send it for repair, weeks."),
    "empowerment": ("Had to call the manager for a simple exchange.",),
    "farewell": ("No goodbye; went straight to the next customer.",),
    "follow_up": ("Nothing said about warranty or service.",),
    "channel_access": ("Line was busy twice before anyone answered.",),
}
GENERIC_FAIL_COMMENT = ("Not as the standard requires.", "Noticeably below what I expected.")

#: Free-text answers by channel and section id: (when something went wrong, when all went well).
#: An in-store greeting text gets the visit's staff description instead.
TEXT_COMMENTS = {
    ("in_person", "advice"): (
        ("Said all laptops are about the same and walked off.", "Recommended a model far above my budget."),
        ("Explained the differences clearly.", "Helpful comparison of the two models."),
    ),
    ("phone", "greeting"): (
        ("Did not give a name.", "Mumbled a name I could not catch."),
        ("Introduced herself as Ilze.", "Said 'Volta, Tomas speaking'."),
    ),
}
GENERIC_TEXT_COMMENTS = (
    ("Service was slow and a bit indifferent.", "Overall below what I expect from the chain."),
    ("Pleasant visit overall.", "Nothing to add; everything was fine."),
)
STAFF_DESCRIPTIONS = (
    "Young man with glasses, blue Volta shirt, no badge.", "Woman in her 40s, badge 'Rasa'.",
    "Tall man, about 30, beard, badge 'Tomas'.", "Young woman with a ponytail, badge 'Līga'.",
    "Older man at the service desk, badge 'Andris'.", "Student-age cashier, badge 'Eglė'.",
)
