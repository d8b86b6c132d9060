"""People's names in free text: what :mod:`jmtools.analyses.privacy` masks as ``[name]``
(docs/decisions.md D157, D171, D212, D220).

A name is found where words introduce one: "my/his/her name is …" (any case); a title
("Mr", "Mrs", "Ms", "Dr", "Herr", "Frau", "Mme", "M.", "Mevrouw", "Meneer", "Dhr." …); "spoke
to/talked with/sprach mit/parlé à/sprak met", "ask for", "named"; a staff role ("engineer Sean
Murphy", "Techniker Klaus Becker", "conseillère Marie Dubois", "medewerker Jan de Vries"); a
sign-off ("Regards, Jane", "Cheers - Tom", "Viele Grüße, Klaus", "Met vriendelijke groet, Piet")
or a signature ending the text ("… - Tom", a last line "Jane"). After these a Capitalised word is a
name, and so is a lower-case one that is a given name (:data:`~jmtools.analyses._given_names.GIVEN_NAMES`:
"the engineer sean murphy", "spoke to sarah"); after "Mr"/"Mrs" any word but an everyday one.
A second name joined by "and/und/et/en/&" is a name too ("engineers Sean Murphy and Klaus Becker").
After a relation with a possessive ("my mother Sarah Kowalski", "meine Mutter Anna") or a patient,
client or customer ("Patient James Okonkwo"), and a known given name with a Capitalised surname
wherever it stands ("… 0113 496 0233. Fatima O'Brien"), but not a place named after a person
("St James Hospital", "Charlotte Douglas Airport") nor in Title Case Text (D212).
A surname after a capitalised "Patient"/"Client" ("Patient Okonkwo"; not "Patient Safety"), before a
person's verb ("Okonkwo called me"), again where a name found stands ("… Okonkwo's letter"), and two
or three Capitalised words signing the text after a phone or on a last line ("… 0233 Wanjiru Kamau");
a verb after a relation is none ("my daughter Loves it") (D220).
Two or three Capitalised words just before a phone or an address ("Wanjiru Kamau, 12 Elm Road"),
two before a person's verb ("Wanjiru Kamau called me"; not a firm: "Acme Repairs called me"), a
listed given name and a surname in Title Case Text, and a surname the data set names in full
elsewhere (``names``, :func:`jmtools.analyses.privacy.known_names`) (D227).
Everyday words, weekdays, months, brands people talk to ("Alexa", "United") are never names.
"""

from __future__ import annotations

import re

from jmtools.analyses._given_names import EVERYDAY_GIVEN, GIVEN_NAMES

__all__ = ["name_spans", "PLAIN_WORDS"]

_I = re.IGNORECASE
# Introductions after which the next word is a name whatever its case
_NAME_STRONG = re.compile(
    r"\b(?:(?:my|his|her|their|your|the\s+\w+'s|\w+'s)\s+(?:first\s+|last\s+|full\s+|sur)?name"
    r"(?:\s+is|\s+was|'s|:)|(?:i\s+am|i'm)\s+called|my\s+name's)\s+", _I)
# "Mr"/"Mrs" in any case: any word but an everyday one after them is a name ("mr smith")
_TITLE_LOOSE = re.compile(r"\b[Mm]rs?\b\.?[ \t]+")
# Titles, then introductions, after which a Capitalised word or a given name is a name
_TITLES = (r"\b(?:Ms|Miss|Mx|Dr|Sir|Madam|Prof|Sister|Matron)\b\.?|(?<![\w.])(?:M|Mw|Mej)\.|"
           r"\b(?i:herrn?|frau|monsieur|madame|mme|mlle|mevrouw|mevr|meneer|dhr|de\s+heer)\b\.?")
_TITLE = re.compile(r"(?:" + _TITLES + r")[ \t]+")
_NAME_WEAK = re.compile(
    r"\b(?:(?i:spoke|speaking|spoken|talked|talking|speak|talk|chatted|chatting)\s+(?i:to|with)"
    r"|(?i:sprach|sprechen|gesprochen)\s+(?i:mit)"
    r"|(?i:parlé|parler|parlais|parlait)\s+(?i:à|avec)|(?i:sprak|spreken|gesproken)\s+(?i:met)"
    r"|(?i:ask(?:ed)?\s+for|named|namens|nommée?)"
    r"|(?i:handled|dealt\s+with|assisted|attended|processed|escalated|closed|signed)\s+(?i:by))\s+|\b(?i:(?:full\s+|first\s+|last\s+|sur)?name)[ \t]*:[ \t]*")
#: Words for staff whose name may follow: "engineer Sean Murphy", "Techniker Klaus Becker",
#: "conseillère Marie Dubois", "an agent called Sarah" (English, German, French, Dutch).
_ROLES = (r"engineers?|technicians?|techs?|agents?|advis[eo]rs?|reps?|representatives?|drivers?|couriers?|"
          r"nurses?|doctors?|managers?|operators?|supervisors?|consultants?|installers?|fitters?|"
          r"(?:service)?techniker(?:in)?|monteur(?:in|e|s)?|(?:kunden)?berater(?:in)?|mitarbeiter(?:in)?|"
          r"sachbearbeiter(?:in)?|fahrer(?:in)?|technicien(?:ne)?s?|conseill(?:er|ère)s?|livreurs?|livreuses?|"
          r"installateurs?|interlocut(?:eur|rice)s?|medewerkers?|adviseurs?|bezorgers?|"
          r"receptionists?|midwi(?:fe|ves)|porters?|surgeons?|physio(?:therapist)?s?|therapists?|pharmacists?|"
          r"paramedics?|radiographers?|sonographers?|registrars?|clinicians?|matrons?|secretar(?:y|ies)")
