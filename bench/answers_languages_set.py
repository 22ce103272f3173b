"""The cross-lingual set of bench/answers_languages.py: five lectures in Spanish, German and French, on
neighbouring subjects in twos (water and climate; the Alps and volcanoes), each asked in English and
in its own language. (question, lecture, a phrase of the one sentence that answers it)."""
from __future__ import annotations

# slug -> (espeak-ng voice, words per minute, title, language, text)
LECTURES: dict[str, tuple[str, int, str, str, str]] = {
    "agua": ("es", 125, "El ciclo del agua", "es", """Hoy hablamos del ciclo del agua en la naturaleza.
El sol calienta los océanos y el agua se convierte en vapor. El vapor sube a la atmósfera, se enfría y
forma las nubes. Cuando las gotas de las nubes crecen demasiado, caen como lluvia o como nieve. Una
parte de la lluvia se filtra en el suelo y llena los acuíferos subterráneos. Los ríos llevan el resto
del agua de vuelta al mar. Las plantas también devuelven agua al aire por la transpiración de sus
hojas. Así el ciclo del agua no tiene principio ni fin."""),
    "clima": ("es", 130, "El clima y los vientos", "es", """En esta clase estudiamos por qué cambia el
clima de una región a otra. Cerca del ecuador el sol cae casi vertical y el aire se calienta mucho. El
aire caliente sube y deja una zona de baja presión. Los vientos alisios soplan desde los trópicos hacia
esa zona de baja presión. Las corrientes del océano llevan el calor del ecuador hacia los polos. La
corriente del Golfo hace que el invierno en Europa sea más suave. En las montañas la temperatura baja
unos seis grados por cada mil metros de altura. Por eso en los Andes hay nieve aunque estén cerca del
ecuador."""),
    "alpen": ("de", 125, "Die Entstehung der Alpen", "de", """In dieser Vorlesung geht es um die
Entstehung der Alpen. Vor etwa hundert Millionen Jahren begann die afrikanische Platte, sich nach
Norden zu bewegen. Dabei stieß sie gegen die europäische Platte und schob die Gesteinsschichten
zusammen. Die Schichten falteten sich und wurden zu hohen Gebirgen aufgetürmt. Noch heute heben sich
die Alpen jedes Jahr um etwa einen Millimeter. Gleichzeitig tragen Gletscher und Flüsse das Gestein
langsam wieder ab. In der letzten Eiszeit formten riesige Gletscher die tiefen Täler und die großen
Seen. Deshalb sehen die Alpen heute so aus, wie wir sie kennen."""),
    "vulkane": ("de", 130, "Wie Vulkane entstehen", "de", """Heute sprechen wir über Vulkane und ihre
Entstehung. Tief unter der Erdkruste liegt heißes, geschmolzenes Gestein, das Magma heißt. Wo zwei
Platten auseinanderdriften, steigt das Magma nach oben und bildet neuen Meeresboden. Wo eine Platte
unter eine andere taucht, schmilzt sie und füttert explosive Vulkane. Wenn das Magma die Oberfläche
erreicht, nennen wir es Lava. Der Vesuv zerstörte im Jahr neunundsiebzig die römische Stadt Pompeji.
Island liegt auf dem Mittelatlantischen Rücken und hat deshalb so viele aktive Vulkane. Die Asche
großer Ausbrüche kann das Klima der ganzen Erde für einige Jahre abkühlen."""),
    "revolution": ("fr", 130, "La Révolution française", "fr", """Aujourd'hui nous étudions les débuts
de la Révolution française. En 1789 le royaume de France était presque en faillite après de longues
guerres. Le roi Louis seize convoqua les États généraux pour trouver de nouveaux impôts. Les députés du
tiers état se proclamèrent Assemblée nationale et jurèrent de donner une constitution au pays. Le
quatorze juillet, le peuple de Paris prit la Bastille, une vieille prison royale. En août l'Assemblée
abolit les privilèges de la noblesse. La Déclaration des droits de l'homme affirma que les hommes
naissent libres et égaux en droits. Ces idées se répandirent ensuite dans toute l'Europe."""),
}

QUESTIONS: list[tuple[str, str, str]] = [
    ("Why do clouds form?", "agua", "forma las nubes"),
    ("Where do the rivers take the rest of the water?", "agua", "vuelta al mar"),
    ("How do plants put water back into the air?", "agua", "transpiración"),
    ("What happens when cloud droplets get too big?", "agua", "caen como lluvia"),
    ("¿Qué hace el sol con los océanos?", "agua", "calienta los océanos"),
    ("¿Cómo devuelven las plantas el agua al aire?", "agua", "transpiración"),
    ("¿Adónde va la lluvia que entra en el suelo?", "agua", "acuíferos"),
    ("Why does the air near the equator rise?", "clima", "El aire caliente sube"),
    ("Why are winters in Europe mild?", "clima", "corriente del Golfo"),
    ("How much colder does it get as you climb a mountain?", "clima", "seis grados"),
    ("¿Hacia dónde soplan los vientos alisios?", "clima", "alisios"),
    ("¿Por qué hay nieve en los Andes?", "clima", "hay nieve"),
    ("Which tectonic plate started moving north?", "alpen", "afrikanische Platte"),
    ("How much do the Alps still rise every year?", "alpen", "einen Millimeter"),
    ("What shaped the deep valleys and the big lakes?", "alpen", "letzten Eiszeit"),
    ("Gegen welche Platte stieß die afrikanische Platte?", "alpen", "europäische Platte"),
    ("Was ist das Thema dieser Vorlesung über Gebirge?", "alpen", "Entstehung der Alpen"),
    ("Was tragen Gletscher und Flüsse langsam ab?", "alpen", "tragen Gletscher"),
    ("What is molten rock underground called?", "vulkane", "Magma heißt"),
    ("Which Roman city did Vesuvius destroy?", "vulkane", "Pompeji"),
    ("Why does Iceland have so many volcanoes?", "vulkane", "Island liegt"),
    ("Wie nennt man Magma an der Oberfläche?", "vulkane", "Lava"),
    ("Was kann die Asche großer Ausbrüche bewirken?", "vulkane", "Asche"),
    ("Why did the king call the Estates General?", "revolution", "États généraux"),
    ("What did the people of Paris do on the fourteenth of July?", "revolution", "Bastille"),
    ("What did the Declaration of the Rights of Man say?", "revolution", "naissent libres"),
    ("Pourquoi la France était-elle presque en faillite ?", "revolution", "faillite"),
    ("Qu'est-ce que l'Assemblée a aboli en août ?", "revolution", "privilèges"),
    ("Qu'ont juré les députés du tiers état ?", "revolution", "constitution"),
]
