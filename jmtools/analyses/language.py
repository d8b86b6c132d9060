"""Which language a customer's text is written in, told offline by its function words.

VADER, the kit's text score, reads English words only: a German or French comment gets the
score of whatever English words it happens to spell ("Die App ist toll" reads "die") or 0.
:func:`detect_language` tells such texts apart cheaply, with no model and no download: it
counts each text's *function words* — articles, pronouns, prepositions, auxiliaries, the
words every sentence of a language is made of — in short lists written for this kit
(:data:`FUNCTION_WORDS`: English, German, French, Spanish, Italian, Dutch, Portuguese, Polish,
Swedish, Danish, Norwegian, Finnish, Czech, Turkish, Romanian, Hungarian), plus one point for
the letters a language writes and English does not (ä ö ü ß, é è ç, ñ, ã õ, å, æ ø), one for a
word ending no English word has (German "-ung", "-lich", "-keit"; Dutch "-heid", "-lijk"; two for two
different words: "Freundliche Beratung", D234), two for two different letters that no other language
of the list writes (Polish ł ś ż …, Czech ř ě …,
Turkish ğ ı ş, Romanian ă ș ț, Hungarian ő ű): "Apka działa świetnie, doładowanie w sekundę" has no function word.

A text is given a language other than English only when that language's count is at least
:data:`MIN_EVIDENCE` and higher than English's: "ok", "great app!", "no." and "Thanks, Jürgen
Müller!" have too little evidence and stay undecided (``""``), which the kit reads as it always
did. Words that are also common English words ("will", "also", "was", "so", "an", "con") are
in no foreign list, so an English text is not taken for German by its verbs.

The lists are lists of common words of each language, not taken from another project.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["LANGUAGES", "FUNCTION_WORDS", "MIN_EVIDENCE", "detect_language", "not_english",
           "languages_read", "language_note"]

#: Language codes (ISO 639-1) the kit tells apart, and their names in a report.
LANGUAGES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
             "nl": "Dutch", "pt": "Portuguese", "pl": "Polish", "sv": "Swedish", "da": "Danish",
             "no": "Norwegian", "fi": "Finnish", "cs": "Czech", "tr": "Turkish", "ro": "Romanian",
             "hu": "Hungarian"}

#: Function words per language (lower case). A foreign list leaves out words that are also
#: everyday English words, so that they cannot count against English.
FUNCTION_WORDS = {code: frozenset(words.split()) for code, words in {
    "en": """the and is are was were to of in on at for with my i it this that you we they he she
        me be been being have has had not no but or so very a an from by as do did does will would
        can could there their our your his her what which who when where why how all just after
        before again too only about up out if then than also any more most its am us them because
        into over i'm it's don't didn't can't won't isn't wasn't myself yourself itself these those
        should shall might must here some every each other such own same both few many much""",
    "de": """der die das den dem des ein eine einen einem einer eines und ist sind nicht ich du er sie
        es wir ihr mich mir dich dir uns euch sich ihm ihn mein meine meinen meinem meiner dein deine
        sein seine unser unsere euer ihre ihren mit für auf von zu zum zur vom beim nach bei seit
        bis über unter vor durch gegen ohne aber oder wenn dass weil wie wo auch noch nur schon sehr
        nichts kein keine keinen keiner immer jetzt hier dort dann doch mal ganz viel viele mehr gar
        waren wurde wurden habe haben hatte hatten kann können konnte muss musste müssen soll sollte
        wird werden wäre würde diese dieser dieses jeder jede alle alles nie niemand etwas warum
        wieder einfach leider bitte danke dank vielen gerne herzlichen""",
    "fr": """le la les un une des du de et est sont suis ai avons avez ont avec pas ne que qui quoi
        dans sur sous mais ou où au aux ce cette ces cet ma mes ta tes sa ses notre nos votre vos
        leur leurs je tu il elle nous vous ils elles très trop bien tout tous toute toutes été était
        étaient avait avoir être fait moins jamais rien depuis chez aussi déjà toujours comme c'est
        j'ai n'est qu'il j l qu y en lui eux cela ça sans merci""",
    "es": """el la los las un una unos unas y es está están estoy muy por para pero que qué de del al
        en lo le les se su sus mi mis tu él ella nosotros ustedes ellos fue tengo tiene nada nunca
        siempre también más este esta esto ese esa cuando donde porque todo todos muchas gracias""",
    "it": """il lo la gli le un uno una e è sono che di da del della dei delle nel nella ma molto mi ti
        ci si mio mia miei tuo suo sua questo questa quello anche ancora già sempre mai niente tutto
        tutti più perché quando hai abbiamo hanno stato stata essere avere sul sulla alla al grazie""",
    "nl": """de het een en zijn niet geen voor aan te dat die dit deze ik je jij hij zij wij ze mijn uw
        ons onze maar als ook nog wel erg zeer veel meer naar om bij uit heb hebt heeft hebben wordt
        werd worden kunnen moet moest niets nooit altijd hier daar waar wat wie zo bedankt""",
    "pt": """o uma e é são está estão estou muito por para pelo pela mas que de da dos das na nas ao se
        seu sua meu minha ele ela nós você vocês eles foi tem têm tenho nada nunca sempre também mais
        já sem não este esta isso isto esse essa quando onde porque todo tudo obrigado""",
    # D176: nine more languages of European customer feedback; no word that English writes too
    # ("to", "do", "na", "men", "den", "han", "her", "is", "ten", "var") and no one-letter word
    "pl": """się nie jest są był była było byli być będzie że ale jak tak mnie mój moja moje twój jego
        jej ich nas nam już jeszcze tylko bardzo bo czy dla przez przy pod nad bez tego tej tym który
        która które gdy kiedy gdzie dlaczego nic nigdy zawsze wszystko mam masz mamy może można trzeba
        jestem jesteś został została aby żeby ponieważ więc też także oraz albo lub dziękuję proszę
        sobie nawet teraz tutaj ciągle wciąż coś ktoś żadnej""",
    "sv": """och är inte jag hon vi som på för med till från eller när vad hur mycket ingen inget
        aldrig alltid också bara redan efter har hade ska skulle blir blev varit mig dig sig oss mitt
        ditt sitt vår deras detta dessa någon något inga tack""",
    "da": """og jeg ikke det til på med af som har havde kan skal vil ville være været blev bliver mig
        dig sig hun vi mit dit sit vores jeres deres denne dette disse ingen intet aldrig altid også
        kun allerede meget mere nogen noget hvad hvor hvorfor hvordan når eller efter fra hos uden tak""",
    "no": """og jeg ikke det til på med av som har hadde kan skal vil ville være vært ble blir meg deg
        seg oss hun vi mitt ditt sitt vår våre deres denne dette disse ingen aldri alltid også bare
        allerede veldig mye noen noe hva hvor hvorfor hvordan når eller etter fra hos uten takk""",
    "fi": """ja ei se että oli ovat olen olet olemme mutta tai kun jos niin kuin myös vain jo vielä
        aina koskaan mitään minä sinä hän minun sinun hänen meidän teidän heidän tämä tuo nämä mikä
        miksi miten missä kiitos erittäin todella paljon enää ole olisi pitää täytyy ilman kanssa""",
    "cs": """je jsem jsi jsou byl byla bylo být není se si že ale jak tak už ještě jen velmi moc proč
        kde kdy který která které ve za pro při bez mezi můj moje mám máte má nic nikdy vždy všechno
        děkuji prosím jsme jste bude budu mě mně tento tato toto""",
    "tr": """ve bir bu için ile ama çok daha değil yok ben sen biz siz onlar benim senin onun şu gibi
        kadar sonra önce hiç hep şey mı mü neden nasıl nerede zaman teşekkürler lütfen oldu olan
        olarak ediyor bile artık hala sadece""",
    "ro": """și să în nu este sunt cu pe din pentru dar sau că care mai foarte fost fi vor avea ea noi
        voi ei mea meu tău lui lor acest această asta aici acolo niciodată mereu totul nimic mulțumesc
        îmi""",
    "hu": """az és hogy nem volt vagy egy meg már még csak nagyon mert mint ez azt ezt én ő ti ők
        nekem neked velem vagyok vagyunk lesz lett kell lehet nincs semmi soha mindig minden miért hol
        mikor köszönöm kérem ami aki amit akkor után előtt nélkül szerint""",
}.items()}

