"""The note's words and number formats in French (default) and English, kept out of the template's logic."""

from __future__ import annotations

from tasks.indicators.periods import Period

MONTHS = {
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}

TEXT = {
    "fr": {
        "title": "Note de suivi bimestrielle",
        "program": "Programme MLI/021 — AOPP et AMASSA – Afrique Verte Mali",
        "headline": "Indicateurs de la période",
        "indicator": "Indicateur",
        "value": "Valeur",
        "target": "Cible",
        "progress": "Progression",
        "fraction": "Numérateur / dénominateur",
        "trends": "Évolution par bimestre",
        "reach": "Portée des SMS par semaine de campagne",
        "reach_axis": "Portée (%)",
        "week": "Semaine",
        "portfolio": "Portefeuille de crédit par IMF et par filière",
        "by_mfi": "IMF",
        "by_crop": "Filière",
        "glp": "Encours brut (FCFA)",
        "millions": "millions FCFA",
        "disbursed": "Décaissé sur la période",
        "repayment": "Taux de remboursement",
        "quality": "Qualité des données",
        "partner": "Partenaire",
        "files": "Fichiers reçus",
        "rejected": "Fichiers rejetés",
        "rows_in": "Lignes reçues",
        "rows_loaded": "Lignes chargées",
        "rows_quarantined": "Lignes en quarantaine",
        "reasons": "Principaux motifs de quarantaine",
        "check": "Contrôle",
        "column": "Colonne",
        "count": "Lignes",
        "example": "Exemple",
        "none": "Aucune donnée pour cette période.",
        "no_reach": "Aucune semaine de campagne jusqu'à cette période.",
        "generated": "Produit le",
        "traceability": "Chaque valeur est stockée avec son numérateur, son dénominateur et les lots "
        "d'import dont elle provient (table indicator_value).",
        "version": "Version",
        "issued": "émise le",
        "draft": "Brouillon (non émis)",
        "changes": "Changements depuis la version précédente",
        "no_changes": "Première version : aucun changement à signaler.",
        "period_col": "Période",
        "detail_col": "Ventilation",
        "previous": "Version précédente",
        "current": "Cette version",
        "no_target": "pas de cible",
        "out_of_campaign": "Cette période est hors de toute campagne SMS : aucun message n'était prévu.",
        "comments": "Commentaires",
        "comments_changed": "Commentaires modifiés",
        "comments_added": "Commentaires ajoutés",
        "comments_removed": "Commentaires retirés",
        "breakdowns": "Ventilations",
        "producers_by_gender": "Producteurs formés par genre",
        "producers_by_cercle": "Producteurs formés par cercle",
        "reach_by_cercle": "Portée des SMS par cercle",
        "reach_by_operator": "Portée des SMS par opérateur",
        "portfolio_by_mfi": "Encours et PAR30 par IMF",
        "portfolio_by_crop": "Encours et PAR30 par filière",
        "dim_gender": "Genre",
        "dim_cercle": "Cercle",
        "dim_operator": "Opérateur",
        "dim_mfi": "IMF",
        "dim_crop": "Filière",
        "gender_F": "Femmes",
        "gender_M": "Hommes",
        "crop_sesame": "sésame",
        "crop_rice": "riz",
        "crop_fonio": "fonio",
    },
    "en": {
        "title": "Bimonthly monitoring note",
        "program": "Programme MLI/021 — AOPP and AMASSA – Afrique Verte Mali",
        "headline": "Indicators for the period",
        "indicator": "Indicator",
        "value": "Value",
        "target": "Target",
        "progress": "Progress",
        "fraction": "Numerator / denominator",
        "trends": "Trend by bimonth",
        "reach": "SMS reach by campaign week",
        "reach_axis": "Reach (%)",
        "week": "Week",
        "portfolio": "Loan portfolio by MFI and crop",
        "by_mfi": "MFI",
        "by_crop": "Crop",
        "glp": "Gross loan portfolio (XOF)",
        "millions": "XOF millions",
        "disbursed": "Disbursed in the period",
        "repayment": "Repayment rate",
        "quality": "Data quality",
        "partner": "Partner",
        "files": "Files received",
        "rejected": "Files rejected",
        "rows_in": "Rows received",
        "rows_loaded": "Rows loaded",
        "rows_quarantined": "Rows quarantined",
        "reasons": "Top quarantine reasons",
        "check": "Check",
        "column": "Column",
        "count": "Rows",
        "example": "Example",
        "none": "No data for this period.",
        "no_reach": "No campaign week up to this period.",
        "generated": "Produced on",
        "traceability": "Every value is stored with its numerator, denominator and the ingest batches "
        "it came from (table indicator_value).",
        "version": "Version",
        "issued": "issued on",
        "draft": "Draft (not issued)",
        "changes": "Changes since the previous version",
        "no_changes": "First version: no change to report.",
        "period_col": "Period",
        "detail_col": "Breakdown",
        "previous": "Previous version",
        "current": "This version",
        "no_target": "no target",
        "out_of_campaign": "This period is outside every SMS campaign: no message was due.",
        "comments": "Comments",
        "comments_changed": "Comments changed",
        "comments_added": "Comments added",
        "comments_removed": "Comments removed",
        "breakdowns": "Breakdowns",
        "producers_by_gender": "Producers trained by gender",
        "producers_by_cercle": "Producers trained by cercle",
        "reach_by_cercle": "SMS reach by cercle",
        "reach_by_operator": "SMS reach by operator",
        "portfolio_by_mfi": "Portfolio and PAR30 by MFI",
        "portfolio_by_crop": "Portfolio and PAR30 by crop",
        "dim_gender": "Gender",
        "dim_cercle": "Cercle",
        "dim_operator": "Operator",
        "dim_mfi": "MFI",
        "dim_crop": "Crop",
        "gender_F": "Women",
        "gender_M": "Men",
        "crop_sesame": "sesame",
        "crop_rice": "rice",
        "crop_fonio": "fonio",
    },
}


