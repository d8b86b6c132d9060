"""Masking of a hospital's feedback (D212): patients' names after a relation or "Patient", full
names wherever they stand, hospital staff, NHS numbers as ``[nhs number]``; the look-alikes a
reader needs (car parks, wards, hospitals named after people, "Patient Transport") kept.

The end-to-end test plants personal data in the shapes an outpatient team's complaints hold into
a small world and runs the real report: no planted value is in the HTML, the static HTML, the
PDF or the executed notebook.
"""

from __future__ import annotations

import html
import os
import random
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from jmtools.analyses.privacy import find_pii, known_names, mask_quotes, mask_text, nhs_ok, surnames_masked

ROOT = Path(__file__).resolve().parents[1]


def _check_digit(nine: str) -> int | None:
    """The NHS number's check digit of nine digits, computed here without the package (weights
    10..2, 11 minus the remainder; 11 reads 0, 10 is never issued)."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1)))
    check = 11 - total % 11
    return None if check == 10 else check % 11


def nhs_numbers(rng: random.Random, n: int, *, valid: bool = True) -> list[str]:
    """``n`` NHS numbers in the 3-3-4 print, passing the check (or failing it)."""
    out = []
    while len(out) < n:
        nine = f"{rng.randrange(400_000_000, 999_999_999)}"
        check = _check_digit(nine)
        if check is None:
            continue
        last = check if valid else (check + 1 + rng.randrange(9)) % 10
        digits = nine + str(last)
        out.append(f"{digits[:3]} {digits[3:6]} {digits[6:]}")
    return out


VALID, INVALID = nhs_numbers(random.Random(1), 6), nhs_numbers(random.Random(2), 6, valid=False)

# ------------------------------------------------------------------ planted personal data
MASKED = [
    # after a relation the writer names with a possessive
    ("I am writing on behalf of my mother Sarah Kowalski (NHS number 943 476 5919, DOB 26/02/1980).",
     "I am writing on behalf of my mother [name] (NHS number [nhs number], DOB [date of birth])."),
    ("our son Tom has asthma", "our son [name] has asthma"),
    ("her husband, Otieno Kamau, called twice", "her husband, [name], called twice"),
    ("my 84-year-old father Jan de Vries fell", "my 84-year-old father [name] fell"),
    ("my late wife Mary-Jane McDonald was treated", "my late wife [name] was treated"),
    ("my mother-in-law Agnes O'Brien waited", "my mother-in-law [name] waited"),
    ("my daughter emma was scared", "my daughter [name] was scared"),
    ("my parents John and Mary Smith", "my parents [name] and [name]"),
    ("my carer Bola came with me", "my carer [name] came with me"),
    ("meine Mutter Anna Becker ist krank", "meine Mutter [name] ist krank"),
    ("ma fille Léa attend encore", "ma fille [name] attend encore"),
    ("mijn moeder Ans de Boer wacht", "mijn moeder [name] wacht"),
    # whom the text is about, without a possessive
    ("Patient James Okonkwo, NHS No 418 720 5160, born 24/03/1939",
     "Patient [name], NHS No [nhs number], born [date of birth]"),
    ("the patient Okonkwo was left waiting", "the patient [name] was left waiting"),
    ("client Anna Berg complained", "client [name] complained"),
    ("Service user: Priya Shah", "Service user: [name]"),
    # hospital staff
    ("Sister O'Brien and receptionist Karen were kind", "Sister [name] and receptionist [name] were kind"),
    ("the porter Brian took us up", "the porter [name] took us up"),
    ("midwife Chloe was lovely", "midwife [name] was lovely"),
    # a full name wherever it stands: a signature after digits, before an address, on its own line
    ("Contact me on 0113 496 0233. Fatima O'Brien", "Contact me on [phone]. [name]"),
    ("explained everything. Aisha O'Brien, 137 Kirkstall Road, Leeds LS15 4BQ.",
     "explained everything. [name], [address]."),
    ("Grace Clarke, 47 Elm Road", "[name], [address]"),
    ("Waited four hours.\nDaniel Hughes\nSent from my phone", "Waited four hours.\n[name]\nSent from my phone"),
    ("Sarah Kowalski (aged 82) waited", "[name] (aged 82) waited"),
    ("Peter Smith-Jones rang twice", "[name] rang twice"),
    ("Emily Okonkwo and Imran Begum", "[name] and [name]"),
    # NHS numbers: after words that say so (a mistyped one too), or passing the check
    ("NHS number 943 476 5919", "NHS number [nhs number]"),
    ("nhs no: 9434765919", "nhs no: [nhs number]"),
    ("NHS 943-476-5919", "NHS [nhs number]"),
    ("NHS number 943 476 5918 (typo?)", "NHS number [nhs number] (typo?)"),
    ("seen under 943 476 5919 in May", "seen under [nhs number] in May"),
    ("my CHI number is 010 185 2347", "my CHI number is [nhs number]"),
    # ten digits that fail the check, or that words call a phone, stay phones
    ("call me on 943 476 5918", "call me on [phone]"),
    ("call me on 943 476 5919", "call me on [phone]"),
    ("943 476 5918", "[phone]"),
    ("555-123-4567", "[phone]"),
]


@pytest.mark.parametrize("text, expected", MASKED)
def test_patients_relatives_staff_and_nhs_numbers_are_masked(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize("number", VALID)
def test_every_valid_nhs_number_is_masked_as_one(number):
    assert nhs_ok(number) and nhs_ok(number.replace(" ", ""))
    assert mask_text(f"seen as {number} today") == "seen as [nhs number] today"
    assert mask_text(f"NHS No {number.replace(' ', '')}") == "NHS No [nhs number]"


@pytest.mark.parametrize("number", INVALID)
def test_a_number_failing_the_check_is_a_phone_unless_words_say_nhs(number):
    assert not nhs_ok(number)
    assert mask_text(f"call me on {number}") == "call me on [phone]"
    assert mask_text(f"seen as {number} today") == "seen as [phone] today"
    assert mask_text(f"NHS number {number}") == "NHS number [nhs number]"


def test_the_check_against_published_shapes():
    assert nhs_ok("943 476 5919") and nhs_ok("401 023 2137") and nhs_ok("4010232137")
    assert not nhs_ok("943 476 5918") and not nhs_ok("94347659") and not nhs_ok("943 476 591x")
    # a remainder of 1 gives a check of 10: never issued, so never valid
    nine = next(f"{n:09d}" for n in range(400_000_000, 400_001_000) if _check_digit(f"{n:09d}") is None)
    assert not any(nhs_ok(nine + str(d)) for d in range(10))


# ------------------------------------------------------------------ look-alikes that stay readable
KEPT = [
    "Parking was awful, Car Park B was full again",
    "Ward 7 at the Royal Infirmary on Monday",
    "We went to St James Hospital, then the John Radcliffe Hospital",
    "Queen Elizabeth Hospital car park is too small",
    "Patient Transport never came and Customer Care did not answer",
    "Patient Advice and Liaison Service were no help",
    "Charlotte Douglas Airport was busy",
    "The Grace Period is short",
    "My Mother Was Seen Late And The Doctor Was Rude",
    "my son has asthma", "my husband and I waited", "my daughter, who is 6, was scared",
    "the patient Was left alone", "the Patient Experience team", "customer Service was rude",
    "Sister ward was closed", "Outpatients - New Patient Clinic", "ticket 9434765919 is open",
    "Booking took 3 calls, First appointment in May",
]


@pytest.mark.parametrize("text", KEPT)
def test_places_services_and_sentence_starts_stay_readable(text):
    assert mask_text(text) == text
    assert find_pii(text) == []


@pytest.mark.parametrize("template", ["my mother {} was slow", "Patient {} waited", "the patient {} was late",
                                      "our son {} and Sarah Jones"])
def test_a_journeys_stage_and_touchpoint_names_are_never_names_after_a_relation(template):
    from test_privacy import _journey_names

    names = set(_journey_names()) - {"White paper"}        # "White" is a surname too
    assert len(names) > 20
    for name in sorted(names):
        text = template.format(name)
        assert mask_text(text) == text.replace("Sarah Jones", "[name]"), text


def test_planted_counts_checked_without_the_package():
    """Every planted name and number masked, every look-alike kept: counted with plain pandas."""
    texts = pd.Series([t for t, _ in MASKED] + KEPT)
    masked = mask_quotes(texts)
    for kind in ("[name]", "[nhs number]", "[phone]"):
        expected = sum(e.count(kind) for _, e in MASKED)
        assert masked.str.count(kind.replace("[", r"\[").replace("]", r"\]")).sum() == expected, kind
    assert (masked.iloc[len(MASKED):] == pd.Series(KEPT).values).all()


# ------------------------------------------------------------------ D220: the shapes D212 left
MASKED_D220 = [
    # a surname after a capitalised "Patient"/"Client", not only a given name
    ("Patient Okonkwo, NHS No 418 720 5160", "Patient [name], NHS No [nhs number]"),
    ("Patient Okonkwo was left waiting", "Patient [name] was left waiting"),
    ("Patient Wanjiru Kamau waited three hours", "Patient [name] waited three hours"),
    ("Client Berg-Olsen complained", "Client [name] complained"),
    # a surname alone: after every title, before a person's verb, again after a name found
    ("Dr Okonkwo, Mrs Patel, Ms Begum, Miss Hughes and Prof. Kowalski",
     "Dr [name], Mrs [name], Ms [name], Miss [name] and Prof. [name]"),
    ("Okonkwo called me twice", "[name] called me twice"),
    ("Then Kamau rang us about the scan", "Then [name] rang us about the scan"),
    ("Mr Okonkwo was rude. Okonkwo's letter came late", "Mr [name] was rude. [name]'s letter came late"),
    ("my mother Sarah Kowalski came; Sarah was scared", "my mother [name] came; [name] was scared"),
    # a full name whose given name is not listed, signing the text
    ("Regards, Wanjiru Kamau", "Regards, [name]"),
    ("Thanks, Wanjiru Kamau", "Thanks, [name]"),
    ("Great care overall Regards, Wanjiru Kamau", "Great care overall Regards, [name]"),
    ("Waited four hours.\nWanjiru Kamau", "Waited four hours.\n[name]"),
    ("Yours sincerely\nWanjiru Kamau\n", "Yours sincerely\n[name]\n"),
    ("Contact me on 0113 496 0233. Wanjiru Kamau", "Contact me on [phone]. [name]"),
    ("Contact me on 0113 496 0233 Wanjiru Kamau", "Contact me on [phone] [name]"),
    ("call 07700900123, Tendai Moyo", "call [phone], [name]"),
    # a relation and a name still; a verb after the name is no part of it
    ("my daughter Amelia loves it", "my daughter [name] loves it"),
    ("my granddaughter Amelia Loves it", "my granddaughter [name] Loves it"),
    ("my son Tayo to the clinic", "my son [name] to the clinic"),
]

KEPT_D220 = [
    # a capitalised word after a relation that is a verb or an adverb
    "my daughter Loves it", "my kids Love it", "my son Uses it every day", "my wife Enjoys the music",
    "my husband Absolutely loves it", "my son Plays with it", "my daughter Listens to it every night",
    # services after a capitalised "Patient"/"Client"
    "Patient Transport never came", "Patient Advice and Liaison Service were no help",
    "Patient Safety team were told", "Patient Notes went missing", "Patient Parking is expensive",
    "Patient Led Assessment", "Client Portal is down", "Outpatients - New Patient Clinic",
    # departments, staff and brands before a person's verb
    "the Pharmacy called me", "Reception rang me twice", "Cardiology phoned me", "Nobody called me back",
    "Employee told me to wait", "your employee at Logan told me", "Delta told me to wait",
    # what ends a text after a number or on its own line, and is no signature
    "flight 1234 Los Angeles", "case 12345 Fire Stick", "ref 12345678 Kind Regards", "1 Hr Delay",
    "Loved it.\nFive Stars", "Great speaker\nWorks Great", "I bought it at Best Buy.",
    "flight 4567 Austin Texas", "Landed in Austin today", "order 12345 Echo Dot",
]


@pytest.mark.parametrize("text, expected", MASKED_D220)
def test_surnames_after_patient_and_alone_and_unlisted_signatures_are_masked(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", KEPT_D220)
def test_verbs_after_a_relation_services_places_and_review_lines_stay_readable(text):
    assert mask_text(text) == text
    assert find_pii(text, kinds=["name"]) == []


def test_d220_counts_checked_without_the_package():
    """Planted D220 names all masked and look-alikes all kept, counted with plain pandas; a planted
    name never leaves a word of it readable."""
    texts = pd.Series([t for t, _ in MASKED_D220] + KEPT_D220)
    masked = mask_quotes(texts)
    assert masked.str.count(r"\[name\]").sum() == sum(e.count("[name]") for _, e in MASKED_D220)
    assert (masked.iloc[len(MASKED_D220):] == pd.Series(KEPT_D220).values).all()
    planted = masked.iloc[:len(MASKED_D220)]
    for word in ("Okonkwo", "Wanjiru", "Kamau", "Kowalski", "Amelia", "Tayo", "Tendai"):
        assert not planted.str.contains(word).any(), word


# ------------------------------------------------------------------ D227: the shapes D220 left
MASKED_D227 = [
    # a full name in Title Case Text: a listed given name, a surname that is no word of the lists
    ("Complaint About Fatima O'Brien And The Ward", "Complaint About [name] And The Ward"),
    ("Thank You To Emily Okonkwo For Her Care", "Thank You To [name] For Her Care"),
    ("My Experience With Sarah Kowalski Was Awful", "My Experience With [name] Was Awful"),
    # an unlisted full name just before an address or a phone
    ("Wanjiru Kamau, 12 Elm Road, Leeds LS8 6GL", "[name], [address]"),
    ("please ring Wanjiru Kamau on 07700 900123 after 5", "please ring [name] on [phone] after 5"),
    ("Contact: Tendai Moyo - 0113 496 0233", "Contact: [name] - [phone]"),
    ("Tendai Moyo (07700 900123)", "[name] ([phone])"),
    ("Tendai Moyo tel: 07700 900123", "[name] tel: [phone]"),
    ("Need help ASAP Wanjiru Kamau, 12 Elm Road", "Need help ASAP [name], [address]"),
    # two words before a person's verb that read as a full name; a word of the lists before a surname
    ("Wanjiru Kamau called me twice", "[name] called me twice"),
    ("Review Okonkwo called me", "Review [name] called me"),
]

KEPT_D227 = [
    # firms and services before "called me", a phone or an address
    "Acme Repairs called me", "Thames Water rang me twice", "Customer Services called me",
    "British Gas on 0800 123 4567", "Call Centre on 0800 123 4567", "Head Office on 0800 123 4567",
    "Call Acme Repairs Ltd on 0800 123 4567", "Customer Services, 12 High Street", "Acme Repairs, 4 Mill Lane",
    "Flight Delayed, 0800 123 4567",
    # Title Case Text: places, everyday given names, nouns after a given name
    "Flight 3056 Was Late And The Crew Was Rude - Oscar Performance", "The Grace Period Is Too Short",
    "Charlotte Douglas Airport Was Busy", "Victoria Station Was Closed Again",
    "St James Hospital Was Clean And The Staff Were Kind",
]


@pytest.mark.parametrize("text, expected", MASKED_D227)
def test_title_case_names_names_before_a_phone_or_address_and_pairs_before_a_verb_are_masked(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", KEPT_D227)
def test_firms_before_a_phone_an_address_or_a_verb_and_title_case_look_alikes_keep_their_words(text):
    assert [k for k, _, _ in find_pii(text) if k == "name"] == []


# a data set: surnames named in full in some texts, alone in others; brands and words that are
# named in a "full name" once but stand alone more often
DATA_SET = ["Regards, Emily Okonkwo", "Mr Okonkwo was kind", "Okonkwo was rude to my mother",
            "I want to thank Sister Begum. Aisha Begum, 12 Elm Road", "Begum explained everything",
            "Love my Philips Hue", "Hue lights work", "The Hue app is slow", "thanks, Philip Hue",
            "Regards, Anna Baker", "the baker was rude", "Baker Street clinic was late", "Okonkwo's letter came late"]
DATA_SET_MASKED = ["Regards, [name]", "Mr [name] was kind", "[name] was rude to my mother",
                   "I want to thank Sister [name]. [name], [address]", "[name] explained everything",
                   "Love my Philips Hue", "Hue lights work", "The Hue app is slow", "thanks, [name]",
                   "Regards, [name]", "the baker was rude", "Baker Street clinic was late", "[name]'s letter came late"]


def test_a_surname_the_data_set_names_in_full_is_masked_where_it_stands_alone():
    assert known_names(DATA_SET) == {"okonkwo", "begum"}
    assert mask_quotes(DATA_SET) == DATA_SET_MASKED
    # text by text, nothing tells that "Okonkwo" and "Begum" are names
    assert mask_text("Okonkwo was rude to my mother") == "Okonkwo was rude to my mother"
    assert mask_text("Begum explained everything", names=["begum"]) == "[name] explained everything"
    assert mask_quotes(DATA_SET, names=())[2] == "Okonkwo was rude to my mother"
    # only the lone surnames, for a pipeline that masks each text later (the themes)
    lone = surnames_masked(DATA_SET)
    changed = {i for i, (a, b) in enumerate(zip(DATA_SET, lone)) if a != b}
    assert changed == {2, 4, 12} and lone[4] == "[name] explained everything"
    assert known_names(DATA_SET, keep=["Okonkwo"]) == {"begum"}


def test_known_surnames_checked_against_a_plain_count():
    """Each candidate surname's count in names and elsewhere, by plain pandas: kept only when it
    stands in a name at least as often as anywhere else."""
    texts = pd.Series(DATA_SET)
    for word, in_names, elsewhere in (("Okonkwo", 2, 2), ("Begum", 2, 1), ("Hue", 1, 3), ("Baker", 1, 2)):
        alone = texts.str.count(rf"(?i)\b{word}\b").sum()
        assert alone == in_names + elsewhere, word
        assert (word.lower() in known_names(DATA_SET)) == (in_names >= elsewhere), word
    masked = pd.Series(mask_quotes(DATA_SET))
    assert masked.str.count(r"\[name\]").sum() == pd.Series(DATA_SET_MASKED).str.count(r"\[name\]").sum() == 9
    assert not masked.str.contains("Okonkwo|Begum").any() and masked.str.contains("Hue").sum() == 3


def test_the_themes_read_a_known_surname_masked():
    from jmtools.analyses.themes.text import _ids_masked

    fb = pd.DataFrame({"text": DATA_SET})
    out = _ids_masked(fb, "text")
    assert out["text"].tolist() == surnames_masked(DATA_SET)
    assert _ids_masked(pd.DataFrame({"text": ["Love it", "Okonkwo was rude"]}), "text")["text"].tolist() == [
        "Love it", "Okonkwo was rude"]


# ------------------------------------------------------------------ a small hospital world, end to end
FIRST = ["Sarah", "Mohammed", "Emily", "James", "Aisha", "Peter", "Grace", "Daniel", "Fatima", "Tom", "Chloe",
         "Imran"]
LAST = ["Jenkins", "Patel", "O'Brien", "Okonkwo", "Smith", "Kowalski", "Hughes", "Begum", "McDonald", "Clarke-Wood"]
STAFF = ["Dr Patel", "Nurse Jenkins", "Sister O'Brien", "Mr Okonkwo", "Dr Helen Wright", "receptionist Karen",
         "Staff Nurse Tom Hughes"]
STREETS = ["Elm Road", "Otley Road", "Harehills Lane", "Kirkstall Road"]
RELATIONS = ["mother", "father", "husband", "daughter", "son"]
# given names not in the package's list, with surnames (D220)
UNLISTED = ["Wanjiru Kamau", "Tendai Moyo", "Oluwaseun Adeyemi"]
# surnames of LAST that stand alone in texts of their own (D227)
LONE = ["Okonkwo", "Kowalski", "Begum", "McDonald"]


def planted_feedback(rng: random.Random, customers: list[str]) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """Complaints and compliments in an outpatient team's six shapes, and the values planted."""
    rows, needles = [], {k: set() for k in ("name", "nhs", "dob", "address", "phone", "staff")}
    numbers = nhs_numbers(rng, len(customers))
    for i, (customer, nhs) in enumerate(zip(customers, numbers)):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        staff = rng.choice(STAFF)
        address = f"{rng.randint(1, 199)} {rng.choice(STREETS)}, Leeds LS{rng.randint(1, 28)} {rng.randint(1, 9)}BQ"
        phone = f"0113 496 0{rng.randint(100, 999)}"
        dob = f"{rng.randint(10, 28)}/0{rng.randint(1, 9)}/19{rng.randint(30, 99)}"
        shape = i % 6
        if shape == 0:
            text = (f"I am writing on behalf of my {rng.choice(RELATIONS)} {name} (NHS number {nhs}, DOB {dob}). "
                    "The car park was full again and the parking charges for a clinic that ran late are unfair. "
                    f"We circled the car park for 40 minutes and missed the slot with {staff}. "
                    f"Please reply to {address} or call {phone}.")
        elif shape == 1:
            text = ("My referral letter came months ago and I am still waiting for an appointment. Nobody answers "
                    f"the booking line. Patient {name}, NHS No {nhs}, born {dob}, address {address}, mobile {phone}.")
        elif shape == 2:
            text = ("The hospital cancelled my appointment the day before for the second time. I had taken leave "
                    f"from work. {staff} apologised but that is not good enough. Contact me on {phone}. {name}")
        elif shape == 3:
            text = (f"I want to thank {staff} and the team who were kind and explained everything. "
                    f"{name}, {address}.")
        elif shape == 5:   # D227: a surname alone, with no cue, that other texts name in full
            name = rng.choice(LONE)
            text = f"{name} was rude to my mother on the ward and nobody apologised. Parking was awful."
        else:   # D220: a surname after "Patient", alone before a person's verb, an unlisted signature
            name = rng.choice(UNLISTED)
            surname = name.split()[1]
            text = (f"My referral letter came months ago. Patient {surname}, NHS No {nhs}. {surname} called me "
                    f"once, nobody since. Contact me on {phone} {name}")
        rows.append(dict(feedback_id=f"P{i:05d}", customer_id=customer, text=text, rating=5 if shape == 3 else 1))
        if shape == 4:
            needles["name"] |= set(name.split())
        needles["name"].add(name)
        needles["nhs"] |= {nhs, nhs.replace(" ", "")}
        needles["dob"].add(dob)
        needles["address"].add(address)
        needles["phone"].add(phone)
        needles["staff"].add(staff.split(" ", 1)[1].replace("Nurse ", ""))
    needles["street"] = set(STREETS)
    return pd.DataFrame(rows), needles


