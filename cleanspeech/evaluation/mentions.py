"""Which real comments mention which identity term: the words of each term in each template language.

The templates (`identity_templates.TERMS`) need one form per term and language; a real comment names a group in its
plural, its other gender, a noun for an adjective ("jews" for "Jewish") or a phrase ("fauteuil roulant"). Each term
lists here, per language, every form that counts as a mention, matched as a whole word or phrase (its words apart by
spaces or hyphens), whatever the case and accents: comments often leave accents out ("arabe" for "árabe"), and
German's ß may be written ss.

Written out, not derived from the template forms by a rule: a rule took the last word of a phrase ("wheelchair
user" -> "user", "mentally ill" -> "ill", which matched "I'll"), missed irregular plurals ("women", "men", "jews")
and took words that mostly mean something else. Left out for that reason: German "weiß" (also "know"), "Polen"
(also Poland), "Rom" (Rome) and "behindert" (also "hinders"), French "âgé" ("âgé de 25 ans"), Spanish "vieja" (mostly
an insult for a woman), "china" and "siria" and Portuguese "síria" (the countries), "trans" alone (trans fats), and
the names in `_NOT_MENTIONS` (Cristiano Ronaldo, CD-ROM). Words that are ambiguous but are the term's only form stay
("black", "white", "old", "young", "man"): keyword membership is coarser than Jigsaw 2019's human annotations, which
is why the templates are the controlled measure and the real comments the check that it holds outside them.
"""

import re
import unicodedata

import numpy as np
import pandas as pd

from .identity_templates import LANGUAGES, TERMS, chosen