# Why a value is empty: stored in English with the value (tasks/indicators), shown in the note's language.
EMPTY_NOTES_FR = {
    "no data": "aucune donnée",
    "no beneficiary of this category registered by the period's end": (
        "aucun bénéficiaire de cette catégorie enregistré à la fin de la période"
    ),
    "no outstanding loan portfolio at the period's end": "aucun encours de crédit à la fin de la période",
    "no loan had reached maturity by the period's end": (
        "aucun prêt n'était arrivé à échéance à la fin de la période"
    ),
    "no SMS accepted by the gateway in the period": "aucun SMS accepté par la passerelle sur la période",
    "no active subscriber in a campaign week ending inside the period": (
        "aucun abonné actif pendant une semaine de campagne finissant dans la période"
    ),
}


def empty_note(note: str | None, lang: str) -> str:
    """Why a value is empty, in the note's language (a note with no translation is shown as stored)."""
    if not note:
        return ""
    return EMPTY_NOTES_FR.get(note, note) if lang == "fr" else note


# What kind of number a value is (indicator_value.aggregation), shown next to each figure.
KIND_WORDS = {
    "fr": {"period": "sur la période", "to_date": "à date", "at_end": "au {day}"},
    "en": {"period": "in the period", "to_date": "to date", "at_end": "at {day}"},
}


def kind_words(aggregation: str | None, period: Period, lang: str) -> str:
    """`à date`, `sur la période` or `au 30/06` (the period's last day): so a reader never sums stocks."""
    words = KIND_WORDS[lang].get(aggregation or "")
    return words.format(day=period.end.strftime("%d/%m")) if words else ""


def period_label(period: Period, lang: str) -> str:
    """`mai–juin 2019` / `May–June 2019`: how people name a bi-month."""
    months = MONTHS[lang]
    return f"{months[period.start.month - 1]}–{months[period.end.month - 1]} {period.start.year}"


SHORT_MONTHS = {
    "fr": ["janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def short_period(period: Period, lang: str) -> str:
    """A compact axis label such as `mai-juin 19`."""
    months = SHORT_MONTHS[lang]
    first, last = months[period.start.month - 1], months[period.end.month - 1]
    return f"{first}-{last} {period.start.year % 100:02d}"


def number(value: float | None, lang: str, decimals: int = 0) -> str:
    """A number with the language's thousands and decimal separators; an en dash when missing."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def percent(fraction: float | None, lang: str) -> str:
    """A stored fraction (0.125) as the page shows it (12,5 % / 12.5%)."""
    if fraction is None:
        return "–"
    return (
        f"{number(fraction * 100, lang, 1)}\u00a0%" if lang == "fr" else f"{number(fraction * 100, lang, 1)}%"
    )


def formatted(value: float | None, unit: str, lang: str) -> str:
    """A stored value in its unit's form: a percentage for ratios, an amount in FCFA/XOF, else a count."""
    if unit == "ratio":
        return percent(value, lang)
    if unit == "xof" and value is not None:
        return f"{number(value, lang)} {'FCFA' if lang == 'fr' else 'XOF'}"
    return number(value, lang)