#: What a role or person word starts with, to skip texts without one before the search.
_ROLE_STEMS = ("engineer", "tech", "agent", "advis", "rep", "driver", "courier", "nurse", "doctor",
               "manager", "operator", "supervisor", "consultant", "install", "fitter", "monteur",
               "berater", "mitarbeiter", "fahrer", "conseill", "livr", "interlocut", "medewerker", "adviseur",
               "bezorger", "called", "named", "namens", "nomm", "appel", "reception", "midwi", "porter",
               "surgeon", "physio", "therapist", "pharmacist", "paramedic", "graph", "registrar", "clinician",
               "matron", "secretar")
_PEOPLE = r"someone|somebody|guy|man|woman|lady|gentleman|girl|person|bloke|chap|jemand|quelqu'un"
# A name (one or two words) after a role, or after "called"/"named" behind a role or person
# word; "I called British Gas" is no introduction
_NAME_ROLE = re.compile(r"\b(?:(?i:" + _ROLES + r")(?:\s+(?i:called|named|namens|nommée?|appelée?))?"
                        r"|(?i:" + _PEOPLE + r")\s+(?i:called|named|namens|nommée?|appelée?))[ \t]+")
#: The people a customer writes about or for ("my mother Sarah Kowalski", "our son Tom", "meine
#: Mutter Anna", "ma fille Léa"): a name after them when a possessive leads them (D212).
_RELATIONS = (r"mother|mum|mom|mam|mummy|mommy|father|dad|daddy|parents?|sons?|daughters?|wife|husband|"
              r"partner|spouse|fianc[eé]e?|boyfriend|girlfriend|brothers?|sisters?|siblings?|"
              r"grand(?:mother|father|ma|pa|mum|dad|sons?|daughters?|child|children)|gran|granny|nan|nanna|nana|"
              r"aunt|auntie|aunty|uncle|niece|nephew|cousin|child|children|kids?|baby|twins?|"
              r"step(?:mother|father|mum|dad|sons?|daughters?)|carers?|friend|neighbou?r|relatives?|colleagues?|"
              r"mutter|vater|sohn|tochter|frau|mann|ehemann|ehefrau|bruder|schwester|oma|opa|"
              r"m[èe]re|p[èe]re|fils|fille|femme|mari|fr[èe]re|s(?:œ|oe)ur|moeder|vader|zoon|dochter|vrouw|broer|zus")
_AGE = r"\d{1,3}[ -]?(?:year|yr)s?[ -]?old"
_RELATION = re.compile(
    r"\b(?i:my|his|her|our|their|your|mein(?:e[mnrs]?)?|ma|mon|mes|mijn|onze|ons)"
    r"(?:[ \t]+(?i:late|elderly|disabled|little|young|younger|older|elder|eldest|youngest|new|dear|poor|"
    r"beloved|" + _AGE + r"))*[ \t]+(?i:" + _RELATIONS + r")(?i:-in-law)?(?:[ \t]*,)?[ \t]+")
# Whom a text is about without a possessive: "Patient James Okonkwo", "the patient Okonkwo",
# "client Anna Berg". Capitalised ("Patient ..."), the role may lead a heading ("Patient
# Transport", "Customer Care"): then only a given name follows as a name.
_CLIENT = re.compile(r"\b(?i:(p)atient|(c)lient|(c)ustomer|(c)olleague|(r)esident|(s)ervice[ \t]+user)"
                     r"(?:[ \t]*[,:])?[ \t]+")
#: Words before a given name that make it a place's ("St James", "Queen Elizabeth", "Lake Louise").
_PLACE_BEFORE = frozenset("st saint san santa fort port mount mt lake cape king queen prince princess royal "
                          "lady lord".split())
