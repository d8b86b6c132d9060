"""Given names that tell a name written in lower case ("the engineer sean murphy", "spoke to
sarah", "thanks, jonas") from the words a role or an introduction is usually followed by
("the engineer appointment", "spoke to someone"): :mod:`jmtools.analyses.privacy` masks a
lower-case word after a role or introduction only when it is one of these (docs/decisions.md
D171).

Frequent given names of customers and staff writing in English, German, French and Dutch, and
of the larger groups living among them. Left out on purpose: names that are also an everyday
word in one of those languages ("will", "mark", "bill", "may", "june", "hope", "grace", "rose",
"frank", "jack", "sue", "rob", "pat", "max", "ray", "dean", "miles", "guy", "art", "don",
"elle", "roos", "joke", "job", "ben" stays: "ik ben" has no role before it), so that "the agent
will call" and "engineer may come" stay readable. Written without accents too ("francois").
"""

from __future__ import annotations

import unicodedata

__all__ = ["GIVEN_NAMES", "EVERYDAY_GIVEN"]

_NAMES = """
aaron adam adrian aidan alan alastair albert alberto alejandro alessandro alex alexander alexandra
alexis alfie ali alice alicia alison amanda amelia amit amy ana anastasia andrea andreas andrew
andy angela angelika anil anita anja anke ann anna anne annemarie annemieke annette annie anouk anthony
antoine antonio anya archie arjan arjen arjun arthur ashley aurelie aurélie austin ava ayesha
barbara bart bas bastian beatrice becky ben benjamin benoit benoît bernard bernd beth bethany betty
birgit bjorn björn bob bobby bonnie bram brandon brenda brian bridget brigitte britta bruno bryan
caitlin callum camille carla carlos carmen carol carole caroline carolyn cassandra catherine cathy
cedric cédric celine céline chantal charles charlie charlotte chloe chloé chris christian christiane
christina christine christoph christophe christopher claire clara clarita claudia claudine colin
connor courtney craig cynthia
daan dan dana daniel daniela danielle danny darrel darren darryl dave david debbie deborah declan
denise dennis derek diana diane diego dieter dirk divya dominik dominique donna doris dorothy douglas
dylan
edward eileen elena eleanor elias elif elijah elisabeth eliza elizabeth ella ellen ellie els elsa
emilia emilie émilie emily emma emmanuel emre enzo eric erik erika esther ethan eva evelyn ewa
fabian fabienne fabrice fatima felix femke fernando fidencio finn fiona florian francesca francisco
franck françois franziska frederic frédéric frederik
gabriel gabriele gabrielle gareth gary gavin geert gemma georg george gerard gerhard gert gianni
gilles giovanni giulia giuseppe gloria graham greg gregor gregory gudrun guillaume gunter günter
hannah hans harald harold harry hassan heather hector heike heinz helen helena helga helmut henk
henri henrik henry holger horst hugo
ian ibrahim ilse ina ineke ines inès inga inge ingrid irene iris isabel isabella isabelle isla ivan
jacob jacqueline jacques jacquie jake james jamie jan jana jane janet janine jannik jasmin jason javier
jean jeanette jeanine jeff jeffrey jennifer jenny jens jeremy jeroen jerome jérôme jess jessica jim
jimmy joan joanna joao joão jochen joe joel johan johanna johannes john jonas jonathan jordan jorg
jörg jorge jose josé joseph josh joshua joyce judith judy jules julia julian julie julien juliette
jurgen jürgen justin
kai karen karin karl kate katharina katherine kathleen kathryn kathy katie katja katrin
katarzyna kayla keith kelly ken kenneth kerry kevin kim kirsten kirsty klaus koen krzysztof kurt
kyle
lars laura laurent lauren lea léa leah lena leon leonie lewis liam linda lindsay lisa liz lizzie
lorenzo lotte louis louise luc luca lucas lucia lucie lucy ludwig luis luisa lukas luke lutz
maarten madison magdalena manfred manon manuel manuela marc marcel marco marcus marek margaret
maria marie marieke marijke marina mario marion marisol marissa markus marta martha martin martina
mary mathieu mathilde matteo matthew matthias matthieu maurice meelan megan mehmet melanie melissa
mia michael michaela micheal michel michele michelle miguel mike mila miranda miriam mohamed
mohammed monika moritz muhammad mustafa
nadia nadine nancy naomi natalie natasha nathalie nathan neha neil niall nick nicolas nicole niels
niamh nigel niklas nikolai nils nina noah noor nora norbert
olaf oliver olivia olivier omar oscar otis owen
pablo pamela patricia patrick paul paula paulo pawel paweł pedro peter petra philip philipp philippe
phil piet pieter pierre piotr pooja priya
rachel rafael rahul raj rajesh ralf ralph raphael raphaël ravi rebecca reinhard renate rené rhys
ricardo richard rick ricky rita robert roberto robin roel roger roland romain ronald ross ruben rudi
ruth ruud ryan
sabine sabrina sam samantha samuel sandra sandrine sanjay sanne sara sarah sascha scott sean
sebastian sebastien sébastien sem shaquille sharon shaun shirley siobhan simon simone sinead
sofia sonja sophia sophie stefan stefanie steffen stephan stephanie stéphane stephen steve steven
stijn stuart susan susanne suzanne sven sylvia sylvie
tanja teresa theo thierry thijs thomas thorsten tim timo timothy tina tobias tom tomasz tommy tony
tracy trevor tyler
ulrike ulrich ursula ute uwe
valerie valérie vanessa vera veronique véronique victoria vincent vivian
walter wendy werner willem william wolfgang wouter
yannick yusuf yvonne zoe zoé
abby andre andres brooke casey doug eduardo enrique erin felipe gabriela gail heidi jackie jamal jill
jodi juan kris kristen kristin maggie mariana mateo matt meg molly monique nate paige paola pete
ramon raul ron sally santiago shannon tammy ted tiffany valentina whitney zach
aisha ahmed amina khadija zainab abdul hussain hussein bilal hamza imran tariq leila layla yasmin samira
kwame chidi ngozi adebayo
"""


def _without_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


#: Given names, lower case, with and without accents.
GIVEN_NAMES = frozenset(n for w in _NAMES.split() for n in (w, _without_accents(w)))

#: Given names that are also everyday words, left out of :data:`GIVEN_NAMES`: a name only as the
#: first of a full name that ends its clause ("Grace Clarke, 47 Elm Road"; not "Grace Period is short").
EVERYDAY_GIVEN = frozenset("""
will mark bill may june hope grace rose frank jack sue rob pat max ray dean miles guy art don
""".split())
