"""Real-looking Malian names and places of the six cercles, so demo files read like the partners' own."""

from __future__ import annotations

WOMEN = ["Awa", "Aminata", "Fatoumata", "Mariam", "Kadidia", "Oumou", "Assitan", "Salimata", "Djeneba", "Rokia",
         "Bintou", "Hawa", "Korotoumou", "Sitan", "Nana", "Ramata", "Safiatou", "Maimouna", "Kadiatou", "Tenin"]
MEN = ["Moussa", "Mamadou", "Seydou", "Boubacar", "Adama", "Bakary", "Ibrahim", "Souleymane", "Drissa", "Lassina",
       "Yacouba", "Sekou", "Oumar", "Modibo", "Amadou", "Daouda", "Issa", "Siaka", "Zoumana", "Mahamadou"]
FAMILIES = ["Traoré", "Coulibaly", "Diarra", "Dembélé", "Keïta", "Konaté", "Sanogo", "Dao", "Dena", "Théra", "Koné",
            "Sidibé", "Diakité", "Tangara", "Goïta", "Kamaté", "Togo", "Mounkoro", "Daou", "Bengaly", "Samaké"]

# The cercle as partners type it (accents and all), with communes and weekly markets of that cercle.
CERCLES: dict[str, dict[str, list[str]]] = {
    "San": {"communes": ["San", "Djeli", "Niasso", "Sy", "Kava", "Waki", "Téné", "Siadougou"],
            "markets": ["San", "Sy"]},
    "Tominian": {"communes": ["Tominian", "Mafouné", "Timissa", "Fangasso", "Mandiakuy", "Ouan", "Koula"],
                 "markets": ["Tominian", "Mandiakuy"]},
    "Bla": {"communes": ["Bla", "Diaramana", "Touna", "Yangasso", "Falo", "Kemeni"], "markets": ["Bla"]},
    "Ségou": {"communes": ["Ségou", "Pelengana", "Sébougou", "Dioro", "Katiéna", "Cinzana"],
              "markets": ["Ségou", "Dioro"]},
    "Barouéli": {"communes": ["Barouéli", "Konobougou", "Tamani", "Boidié", "Somo"], "markets": ["Barouéli"]},
    "Yorosso": {"communes": ["Yorosso", "Koury", "Mahou", "Boura", "Kiffosso"], "markets": ["Koury", "Yorosso"]},
}
VILLAGES = ["Dougouolo", "Kalabougou", "Niamana", "Sirakoro", "Banankoro", "Fabougou", "Kondogola", "Dalabani",
            "Missira", "Koniobla", "Nianzana", "Tiémena", "Wolodo", "Sokoura", "Fambougou", "Benguéné",
            "Kanouala", "Diéli-Koro", "Massala", "Toula", "Sagala", "N'Gara", "Kamona", "Somasso"]
ORG_KINDS = ["Coopérative des producteurs de sésame de", "Union des producteurs de", "Société coopérative Benkadi de",
             "Coopérative des femmes productrices de", "Union Jèkafo de"]
MSE_NAMES = ["Ets {} et Frères", "GIE Sababu {}", "Entreprise {} Commerce", "SARL Faso Sésame {}", "Ets {} Négoce"]
SEED_NAMES = ["Faso Kaba", "Soprosa", "Dounia Semences", "Cofersa", "Nafaso", "Sikasso Semences", "Danaya Sènè",
              "Jigiya Semences", "Benso Semences", "Ségou Semences"]
MFIS = ["Soro Yiriwaso", "Kafo Jiginew", "Nyesigiso"]
# libphonenumber's Mali mobile ranges (DESIGN §4): Orange 7x/82-84/90-94, Moov 6x/89/95-99, Telecel 50-53.
MOBILE_PREFIXES = ["70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "82", "83", "84", "90", "91", "92",
                   "93", "94", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "89", "95", "96", "97",
                   "98", "99", "50", "51", "52", "53"]