#: Words that make a full name a place's or a thing's ("John Radcliffe Hospital", "Charlotte Douglas
#: Airport", "Victoria Station", "Austin Texas").
_PLACE_AFTER = frozenset("""
hospital hospitals infirmary clinic centre center unit ward wing building house hall airport station
terminal line street road avenue lane park square bridge court college university school library stadium
arena theatre theater museum church cathedral international hotel gardens trust foundation institute
memorial medical surgery practice pharmacy lounge club hills beach bay island county city valley river
field mall plaza tower airways airlines show intl fl
texas florida california arizona colorado nevada utah oregon ohio illinois michigan massachusetts tennessee
kentucky louisiana alabama oklahoma kansas iowa minnesota wisconsin missouri
""".split())
_CANDIDATE = re.compile(r"(?<![\w'’.-])([A-ZÀ-ÖØ-Þ][^\W\d_'’-]*)[ \t]+(?=[^\W\d_])")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\.?[ \t]+\Z")
# Sign-offs: a name after them is a name when it ends its clause ("Regards, Maria Rossi",
# "Thanks, Jonas."), or, without a comma, ends the line ("Kind regards Maria Rossi");
# "Regards to the team" and "Thanks, Acme Pay works great" stay. A Capitalised sign-off inside a
# line signs only behind a comma, colon or dash and when the name ends the text ("great product
# Regards, Wanjiru Kamau"; not "at Best Buy"; D220).
_SIGN_OFF = re.compile(
    r"(?:^|\n|[.!?]\s+|,\s+|\s-+\s+|(?P<inline>[ \t]+(?=[A-Z])))(?i:(?:(?:kind|best|warm|warmest|many|with)\s+)?regards|"
    r"(?:many\s+)?thanks|thank\s+you|cheers|(?:yours\s+)?(?:sincerely|truly|faithfully)|"
    r"best(?:\s+wishes)?|all\s+the\s+best|signed|greetings|"
    r"(?:(?:mit\s+)?(?:freundlichen|freundliche|viele|liebe|beste|herzliche|schöne)\s+)?(?:grüßen?|grüssen?)|"
    r"gruß|gruss|mfg|lg|vg|danke|vielen\s+dank|(?:bien\s+)?cordialement|salutations|merci|"
    r"(?:met\s+)?vriendelijke\s+groet(?:en)?|groet(?:en|jes)?|mvg|bedankt)"
    r"(?P<sep>\s*[,:]\s*|\s*\n\s*|\s+-+\s+)?(?(sep)|[ \t]+)")
# A signature that ends the text: "… works now - Tom", a last line "Jane" (a given name leads it)
_SIGNATURE = re.compile(r"(?:[ \t]+[-–—~]+|(?P<line>\n)[ \t]*[-–—~]*|(?<=[^\W_]{3}[.!?])(?P<sentence>[ \t]+)"
                        r"|(?:(?<=\d{3}[ -]\d{4})|(?<=\d{7}))(?P<number>[ \t]*[,;]?[ \t]+))[ \t]*(?=[^\n]{1,40}\Z)")
_AND = re.compile(r"[ \t]*(?:and|und|et|en|&)[ \t]+", _I)
_CLAUSE_END = re.compile(r"[ \t]*(?:[.!?,;:()\n]|\Z)")
_LINE_END = re.compile(r"[ \t]*[.!]?[ \t]*(?:\n|\Z)")
_TEXT_END = re.compile(r"[ \t]*[.!]?\s*\Z")
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-])*")
_CAPWORD = re.compile(r"A(?:a*['’]?A)?(?=[a'’-]*a)[a'’-]+(?:-Aa+)?")
_NOT_A_NAME_END = re.compile(r"(?:tion|sion|ment|ness|ship)$")
_PARTICLES = r"van|von|de|der|den|du|da|di|del|della|le|la|ter|ten|zu|dos"
# A surname's particle before the Capitalised word after it: "Jan [de Vries]", "Mevrouw [de Vries]"
_PARTICLE_LEAD = re.compile(r"(?i:" + _PARTICLES + r")(?:[ \t]+(?i:der|den|la))?[ \t]+")
_PARTICLE = re.compile(r"[ \t]+" + _PARTICLE_LEAD.pattern)
#: Capitalised words that follow an introduction but are not names.
_NOT_NAMES = frozenset("""
a an the and or but if of on in at to for from by with about as is was were be been am are
i me my you your he him his she her they them their we us our it its this that these those
customer service support team manager agent staff desk gate phone chat email online store
corp corporate supervisor reservations someone somebody nobody anyone everyone nothing very
really so too just not no yes ok okay
sorry please thanks thank hello hi dear today yesterday tomorrow now then there here
mr mrs ms miss mx dr sir madam prof
monday tuesday wednesday thursday friday saturday sunday
""".split())
#: Also never a name: titles, words for people, assistants and brands people talk to or thank
#: (``keep`` adds the user's own), the words of a journey's stages and touchpoints.
_NOT_NAMES_MORE = frozenset("""
herr herrn frau monsieur madame mme mlle mevrouw mevr meneer dhr mw mej
man woman lady guy guys girl boy gentleman mate dude buddy folks everybody all mama mom mum dad papa
captain cap'n crew pilot
alexa siri cortana bixby google echo amazon apple microsoft samsung netflix spotify
united delta american southwest jetblue virgin alaska spirit frontier lufthansa ryanair easyjet klm
ups fedex dhl usps dpd hermes
""".split()) | frozenset("""
ad app assessment awareness browse buying call cart checkout comparison confirmation consideration
contact contract decision delivery desk discovery document draft e-mail e-signature engine form guide
home influencer inquiry kickoff link list meeting milestone needs newsletter offer onboarding online
order page paper portal post post-purchase pre-purchase product progress project promotions proposal
push qualification reminder repeat report request restock result returns review reviews sales search
shop shopping signing support tracking webinar website weekly wish purchase renewal billing invoice
installation activation booking check-in boarding baggage lounge hotline helpdesk service store
basket payment account login signup registration loyalty advocacy retention cancellation complaint
complaints feedback survey marketing claims claim refund refunds shipping dispatch trial demo setup
repair maintenance visit appointment chat sms upgrade legal initial social first
care relations experience transport advice liaison records satisfaction success journey services
kasse lieferung versand rechnung bestellung rücksendung kundendienst kundenservice beratung anmeldung
zahlung termin zähler livraison commande facture paiement retour compteur bezorging bestelling
factuur betaling klantenservice levering meter
""".split())   # the stages and touchpoints of a journey ("spoke to Anna and Support", "Techniker Termin")
#: Weekdays and months (English, German, French, Dutch): never a name after a role, introduction
#: or sign-off (after a title they may be one: "Mrs May").
_CALENDAR = frozenset("""
feb mar apr jun jul aug sep sept oct nov dec january february march april may june july august
september october november december januar februar märz mai juni juli oktober dezember janvier
février mars avril juin juillet août septembre octobre novembre décembre januari februari maart mei
augustus montag dienstag mittwoch donnerstag freitag samstag sonntag lundi mardi mercredi jeudi
vendredi samedi dimanche maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
mon tue tues wed weds thu thur thurs fri
""".split())
#: Words that follow "name is" but say something about the name (it is "misspelled").
_NOT_NAME_WORDS = frozenset("""
wrong right correct incorrect misspelled spelled spelt missing different same unknown blank
awesome great fine ok okay nice lovely terrible awful not no on in there here also still now
""".split())
#: Everyday words a role may be followed by, capitalised ("the engineer Never came", "Techniker
#: Kam nie", "le technicien Est venu"): never a name after a role (nor are :data:`_NOT_NAMES`).
_COMMON_WORDS = frozenset("""
never didn't did not was wasn't were is isn't has hasn't had hadn't came come comes arrived showed
turned left told said says refused cancelled canceled rebooked finally eventually only always
again still who which that what there then today yesterday tomorrow came will would could should
can can't couldn't won't wouldn't also just even all both every visit visited fixed installed
again later first last next out here too instead apparently simply since until till because while
after before during please thanks sorry
once twice gave got took made put sent kept let hung rang brought bought knew went sat stood spoke
kam war ist hat hatte konnte wollte sagte meinte erschien nie nicht noch schon auch der die das
den dem ein eine einen und oder aber hier heute gestern morgen dann leider einfach wieder vor
est était a avait n'est n'a jamais pas ne est venu venue le la les un une et ou mais ici puis
aujourd'hui hier demain encore
je j'ai tu il elle nous vous ils elles on ich du er sie es wir ihr ik jij hij zij wij het de een en
""".split())
_STOP_AFTER_NAME = frozenset("and or but if of on in at to for from by with about as is was were "
                             "be been am are i he she they we it who which that the a an "
                             "not so very".split())