#: Fewest points (function words, plus one for the language's own letters) a text needs before
#: it is said to be in a language other than English.
MIN_EVIDENCE = 2

_CODES = tuple(FUNCTION_WORDS)
_WORDS: dict = {}
for _i, _code in enumerate(_CODES):
    for _w in FUNCTION_WORDS[_code]:
        _WORDS.setdefault(_w, []).append(_i)
_WORDS = {w: tuple(ix) for w, ix in _WORDS.items()}
#: Letters a language writes and English does not: one point when the text holds any.
_LETTERS = {"de": re.compile("[äöüß]"), "fr": re.compile("[éèêàçùâîôœë]"), "es": re.compile("[ñ¿¡áíóú]"),
            "it": re.compile("[àèìòù]"), "pt": re.compile("[ãõçâêáéíóú]"), "pl": re.compile("[ąćęłńśźż]"),
            "sv": re.compile("[åäö]"), "da": re.compile("[æøå]"), "no": re.compile("[æøå]"),
            "fi": re.compile("[äö]"), "cs": re.compile("[ěščřžůý]"), "tr": re.compile("[ğışİ]"),
            "ro": re.compile("[ășțşţ]"), "hu": re.compile("[őű]")}
#: Word endings of a language's nouns and adjectives that no English word has ("Beratung",
#: "freundlich", "Möglichkeit", "Wahrheit", "Gesellschaft"; "gelegenheid", "vriendelijk"): one point when
#: the text holds one, two for two different words, so that a short text of content words ("Freundliche
#: Beratung am Telefon, danke an …", beside English "am", "an") is told (D234).
_ENDINGS = {"de": re.compile(r"\b(?:[^\W\d_]{4,}(?:ung|ungen)|[^\W\d_]{3,}(?:lich|liche|lichen|licher|liches|keit|heit"
                             r"|schaft))\b"),
            "nl": re.compile(r"\b[^\W\d_]{3,}(?:heid|lijk|lijke)\b")}