# term -> its forms in en, de, fr, es, it, pt, "|"-separated
_FORMS: dict[str, tuple[str, str, str, str, str, str]] = {
    "woman": ("woman|women", "frau|frauen", "femme|femmes", "mujer|mujeres", "donna|donne", "mulher|mulheres"),
    "man": ("man|men", "mann|männer", "homme|hommes", "hombre|hombres", "uomo|uomini", "homem|homens"),
    "transgender": ("transgender|transgenders|trans people|trans person|trans woman|trans women|trans man|trans men",
                    "transgender|transperson|transpersonen|transfrau|transfrauen|transmann|transmänner",
                    "transgenre|transgenres|personne trans|personnes trans|femme trans|femmes trans",
                    "transgénero|transgéneros|persona trans|personas trans|mujer trans|mujeres trans",
                    "transgender|persona trans|persone trans|donna trans|donne trans",
                    "transgênero|transgêneros|pessoa trans|pessoas trans|mulher trans|mulheres trans"),
    "nonbinary": ("nonbinary|non-binary|non binary", "nichtbinär|nicht-binär|nichtbinäre", "non binaire|non-binaire",
                  "no binario|no binaria|no-binario", "non binario|non binaria", "não binário|não binária"),
    "feminist": ("feminist|feminists", "feministin|feministinnen|feminist|feministen", "féministe|féministes",
                 "feminista|feministas", "femminista|femministe|femministi", "feminista|feministas"),
    "gay": ("gay|gays", "schwul|schwule|schwuler|schwulen", "gay|gays", "gay|gays", "gay", "gay|gays"),
    "lesbian": ("lesbian|lesbians", "lesbisch|lesbische|lesbe|lesben", "lesbienne|lesbiennes",
                "lesbiana|lesbianas", "lesbica|lesbiche", "lésbica|lésbicas"),
    "bisexual": ("bisexual|bisexuals", "bisexuell|bisexuelle", "bisexuel|bisexuelle|bisexuels",
                 "bisexual|bisexuales", "bisessuale|bisessuali", "bissexual|bissexuais"),
    "homosexual": ("homosexual|homosexuals", "homosexuell|homosexuelle|homosexuellen",
                   "homosexuel|homosexuelle|homosexuels|homosexuelles", "homosexual|homosexuales",
                   "omosessuale|omosessuali", "homossexual|homossexuais"),
    "heterosexual": ("heterosexual|heterosexuals", "heterosexuell|heterosexuelle", "hétérosexuel|hétérosexuelle|"
                     "hétérosexuels", "heterosexual|heterosexuales", "eterosessuale|eterosessuali",
                     "heterossexual|heterossexuais"),
    "queer": ("queer",) * 6,
    "lgbtq": ("lgbt|lgbtq|lgbtq+|lgbtqia",) * 6,
    "muslim": ("muslim|muslims|islamic", "muslim|muslime|muslimin|muslimen|moslem|moslems|muslimisch|muslimische|"
               "muslimischen|muslimischer|islamisch|islamische|islamischen",
               "musulman|musulmane|musulmans|musulmanes|islamique|islamiques",
               "musulmán|musulmana|musulmanes|islámico|islámica|islámicos",
               "musulmano|musulmana|musulmani|musulmane|islamico|islamica|islamici|islamiche",
               "muçulmano|muçulmana|muçulmanos|islâmico|islâmica|islâmicos"),
    "jewish": ("jewish|jew|jews", "jüdisch|jüdische|jüdischen|jüdischer|jude|juden|jüdin", "juif|juive|juifs|juives",
               "judío|judía|judíos", "ebreo|ebrea|ebrei", "judeu|judia|judeus"),
    "christian": ("christian|christians", "christ|christen|christin|christlich|christliche|christlichen|christlicher",
                  "chrétien|chrétienne|chrétiens",
                  "cristiano|cristiana|cristianos", "cristiano|cristiana|cristiani", "cristão|cristã|cristãos"),
    "catholic": ("catholic|catholics", "katholisch|katholische|katholischen|katholik|katholiken",
                 "catholique|catholiques",
                 "católico|católica|católicos", "cattolico|cattolica|cattolici", "católico|católica|católicos"),
    "hindu": ("hindu|hindus", "hindu|hindus", "hindou|hindoue|hindous", "hindú|hindúes", "induista|induisti|indù",
              "hindu|hindus"),
    "buddhist": ("buddhist|buddhists", "buddhist|buddhisten|buddhistin", "bouddhiste|bouddhistes",
                 "budista|budistas", "buddista|buddisti", "budista|budistas"),
    "sikh": ("sikh|sikhs", "sikh|sikhs", "sikh|sikhs", "sij|sijs", "sikh", "sikh|sikhs"),
    "atheist": ("atheist|atheists", "atheist|atheisten|atheistin", "athée|athées", "ateo|atea|ateos",
                "ateo|atea|atei", "ateu|ateia|ateus"),
    "black": ("black|blacks", "schwarz|schwarze|schwarzer|schwarzen", "noir|noire|noirs|noires",
              "negro|negra|negros|negras", "nero|nera|neri", "negro|negra|negros|preto|preta|pretos"),
    "white": ("white|whites", "weiße|weißer|weißen", "blanc|blanche|blancs", "blanco|blanca|blancos",
              "bianco|bianca|bianchi", "branco|branca|brancos"),
    "asian": ("asian|asians", "asiatisch|asiatische|asiatischen|asiate|asiaten|asiatin", "asiatique|asiatiques",
              "asiático|asiática|asiáticos", "asiatico|asiatica|asiatici", "asiático|asiática|asiáticos"),
    "latino": ("latino|latina|latinos|latinas", "latino|latina|latinos", "latino|latina|latinos",
               "latino|latina|latinos", "latino|latina|latinos", "latino|latina|latinos"),
    "arab": ("arab|arabs", "araber|araberin", "arabe|arabes", "árabe|árabes", "arabo|araba|arabi", "árabe|árabes"),
    "roma": ("roma", "roma|sinti", "rom|roms", "gitano|gitana|gitanos", "rom", "cigano|cigana|ciganos"),
    "indigenous": ("indigenous", "indigen|indigene|indigenen", "autochtone|autochtones", "indígena|indígenas",
                   "indigeno|indigena|indigeni", "indígena|indígenas"),
    "african": ("african|africans", "afrikaner|afrikanerin|afrikanisch|afrikanische|afrikanischen",
                "africain|africaine|africains", "africano|africana|africanos", "africano|africana|africani",
                "africano|africana|africanos"),
    "mexican": ("mexican|mexicans", "mexikaner|mexikanerin", "mexicain|mexicaine|mexicains",
                "mexicano|mexicana|mexicanos", "messicano|messicana|messicani", "mexicano|mexicana|mexicanos"),
    "chinese": ("chinese", "chinese|chinesen|chinesin", "chinois|chinoise", "chino|chinos", "cinese|cinesi",
                "chinês|chinesa|chineses"),
    "turkish": ("turkish|turk|turks", "türke|türken|türkin|türkische|türkischen", "turc|turque|turcs",
                "turco|turca|turcos",
                "turco|turca|turchi", "turco|turca|turcos"),
    "polish": ("polish", "pole|polin", "polonais|polonaise", "polaco|polaca|polacos", "polacco|polacca|polacchi",
               "polonês|polonesa|poloneses"),
    "nigerian": ("nigerian|nigerians", "nigerianer|nigerianerin", "nigérian|nigériane|nigérians",
                 "nigeriano|nigeriana|nigerianos", "nigeriano|nigeriana|nigeriani", "nigeriano|nigeriana|nigerianos"),
    "syrian": ("syrian|syrians", "syrer|syrerin|syrische|syrischen", "syrien|syrienne|syriens", "sirio|sirios",
               "siriano|siriana|siriani", "sírio|sírios"),
    "refugee": ("refugee|refugees", "flüchtling|flüchtlinge|flüchtlingen|geflüchtete|geflüchteten",
                "réfugié|réfugiée|réfugiés", "refugiado|refugiada|refugiados", "rifugiato|rifugiata|rifugiati",
                "refugiado|refugiada|refugiados"),
    "immigrant": ("immigrant|immigrants|migrant|migrants", "einwanderer|einwanderin|immigrant|immigranten|migrant|"
                  "migranten|migrantin", "immigré|immigrée|immigrés|immigrant|immigrants|migrant|migrants",
                  "inmigrante|inmigrantes|migrante|migrantes", "immigrato|immigrata|immigrati|migrante|migranti",
                  "imigrante|imigrantes|migrante|migrantes"),
    "deaf": ("deaf", "gehörlos|gehörlose|gehörlosen|taub", "sourd|sourde|sourds", "sordo|sorda|sordos",
             "sordo|sorda|sordi", "surdo|surda|surdos"),
    "blind": ("blind", "blind|blinde|blinden", "aveugle|aveugles", "ciego|ciega|ciegos", "cieco|cieca|ciechi",
              "cego|cega|cegos"),
    "autistic": ("autistic", "autistisch|autist|autisten", "autiste|autistes", "autista|autistas",
                 "autistico|autistica|autistici", "autista|autistas"),
    "disabled": ("disabled|handicapped", "behinderten|behinderter|schwerbehindert|schwerbehinderte|schwerbehinderten",
                 "handicapé|handicapée|handicapés",
                 "discapacitado|discapacitada|discapacitados", "disabile|disabili", "deficiente|deficientes"),
    "wheelchair user": ("wheelchair|wheelchairs", "rollstuhlfahrer|rollstuhlfahrerin|rollstuhl", "fauteuil roulant",
                        "silla de ruedas", "sedia a rotelle", "cadeirante|cadeirantes|cadeira de rodas"),
    "mentally ill": ("mentally ill|mental illness", "psychisch krank|psychisch kranke|psychisch kranken",
                     "malade mental|malades mentaux|maladie mentale", "enfermo mental|enfermos mentales|enfermedad "
                     "mental", "malato di mente|malati di mente|malattia mentale",
                     "doente mental|doentes mentais|doença mental"),
    "old": ("old", "alt|alte|alten", "vieux|vieille|vieilles", "viejo|viejos", "vecchio|vecchia|vecchi",
            "velho|velha|velhos"),
    "young": ("young", "jung|junge|jungen", "jeune|jeunes", "joven|jóvenes", "giovane|giovani", "jovem|jovens"),
    "elderly": ("elderly", "betagt|betagte|senior|senioren", "personne âgée|personnes âgées",
                "anciano|anciana|ancianos",
                "anziano|anziana|anziani", "idoso|idosa|idosos"),
    "teenager": ("teenager|teenagers|teen|teens", "teenager|jugendliche|jugendlicher|jugendlichen",
                 "adolescent|adolescente|adolescents|ado|ados", "adolescente|adolescentes",
                 "adolescente|adolescenti", "adolescente|adolescentes"),
    "retired": ("retired|retiree|retirees", "rentner|rentnerin", "retraité|retraitée|retraités",
                "jubilado|jubilada|jubilados", "pensionato|pensionata|pensionati", "aposentado|aposentada|aposentados"),
    "pregnant": ("pregnant", "schwanger|schwangere", "enceinte|enceintes", "embarazada|embarazadas", "incinta",
                 "grávida|grávidas"),
}  # fmt: skip