#: Words that are never part of a name or a street's name (:func:`jmtools.analyses.privacy` reads it).
PLAIN_WORDS = _STOP_AFTER_NAME | _NOT_NAMES
_NOT_AFTER_INTRO = _NOT_NAMES | _CALENDAR
_NOT_AFTER_ROLE = _NOT_AFTER_INTRO | _COMMON_WORDS
#: Words after a capitalised "Patient"/"Client" that make a service's or a thing's name, not a
#: person's ("Patient Safety", "Patient Notes", "Client Portal"; D220). Words ending in -ing, -ed,
#: -ity/-ety, -ogy, -ics ("Patient Parking", "Patient Led", "Patient Psychology") are never a surname there.
_SERVICE_NOUNS = frozenset("""
safety access choice info leaflet leaflets notes pathway pathways panel forum group groups voice voices
rights charter hub line centred centered focused flow list lists letter letters partners representative
representatives council advocate advocates navigator zone day days area areas entrance toilets lift lifts
meals food menu dining wifi travel transfer transfers escort escorts admin outcomes outcome knows portal
power story stories zero ombudsman pharmacy reception admissions outpatients inpatients switchboard
appointments nobody employee employees attendant attendants steward stewardess cashier clerk officer guard
worker
""".split()) | _PLACE_AFTER | _NOT_AFTER_ROLE | _NOT_NAMES_MORE
_LAST_WORD = re.compile(r"(?<![\w@#'’.-])[^\W\d_]+(?:['’-][^\W\d_]+)*\Z")
_DETERMINERS = frozenset("the a an my our your their his her this that its at in from to via".split())
#: Words of a review's or a letter's last line that no signature holds ("Five Stars", "Works Great").
_NOT_SIGNATURE = frozenset("""
one two three four five six seven eight nine ten stars star works work great good nice best better worst
bad poor love excellent perfect awesome amazing fantastic brilliant wonderful terrible horrible awful happy
unhappy satisfied worth buy item quality value money easy simple fast slow cheap expensive definitely
highly totally never again kind regards wishes sincerely faithfully truly
""".split()) | _PLACE_AFTER
_NOT_SIGNATURE_END = re.compile(r"(?:ed|ing|ally|ely|tly|ously|[ai]bly)$")
_SERVICE_END = re.compile(r"(?:ing|ed|[ie]ty|ogy|ics)$")
#: Words after a Capitalised word behind a relation that make it a verb or an adverb, not a name
#: ("my daughter Loves it", "my son Uses the", "my kids Love it"; not "my daughter Amelia loves it").
_OBJECTS = frozenset("it me us them him this these those".split())
_AFTER_VERB = frozenset("the a an my our his their your to how every with for on at all".split())
_VERB_END = re.compile(r"(?:ing|ally|ely|tly|ously|[ai]bly|edly)$")
#: A person's verb after a Capitalised word makes it a surname alone ("Okonkwo called me").
#: Words that make two Capitalised words a firm's or a service's name, not a person's ("Acme Repairs
#: called me", "British Gas on 0800 …", "Call Centre, 12 High Street"; D227).
_COMPANY = frozenset("""
ltd limited plc inc llc co company companies group repairs repair services solutions gas energy electric
electricity water power media mobile telecom telecoms broadband bank banking insurance motors garage plumbing
heating homes housing council office offices helpline line desk team dept department shop shops store stores
direct online express logistics couriers parcels airways airlines rail trains buses taxis cabs travel
rental rentals hire cars car auto autos motor glass windows doors kitchens builders building agency agents
""".split())
_PERSON_VERB = re.compile(r"[ \t]+(?:called|rang|phoned|e-?mailed|texted|told|promised|reassured|examined|"
                          r"apologi[sz]ed\s+to|shouted\s+at|was\s+rude\s+to)[ \t]+(?:me|us)\b")