#: Languages whose letters above no other language of the list writes: two different ones count two.
_OWN_LETTERS = frozenset({"pl", "cs", "tr", "ro", "hu"})
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
#: A text's first this many characters are read (a language shows in its first lines).
_READ = 2000


@functools.lru_cache(maxsize=1 << 16)
def _language(text: str) -> str:
    """The language of one text: a code of :data:`LANGUAGES`, or "" when undecided."""
    low = text[:_READ].lower().replace("\u2019", "'")
    points = [0] * len(_CODES)
    for token in _TOKEN.findall(low):
        for i in _WORDS.get(token, ()) or (_WORDS.get(token.split("'")[0], ()) if "'" in token else ()):
            points[i] += 1
    for code, letters in _LETTERS.items():      # two letters no other language writes ("ł … ś") say it twice
        points[_CODES.index(code)] += min(len(set(letters.findall(low))), 2 if code in _OWN_LETTERS else 1)
    for code, endings in _ENDINGS.items():
        points[_CODES.index(code)] += min(len(set(endings.findall(low))), 2)
    best = max(range(1, len(_CODES)), key=points.__getitem__)
    if points[best] >= MIN_EVIDENCE and points[best] > points[0]:
        return _CODES[best]
    return "en" if points[0] >= MIN_EVIDENCE else ""


