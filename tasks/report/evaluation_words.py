"""The evaluation report's own words in French and English, read from the gettext catalogues.

`WORDS[lang][key]` is context `evaluation:<key>`; `KINDS[lang][aggregation]` is
`evaluation-kind:<aggregation>`, worded for a campaign (`sur la campagne`) where the note's `kind:` says
`sur la période`.
"""

from __future__ import annotations

from tasks.report.translations import keyed, languages

WORDS = {lang: keyed("evaluation", lang) for lang in languages()}
KINDS = {lang: keyed("evaluation-kind", lang) for lang in languages()}
