"""Identity terms: the words people use to say who they are, in every language CleanSpeech covers.

One list for the whole project: the rewriter never deletes or replaces these words (a rewrite must not erase the
person it describes: "I am gay." must not become "I am person."), and the fairness evaluation builds its templates
from them. Terms are matched as whole words, case-insensitively; plural and gendered forms are listed as words of
their own, since languages form them differently.
"""

import re
from functools import lru_cache

# category -> language -> terms (lower case). Slurs are deliberately absent: they are not how people name themselves.
IDENTITY_TERMS: dict[str, dict[str, tuple[str, ...]]] = {
    "gender": {
        "en": ("woman", "women", "man", "men", "girl", "girls", "boy", "boys", "female", "male", "transgender", "trans",
               "nonbinary", "non-binary", "feminist", "feminists"),
        "de": ("frau", "frauen", "mann", "männer", "mädchen", "junge", "jungen", "transgender", "trans", "nichtbinär"),
        "fr": ("femme", "femmes", "homme", "hommes", "fille", "filles", "garçon", "garçons", "transgenre", "trans"),
        "es": ("mujer", "mujeres", "hombre", "hombres", "chica", "chicas", "chico", "chicos", "transgénero", "trans"),
        "it": ("donna", "donne", "uomo", "uomini", "ragazza", "ragazze", "ragazzo", "ragazzi", "transgender", "trans"),
        "pt": ("mulher", "mulheres", "homem", "homens", "menina", "meninas", "menino", "meninos", "transgênero",
               "trans"),
    },
    "sexuality": {
        "en": ("gay", "gays", "lesbian", "lesbians", "bisexual", "bisexuals", "homosexual", "homosexuals", "queer",
               "lgbt", "lgbtq", "lgbtq+", "heterosexual", "straight", "asexual", "pansexual"),
        "de": ("schwul", "schwule", "schwuler", "lesbisch", "lesbe", "lesben", "bisexuell", "homosexuell", "queer",
               "heterosexuell"),
        "fr": ("gay", "gays", "homosexuel", "homosexuelle", "homosexuels", "lesbienne", "lesbiennes", "bisexuel",
               "bisexuelle", "queer", "hétérosexuel"),
        "es": ("gay", "gays", "homosexual", "homosexuales", "lesbiana", "lesbianas", "bisexual", "queer",
               "heterosexual"),
        "it": ("gay", "omosessuale", "omosessuali", "lesbica", "lesbiche", "bisessuale", "queer", "eterosessuale"),
        "pt": ("gay", "gays", "homossexual", "homossexuais", "lésbica", "lésbicas", "bissexual", "queer",
               "heterossexual"),
    },
    "religion": {
        "en": ("muslim", "muslims", "islamic", "christian", "christians", "catholic", "catholics", "jew", "jews",
               "jewish", "hindu", "hindus", "sikh", "sikhs", "buddhist", "buddhists", "atheist", "atheists",
               "protestant", "mormon"),
        "de": ("muslim", "muslime", "muslimin", "christ", "christen", "christin", "katholisch", "jude", "juden",
               "jüdin", "jüdisch", "hindu", "sikh", "buddhist", "atheist", "atheisten"),
        "fr": ("musulman", "musulmane", "musulmans", "chrétien", "chrétienne", "chrétiens", "catholique", "juif",
               "juive", "juifs", "hindou", "sikh", "bouddhiste", "athée"),
        "es": ("musulmán", "musulmana", "musulmanes", "cristiano", "cristiana", "cristianos", "católico", "católica",
               "judío", "judía", "judíos", "hindú", "sij", "budista", "ateo", "atea"),
        "it": ("musulmano", "musulmana", "musulmani", "cristiano", "cristiana", "cristiani", "cattolico", "ebreo",
               "ebrea", "ebrei", "indù", "sikh", "buddista", "ateo", "atea"),
        "pt": ("muçulmano", "muçulmana", "muçulmanos", "cristão", "cristã", "cristãos", "católico", "católica",
               "judeu", "judia", "judeus", "hindu", "sikh", "budista", "ateu", "ateia"),
    },
    "race_ethnicity": {
        "en": ("black", "white", "asian", "asians", "latino", "latina", "latinos", "hispanic", "african", "arab",
               "arabs", "indigenous", "native", "roma", "mexican", "mexicans", "chinese"),
        "de": ("schwarz", "schwarze", "schwarzer", "weiß", "weiße", "asiatisch", "asiate", "asiatin", "afrikaner",
               "araber", "roma", "sinti", "türke", "türken", "türkin"),
        "fr": ("noir", "noire", "noirs", "blanc", "blanche", "asiatique", "asiatiques", "africain", "africaine",
               "arabe", "arabes", "roms", "maghrébin"),
        "es": ("negro", "negra", "negros", "blanco", "blanca", "asiático", "asiática", "latino", "latina",
               "africano", "africana", "árabe", "árabes", "gitano", "gitana", "indígena"),
        "it": ("nero", "nera", "neri", "bianco", "bianca", "asiatico", "asiatica", "africano", "africana", "arabo",
               "araba", "arabi", "rom", "zingaro"),
        "pt": ("negro", "negra", "negros", "preto", "preta", "branco", "branca", "asiático", "asiática", "africano",
               "africana", "árabe", "indígena", "cigano"),
    },
    "nationality": {
        "en": ("immigrant", "immigrants", "refugee", "refugees", "migrant", "migrants", "american", "americans",
               "german", "germans", "french", "british", "russian", "russians", "turkish", "polish", "indian",
               "indians", "brazilian", "italian", "spanish"),
        "de": ("einwanderer", "flüchtling", "flüchtlinge", "migrant", "migranten", "ausländer", "deutscher",
               "deutsche", "amerikaner", "russe", "russen", "pole", "polen", "italiener"),
        "fr": ("immigré", "immigrée", "immigrés", "réfugié", "réfugiés", "migrant", "migrants", "étranger",
               "étrangers", "français", "française", "allemand", "américain", "russe", "turc", "italien"),
        "es": ("inmigrante", "inmigrantes", "refugiado", "refugiada", "refugiados", "migrante", "migrantes",
               "extranjero", "extranjeros", "español", "española", "alemán", "americano", "ruso", "marroquí"),
        "it": ("immigrato", "immigrata", "immigrati", "rifugiato", "rifugiati", "migrante", "migranti", "straniero",
               "stranieri", "italiano", "italiana", "tedesco", "americano", "russo", "marocchino"),
        "pt": ("imigrante", "imigrantes", "refugiado", "refugiados", "migrante", "migrantes", "estrangeiro",
               "estrangeiros", "brasileiro", "brasileira", "português", "nordestino", "nordestina", "venezuelano"),
    },
    "disability": {
        "en": ("deaf", "blind", "disabled", "autistic", "wheelchair", "handicapped", "paraplegic", "dyslexic"),
        "de": ("gehörlos", "gehörlose", "taub", "blind", "blinde", "behindert", "behinderte", "autistisch",
               "rollstuhlfahrer"),
        "fr": ("sourd", "sourde", "sourds", "aveugle", "aveugles", "handicapé", "handicapée", "autiste"),
        "es": ("sordo", "sorda", "sordos", "ciego", "ciega", "ciegos", "discapacitado", "discapacitada", "autista"),
        "it": ("sordo", "sorda", "sordi", "cieco", "cieca", "ciechi", "disabile", "disabili", "autistico"),
        "pt": ("surdo", "surda", "surdos", "cego", "cega", "cegos", "deficiente", "deficientes", "autista"),
    },
    "age": {
        "en": ("old", "elderly", "young", "teenager", "teenagers", "senior", "seniors", "millennial", "boomer"),
        "de": ("alt", "alte", "älter", "jung", "junge", "jugendlicher", "senior", "senioren", "rentner"),
        "fr": ("vieux", "vieille", "âgé", "âgée", "jeune", "jeunes", "adolescent", "retraité", "retraités"),
        "es": ("viejo", "vieja", "anciano", "anciana", "joven", "jóvenes", "adolescente", "jubilado", "jubilada"),
        "it": ("vecchio", "vecchia", "anziano", "anziana", "anziani", "giovane", "giovani", "adolescente",
               "pensionato"),
        "pt": ("velho", "velha", "idoso", "idosa", "idosos", "jovem", "jovens", "adolescente", "aposentado"),
    },
}  # fmt: skip


@lru_cache(maxsize=1)
def all_identity_terms() -> frozenset[str]:
    """Every term of every category and language, lower case."""
    return frozenset(t for languages in IDENTITY_TERMS.values() for terms in languages.values() for t in terms)


def _trie_regex(words) -> str:
    """One regex for `words` as a prefix tree ("gay", "gays" -> "gay(?:s)?"). A flat alternation of some 400 terms
    makes `re` try every term at every position, ten times slower on comments; the tree tries one branch per
    character. Optional parts are greedy, so the longest term that fits is tried first, as before ("lgbtq+" before
    "lgbt"). Written here, not taken from a package: it is a dozen lines on the standard library."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a term ends here

    def branch(node: dict) -> str:
        alternatives = [re.escape(char) + branch(child) for char, child in sorted(node.items()) if char]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return branch(tree)


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    return re.compile(r"(?<![\w-])(?:" + _trie_regex(all_identity_terms()) + r")(?![\w-])", re.IGNORECASE)


def identity_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every identity term in `text`."""
    return [match.span() for match in _pattern().finditer(text)]