def detect_language(texts: Iterable) -> np.ndarray:
    """The language of each text, by its function words: a code of :data:`LANGUAGES` or "".

    Parameters
    ----------
    texts : iterable of str
        A list, array or Series; None, NaN and blank texts give "".

    Returns
    -------
    numpy.ndarray of str
        One code per text: a key of :data:`LANGUAGES` ("en", "de", "pl", …), or "" when the text has too
        few function words to tell (short English texts such as "ok" or "great app!"). Each
        distinct text is read once.

    Examples
    --------
    >>> detect_language(["Die App ist toll und einfach zu bedienen.", "Très satisfait, tout était simple.",
    ...                  "The app is great", "ok", "Thanks, Jürgen Müller, for the help!", None]).tolist()
    ['de', 'fr', 'en', '', 'en', '']
    """
    values = pd.Series(texts if isinstance(texts, pd.Series) else list(texts), dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    found = np.array([_language(u) if isinstance(u, str) else "" for u in uniques] + [""], dtype=object)
    return found[codes].astype(str)          # the sentinel −1 picks the last: ""


def not_english(texts: Iterable) -> np.ndarray:
    """True for each text written in a language other than English (:func:`detect_language`).

    Examples
    --------
    >>> not_english(["Sehr gut, ich bin zufrieden", "no.", "great app!", ""]).tolist()
    [True, False, False, False]
    """
    found = detect_language(texts)
    return (found != "en") & (found != "")


def languages_read(languages, ratings, scores, *, min_n: int = 30, min_r: float = 0.5) -> frozenset:
    """The languages other than English that a model fitted on ratings reads: at least ``min_n``
    rated texts of the language, whose held-out scores correlate with their ratings at ``min_r``
    or more.

    A model calibrated on the user's ratings (:func:`jmtools.analyses.calibration.calibrate_sentiment`)
    learns the words of every language it was fitted on, unlike the lexicon; its held-out scores
    say whether it learned a language well enough to score the unrated texts written in it.

    Parameters
    ----------
    languages : array-like of str
        The rated texts' codes (:func:`detect_language`).
    ratings, scores : array-like of float
        Their ratings' valence and the model's held-out scores, in the same order.
    min_n : int, default 30
    min_r : float, default 0.5

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.choice([-2.0, 2.0], 100)
    >>> sorted(languages_read(["de"] * 40 + ["fr"] * 40 + ["it"] * 20, y, y + rng.normal(0, 1, 100)))
    ['de', 'fr']
    >>> sorted(languages_read(["de"] * 100, y, rng.normal(0, 1, 100)))   # scores unrelated: not read
    []
    """
    frame = pd.DataFrame({"code": np.asarray(languages, dtype=object), "y": np.asarray(ratings, dtype=float),
                          "score": np.asarray(scores, dtype=float)}).dropna()
    frame = frame[(frame["code"] != "en") & (frame["code"] != "")]
    read = [code for code, g in frame.groupby("code") if len(g) >= min_n and g["y"].nunique() > 1
            and g["score"].nunique() > 1 and g["y"].corr(g["score"]) >= min_r]
    return frozenset(read)


def language_note(counts: Mapping[str, int], *, what: str = "feedback texts") -> str:
    """One sentence for a report: how many texts are not in English, by language, and what that
    means for their feeling score ("" when all are English or undecided).

    Parameters
    ----------
    counts : mapping of str to int
        Texts with words per code of :func:`detect_language` (English and undecided included:
        they make the whole).
    what : str, default "feedback texts"
        What the texts are, in the sentence.

    Examples
    --------
    >>> print(language_note({"en": 5, "de": 3, "fr": 1, "": 1}))
    4 of 10 feedback texts are not in English (German 3, French 1): the lexicon reads English only, so they carry no feeling score; their ratings, where given, still count.
    >>> language_note({"en": 2, "": 1})
    ''
    """
    other = {c: int(n) for c, n in counts.items() if c not in ("en", "") and n}
    if not other:
        return ""
    k, parts = sum(other.values()), ", ".join(f"{LANGUAGES.get(c, c)} {n:,}" for c, n in
                                               sorted(other.items(), key=lambda p: -p[1]))
    return (f"{k:,} of {sum(int(n) for n in counts.values()):,} {what} {'is' if k == 1 else 'are'} not in "
            f"English ({parts}): the lexicon reads English only, so they carry no feeling score; their "
            "ratings, where given, still count.")
