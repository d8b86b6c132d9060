"""Themes in feedback text: what customers complain (or rave) about, where and who.

:func:`find_themes` groups feedback into themes with scikit-learn:

1. keep the feedback of the chosen polarity — complaints (negative) or praise (positive):
   a row with a rating by its rating; an unrated row by its text score against a cut
   calibrated on the rated rows (:mod:`jmtools.analyses.calibration`), or VADER's
   conventional ±0.05 when nothing is rated; a text whose polarity comes only from a stock
   sentence (its own sentences score clearly the other way, :data:`CONTENT_CLEAR`) is left
   out and counted;
2. mask each text's personal data (:mod:`jmtools.analyses.privacy`: names, e-mails, phones,
   IBANs, cards, addresses, dates of birth; the placeholders are no words, nor are the words said
   only beside them at many places, "refund to IBAN", "spoke to … at the branch": D208), so
   that no label, term or quote can show it (docs/decisions.md D131); normalise it (no web addresses,
   handles, retweet markers, contraction stubs, brand or product words:
   :mod:`jmtools.analyses.textprep`) and turn it into TF-IDF
   weights over words and two-word phrases within a sentence (:mod:`.text`: stop words,
   :data:`STOCK_WORDS` and stock sentences left out);
3. factorise with NMF (seeded) into :data:`N_THEMES` (10) themes, the number you give, or
   with ``n_themes="auto"`` a number *measured on the data* — stability across 80%
   subsamples plus coherence (:mod:`.model`; slower, and no better at recovering planted
   themes: docs/decisions.md D24); merge near-duplicate themes and themes that are one reason
   said in several ways (they share two leading words: D208), split a theme holding more
   than :data:`MAX_SHARE` of the texts when its halves differ, and warn when one still does;
4. assign each text to its theme (texts with no known term stay *unassigned*, counted),
   label each theme by its most distinctive terms, phrases before the words inside them
   (:mod:`.labels`), count texts per stage, touchpoint and persona, and report each theme's
   stability;
5. pick quotes that show the theme — close to it, carrying its terms, long enough to say
   something — from the same masked texts.

Same data and seed → same themes, labels and quotes.
"""

from jmtools.analyses.themes.core import (CONTENT_CLEAR, MAX_SHARE, N_THEMES, NEGATIVE_BELOW, POLARITIES,
                                          POSITIVE_ABOVE, Themes, find_themes, themes_at, themes_for)
from jmtools.analyses.themes.basis import polarity_basis, share_basis
from jmtools.analyses.themes.labels import distinct_quotes
from jmtools.analyses.themes.text import STOCK_WORDS, stock_sentences

__all__ = ["POLARITIES", "NEGATIVE_BELOW", "POSITIVE_ABOVE", "STOCK_WORDS", "CONTENT_CLEAR", "MAX_SHARE", "N_THEMES",
           "Themes", "find_themes", "themes_at", "themes_for", "polarity_basis", "share_basis", "stock_sentences",
           "distinct_quotes"]