# Two or three words that end just before a phone or an address, behind a comma, a dash, a bracket,
# "on"/"at" or a word saying phone: "Wanjiru Kamau, 12 Elm Road", "Wanjiru Kamau on 07700 900123"
_CONTACT_NAME = re.compile(r"(?<![\w'’.@#/-])((?:[A-ZÀ-ÖØ-Þ][\w'’-]*[ \t]+){1,2}[A-ZÀ-ÖØ-Þ][\w'’-]*)[ \t]*(?:[,(–—-]|[ \t](?:on|at))?"
                           r"[ \t]*(?:(?i:tel|phone|mobile|mob|call)\.?:?[ \t]*)?\Z")


def _capitalised(word: str) -> bool:
    """True for "Sean", "McLarren", "O'Neill", "Jean-Luc", "Müller", "Émilie"; not "sean", "NASA"."""
    shape = "".join("A" if c.isupper() else "a" if c.islower() else c for c in word)
    return bool(_CAPWORD.fullmatch(shape))


def _name_after(text: str, at: int, mode: str = "weak", keep=frozenset(), *, most: int = 3,
                not_names=_NOT_AFTER_INTRO) -> tuple[int, int] | None:
    """The name that starts at ``at`` (one to ``most`` words), or None. ``mode``: "strong" (any
    word, after "my name is"), "loose" (any word but an everyday one, after "Mr"), "weak" (a
    Capitalised word or a given name), "given" (a given name only: after a role in Title Case Text)."""
    words = []
    for m in _WORD.finditer(text, at):
        gap = text[words[-1][1]:m.start()] if words else text[at:m.start()]
        initial = len(m.group()) == 1 and m.group().isupper()   # "Mitchell M Neuer", "John F. Kennedy"
        if (words and gap not in (" ", "-") and not (gap == ". " and words[-1][1] - words[-1][0] == 1)) or (
                not words and gap.strip()):
            break
        w, low = m.group(), m.group().lower()
        capital = _capitalised(w) or (initial and bool(words))
        if re.split(r"['’]", low)[0] in _STOP_AFTER_NAME or low in keep or (   # "we've", "it's"
                (low in not_names or low in _NOT_NAMES_MORE) and not (mode == "strong" and not words)):
            break
        if mode != "strong" and _NOT_A_NAME_END.search(low):   # "Qualification", "Management"
            break
        if not words and not (low in GIVEN_NAMES or mode in ("strong", "loose") or (capital and mode == "weak")):
            break
        if not capital and (low in _NOT_NAME_WORDS or re.search(r"(?:ed|ing|ly)$", w)):
            break
        if words and not capital and (low in _COMMON_WORDS or not (len(words) == 1 and not words[0][2] and (
                mode == "strong" or text[words[0][0]:words[0][1]].lower() in GIVEN_NAMES))):
            break   # a lower-case surname only after a lower-case given name ("sean murphy"; not "mr hayes takes")
        words.append((m.start(), m.end(), capital))
        if len(words) == most:
            break
    return (words[0][0], words[-1][1]) if words else None


def _particled(text: str, span, keep=frozenset()):
    """``span`` with the surname a particle starts after it ("Jan" → "Jan de Vries")."""
    if not span:
        return span
    p = _PARTICLE.match(text, span[1])
    w = p and _WORD.match(text, p.end())
    return (span[0], w.end()) if w and _capitalised(w.group()) and w.group().lower() not in keep else span


def _joined(text: str, span, keep, most: int) -> list[tuple[int, int]]:
    """``span`` and the names joined to it by "and/und/et/en/&" ("Sean Murphy and Klaus Becker")."""
    out = [span]
    while (m := _AND.match(text, out[-1][1])) and (
            nxt := _particled(text, _name_after(text, m.end(), "weak", keep, most=most,
                                                not_names=_NOT_AFTER_ROLE), keep)):
        out.append(nxt)
    return out