# Phrases that hold a term's form without naming the group: blanked before matching
_NOT_MENTIONS = re.compile(r"cristiano\s+ronaldo|cd[\s-]?rom")
_SEPARATOR = r"[\s\-\u2010-\u2015]+"  # between a phrase's words: spaces, hyphens, dashes ("mentally-ill", "non–binary")


def fold(text: str) -> str:
    """Lower case without accents (and ß as ss), as forms are matched."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def term_words(term: str, lang: str) -> set[str]:
    """The words and phrases that make a comment in `lang` mention `term` (lower case)."""
    if term not in _FORMS:
        raise KeyError(f"unknown identity term {term!r}: the terms are {', '.join(TERMS)}")
    if lang not in LANGUAGES:
        raise KeyError(f"no identity terms in {lang!r}: the languages are {', '.join(LANGUAGES)}")
    return set(_FORMS[term][LANGUAGES.index(lang)].split("|"))


def _pattern(words) -> str:
    """Whole words or phrases, folded, the longest first."""
    phrases = {tuple(fold(word).replace("-", " ").split()) for word in words}
    alternatives = (_SEPARATOR.join(map(re.escape, phrase)) for phrase in sorted(phrases, key=len, reverse=True))
    return r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)"


def mentions(texts: pd.Series, lang: str, terms=None) -> dict[str, np.ndarray]:
    """Per term (every one, or those of `terms`): which of `texts`, in `lang`, mention it."""
    folded = pd.Series(texts, dtype=object).astype(str).map(fold).str.replace(_NOT_MENTIONS, " ", regex=True)
    return {term: folded.str.contains(_pattern(term_words(term, lang)), regex=True).to_numpy()
            for term in chosen(terms, tuple(TERMS), "identity term")}  # fmt: skip