def planted_world(dest: Path) -> tuple[Path, dict[str, set[str]]]:
    """The e-commerce world's feedback-only folder (300 customers) with 160 planted texts added."""
    import table_subsets

    data = table_subsets.make_subset("feedback", dest)
    feedback = pd.read_csv(data / "feedback.csv", dtype={"customer_id": str})
    rng = random.Random(212)
    customers = [rng.choice(sorted(feedback["customer_id"])) for _ in range(160)]
    planted, needles = planted_feedback(rng, customers)
    template = feedback.sample(len(planted), replace=True, random_state=212).reset_index(drop=True)
    planted = template.drop(columns=["feedback_id", "customer_id", "text", "rating"]).join(planted)
    pd.concat([feedback, planted[feedback.columns]], ignore_index=True).to_csv(data / "feedback.csv", index=False)
    return data, needles


def _shown(path: Path) -> str:
    """The text of a report output as a reader sees it (entities and JSON escapes undone)."""
    if path.suffix == ".pdf":
        import pypdf

        return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)
    return html.unescape(path.read_text(encoding="utf-8", errors="replace")).replace("\\u0027", "'")


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="the PDF needs Debian chromium")
def test_no_planted_patient_data_in_any_report_output(tmp_path):
    import table_subsets

    if not table_subsets.available():
        pytest.skip("sample world ecommerce not generated")
    data, needles = planted_world(tmp_path / "data")
    out = tmp_path / "out" / "report.html"
    jm = str(Path(sys.executable).with_name("jmtools"))
    done = subprocess.run([jm, "report", str(ROOT / "notebooks" / "00_journey_report.ipynb"), "-p", "data_dir",
                           str(data), "-o", str(out), "--static", "--pdf", "--no-cache"],
                          capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    outputs = [out, out.with_suffix(".static.html"), out.with_suffix(".pdf"), out.with_suffix(".ipynb")]
    for path in outputs:
        shown = _shown(path)
        leaks = {kind: sorted(v for v in values if v in shown) for kind, values in needles.items()}
        assert not any(leaks.values()), f"{path.name}: {leaks}"
    # the planted texts are quoted (so the search above can fail), their NHS numbers labelled as such
    page = _shown(out)
    assert page.count("[nhs number]") >= 2 and "[name]" in page
    assert "NHS number [phone]" not in page and "NHS No [phone]" not in page