def _after_title(text: str, at: int, keep) -> tuple[int, int] | None:
    """The name after a title, a surname's particle leading it ("Mevrouw de Vries")."""
    p = _PARTICLE_LEAD.match(text, at)
    w = p and _WORD.match(text, p.end())
    if w and _capitalised(w.group()):
        return at, w.end()
    return _particled(text, _name_after(text, at, "weak", keep, not_names=_NOT_NAMES), keep)


def _full_names(text: str, keep) -> list[tuple[int, int]]:
    """A Capitalised given name and a Capitalised surname wherever they stand ("… on [phone].
    Fatima O'Brien", "Sarah Kowalski (NHS number …)"); not a place or a thing named after a person
    ("St James Hospital", "Queen Elizabeth", "Charlotte Douglas Airport")."""
    out = []
    for m in _CANDIDATE.finditer(text):
        first, everyday = m.group(1), m.group(1).lower() in EVERYDAY_GIVEN
        if not (first.lower() in GIVEN_NAMES or everyday) or not _capitalised(first):
            continue
        before = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start())
        if before and before.group(1).lower() in _PLACE_BEFORE:
            continue
        span = _particled(text, _name_after(text, m.end() if everyday else m.start(), "weak", keep, most=2 if everyday else 3,
                                            not_names=_NOT_AFTER_ROLE), keep)
        if not span or span[1] <= m.end(1) or (everyday and not _CLAUSE_END.match(text, span[1])):
            continue
        span = (m.start(), span[1])
        words = [w.group().lower() for w in _WORD.finditer(text, m.end(1), span[1])]
        after = _WORD.match(text, span[1] + 1) if text[span[1]:span[1] + 1] == " " else None
        if not ({*words, after and after.group().lower()} & _PLACE_AFTER):
            out.append(span)
    return out


def _verb_cut(text: str, span) -> tuple[int, int] | None:
    """``span`` (after a relation) without a last Capitalised word that is a verb or an adverb: not
    a given name, and an object ("it", "me") follows it, or the article, preposition or "to" a verb
    in -s/-ed takes ("my son Uses the app"), or it ends like a verb's form or an adverb ("Playing",
    "Absolutely"). None when nothing is left: "my daughter Loves it"; "Amelia Loves it" → "Amelia"."""
    words = list(_WORD.finditer(text, span[0], span[1]))
    low = words[-1].group().lower()
    if low in GIVEN_NAMES or low in EVERYDAY_GIVEN:
        return span
    nxt = _WORD.match(text, span[1] + 1) if text[span[1]:span[1] + 1] == " " else None
    after = nxt.group().lower() if nxt and not _capitalised(nxt.group()) else ""
    if after in _OBJECTS or (after in _AFTER_VERB and re.search(r"(?:s|ed)$", low)) or _VERB_END.search(low):
        return (span[0], words[-2].end()) if len(words) > 1 else None
    return span


def _service_user(text: str, at: int, keep) -> tuple[int, int] | None:
    """The name after a capitalised "Patient"/"Client"/"Service user" that is no given name
    ("Patient Okonkwo", "Patient Wanjiru Kamau"); not a service's name ("Patient Safety",
    "Patient Advice and Liaison Service", "Patient Transport")."""
    span = _particled(text, _name_after(text, at, "weak", keep, not_names=_SERVICE_NOUNS), keep)
    first = span and _WORD.match(text, span[0]).group().lower()
    return span if span and not _SERVICE_END.search(first) else None


def _signature_name(text: str, m, keep) -> tuple[int, int] | None:
    """The name that a signature (:data:`_SIGNATURE`) puts at the end of the text: a given name
    ("… - Tom", a last line "Jane Smith"), or, on a line of its own or after a number, two or three
    Capitalised words that are no everyday words, places or things ("… 0233. Wanjiru Kamau")."""
    first = _WORD.match(text, m.end())
    if not first or ((m.group("sentence") or m.group("number")) and not _capitalised(first.group())):
        return None   # a last sentence of a name alone: "… coverage. Anna Kowalska." (not "… bags? JAN")
    span = _name_after(text, m.end(), "weak", keep, most=1 + _capitalised(first.group()) + bool(m.group("number")),
                       not_names=_NOT_AFTER_ROLE)
    if not span or not _TEXT_END.match(text, span[1]):
        return None
    if first.group().lower() in GIVEN_NAMES and not m.group("number"):
        return span
    words = [w.lower() for w in _WORD.findall(text, span[0], span[1]) if _capitalised(w)]
    after_number = m.group("number") or (m.group("sentence") and text[m.start() - 2].isdigit())
    if not (m.group("line") or after_number) or len(words) < 2 or len(words) < len(text[span[0]:span[1]].split()):
        return None
    plain = [w in _NOT_SIGNATURE or (w not in GIVEN_NAMES and bool(_NOT_SIGNATURE_END.search(w))) for w in words]
    return None if words[0] in _PLACE_BEFORE or any(plain) else span


def _recurring(text: str, spans, keep, names=frozenset()) -> list[tuple[int, int]]:
    """Every other Capitalised occurrence of a word of a name found ("Mr [name] was rude. [name]
    called me"), and of a surname the data set names in full elsewhere (``names``, lower case:
    "Okonkwo was rude", D227); only words of three letters or more that are never everyday words."""
    words = {w for s, e in spans for w in _WORD.findall(text, s, e) if len(w) > 2 and _capitalised(w)}
    if names:
        words |= {w for w in (re.sub(r"['’]s$", "", w) for w in _WORD.findall(text)) if w.lower() in names and _capitalised(w)}
    words = {w for w in words if len(w) > 2 and _plain_word(w.lower(), keep)}
    out = []
    for w in words:
        for m in re.finditer(r"(?<![\w@#'’.-])" + re.escape(w) + r"(?![\w-])", text):
            if all(m.end() <= s or m.start() >= e for s, e in spans + out):
                out.append(m.span())
    return out


def _plain_word(low: str, keep) -> bool:
    """True when a lower-case word may be a surname met again: no service, review or kept word."""
    return low not in _SERVICE_NOUNS and low not in _NOT_SIGNATURE and low not in keep


def _surname_alone(text: str, keep) -> list[tuple[int, int]]:
    """A Capitalised word that a person's verb follows ("Okonkwo called me", "Patel rang us"),
    not an everyday word, a service's, a brand's or a place's name."""
    out = []
    for m in _PERSON_VERB.finditer(text):
        w = _LAST_WORD.search(text, max(0, m.start() - 40), m.start())
        before = w and _WORD_BEFORE.search(text, max(0, w.start() - 12), w.start())
        low = w and w.group().lower()
        if not (w and _capitalised(w.group()) and low not in _SERVICE_NOUNS and low not in keep and not (
                _SERVICE_END.search(low) or low in GIVEN_NAMES or (before and before.group(1).lower() in _DETERMINERS))):
            continue
        pair = before and text[before.end(1):w.start()] == " " and _capitalised(before.group(1)) and not (
            re.match(r"[\w'’.#@/-]", text[before.start(1) - 1:before.start(1)]))   # a word, not a tag's or a link's end
        if pair and _plain_name([before.group(1), w.group()], keep):
            out.append((before.start(1), w.end()))   # "Wanjiru Kamau called me" (D227)
        elif not (pair and (low in _COMPANY or not _no_name_word(before.group(1).lower()))):
            out.append(w.span())   # "Review Okonkwo called me"; not a firm: "Acme Repairs called me"
    return out


def _before_contact(text: str, starts, keep) -> list[tuple[int, int]]:
    """Two or three Capitalised words just before a phone or an address (``starts``: where those
    begin), behind a comma, a dash, a bracket or "on"/"at" ("Wanjiru Kamau, [address]", "ring
    Wanjiru Kamau on [phone]"); not a firm, a service, a place or everyday words ("British Gas on
    …", "Call Centre on …"), nor the end of a longer run of capitals (D227)."""
    out = []
    for start in starts:
        m = _CONTACT_NAME.search(text, max(0, start - 80), start)
        words = list(_WORD.finditer(text, m.start(1), m.end(1))) if m else []
        while len(words) > 3 or (len(words) == 3 and not _capitalised(words[0].group())):
            words = words[1:]   # "ASAP Wanjiru Kamau, …", "…/CFzdJmn0uI Wanjiru Kamau, …"
        before = words and _LAST_WORD.search(text, max(0, words[0].start() - 30), words[0].start() - 1)
        if before and text[before.end():words[0].start()] == " " and _capitalised(before.group()):
            continue   # "Call Acme Repairs on …": the name starts before these words
        if _plain_name([w.group() for w in words], keep):
            out.append((words[0].start(), words[-1].end()))
    return out


def _no_name_word(low: str) -> bool:
    """True when a lower-case word is never part of a person's name: a word of the lists, or a
    verb's or an adverb's form ("Flightled", "Absolutely")."""
    return low in _NOT_AFTER_ROLE or low in _SERVICE_NOUNS or bool(_NOT_SIGNATURE_END.search(low) or _NOT_A_NAME_END.search(low))


def _plain_name(words, keep) -> bool:
    """True when two or three words read as a person's full name: each Capitalised, none a word of
    the lists (everyday, service, place, firm, review words), the first no place's lead ("St")."""
    lows = [w.lower() for w in words]
    return 2 <= len(words) <= 3 and all(_capitalised(w) for w in words) and lows[0] not in _PLACE_BEFORE and not any(
        w in _SERVICE_NOUNS or w in _COMPANY or w in _NOT_SIGNATURE or w in _CALENDAR or w in _STOP_AFTER_NAME
        or w in keep or (w not in GIVEN_NAMES and (_NOT_SIGNATURE_END.search(w) or _NOT_A_NAME_END.search(w)))
        for w in lows)


#: How English nouns and adjectives end that no surname does ("Oscar Performance", "Grace Insurance").
_NOUN_END = re.compile(r"(?:[ae]nce|ion|ment|ness|ship|ity|ure|ism|ist|ful|less|[ai]ble|ive|ous|age|dom|hood|ics)$")


def _title_full_names(text: str, keep) -> list[tuple[int, int]]:
    """In Title Case Text, a full name whose given name is a listed one that is no everyday word,
    and whose surname is no word of the lists nor ends like a noun ("Complaint About Fatima O'Brien And
    The Ward"; not "- Oscar Performance", "Will Smith", "Charlotte Douglas Airport") (D227)."""
    out = []
    for m in _CANDIDATE.finditer(text):
        if m.group(1).lower() not in GIVEN_NAMES:
            continue
        before = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start())
        w = _WORD.match(text, m.end())
        after = _WORD.match(text, w.end() + 1) if w and text[w.end():w.end() + 1] == " " else None
        if (w and not (before and before.group(1).lower() in _PLACE_BEFORE) and _plain_name([m.group(1), w.group()], keep)
                and not _NOUN_END.search(w.group().lower()) and not (after and after.group().lower() in _PLACE_AFTER | _COMPANY)):
            out.append((m.start(), w.end()))
    return out


def name_spans(text: str, keep=frozenset(), *, names=frozenset(), contacts=()) -> list[tuple[int, int]]:
    """Where ``text`` names a person (see the module's text); ``keep``: lower-case words never a name;
    ``names``: lower-case surnames the data set names in full elsewhere, a name wherever they stand
    Capitalised; ``contacts``: where a phone or an address starts, the two or three Capitalised words
    just before it a name when they read as one.

    >>> t = "the engineer sean murphy and Klaus Becker came. Regards, Jane"
    >>> [t[s:e] for s, e in name_spans(t)]
    ['sean murphy', 'Klaus Becker', 'Jane']
    >>> t = "For my mother Wanjiru Kamau: call 0113 496 0233. Fatima O'Brien"
    >>> [t[s:e] for s, e in name_spans(t)]
    ['Wanjiru Kamau', "Fatima O'Brien"]
    >>> t = "Patient Okonkwo: my daughter Loves it. Okonkwo called me on 07700900123, Tendai Moyo"
    >>> [t[s:e] for s, e in sorted(name_spans(t))]
    ['Okonkwo', 'Okonkwo', 'Tendai Moyo']
    """
    found = []   # (span, most words of the names joined to it)
    for m in _NAME_STRONG.finditer(text):
        found.append((_particled(text, _name_after(text, m.end(), "strong", keep), keep), 3))
    for m in _TITLE_LOOSE.finditer(text):
        found.append((_name_after(text, m.end(), "loose", keep, most=2, not_names=_NOT_AFTER_ROLE), 2))
    for m in _TITLE.finditer(text):
        found.append((_after_title(text, m.end(), keep), 2))
    for m in _NAME_WEAK.finditer(text):
        found.append((_particled(text, _name_after(text, m.end(), "weak", keep), keep), 3))
    low = text.lower()
    roles = list(_NAME_ROLE.finditer(text)) if any(w in low for w in _ROLE_STEMS) else []
    title = _title_cased(text)   # in Title Case Text a capital says nothing
    mode = "given" if title else "weak"
    for m in roles:
        found.append((_particled(text, _name_after(text, m.end(), mode, keep, most=2,
                                                   not_names=_NOT_AFTER_ROLE), keep), 2))
    for m in _RELATION.finditer(text):
        span = _particled(text, _name_after(text, m.end(), mode, keep, not_names=_NOT_AFTER_ROLE), keep)
        found.append((span and _verb_cut(text, span), 3))   # not "my daughter Loves it"
    for m in _CLIENT.finditer(text):
        capital = any(g and g.isupper() for g in m.groups())
        span = _particled(text, _name_after(text, m.end(), "given" if capital or title else "weak", keep,
                                            not_names=_NOT_AFTER_ROLE), keep)
        if not span and capital and not title and (m.group(1) or m.group(2) or m.group(6)):
            span = _service_user(text, m.end(), keep)   # "Patient Okonkwo"; not "Patient Safety"
        found.append((span, 3))
    for m in _SIGN_OFF.finditer(text):
        span = _particled(text, _name_after(text, m.end(), "weak", keep), keep)
        if m.group("inline") and not (m.group("sep") or "").strip():
            continue   # "at Best Buy" is no sign-off
        end = _TEXT_END if m.group("inline") else _CLAUSE_END if m.group("sep") else _LINE_END
        if span and end.match(text, _joined(text, span, keep, 3)[-1][1]):
            found.append((span, 3))
    # "~tom" alone; neither "- oscar performance" nor, in Title Case Text, "- Oscar Performance"
    found += [(_signature_name(text, m, keep), 2) for m in (() if title else _SIGNATURE.finditer(text))]
    found += [(span, 2) for span in (_title_full_names(text, keep) if title else
                                     _full_names(text, keep) + _surname_alone(text, keep))]
    found += [(span, 1) for span in _before_contact(text, contacts, keep)]
    spans = list(dict.fromkeys(s for span, most in found if span for s in _joined(text, span, keep, most)))
    return spans + _recurring(text, spans, keep, names)


def _title_cased(text: str) -> bool:
    """True when words that are never names are capitalised inside sentences ("Engineer Did Not
    Turn Up"): there a capital after a role says nothing."""
    inner = re.findall(r"(?<=[A-Za-z,] )[A-Z][a-z']+", text)
    return sum(w.lower() in _STOP_AFTER_NAME or w.lower() in _COMMON_WORDS for w in inner) >= 2
