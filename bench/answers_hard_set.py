"""The hard question set for bench/answers.py (`--set hard`): twelve lectures on neighbouring subjects.

Four families of three lectures each (South America, early modern Europe, cells and genes, deep
time), so every lecture has real distractors: the Amazon is named in four lectures, the 1540s in
four, DNA in three, the Andes in three. Each lecture is spoken by a different espeak-ng voice at a
different speed (VOICES), including the female US and Caribbean variants, which transcribe worst.

The questions are in answers_hard_questions.py. Numbers are written as digits, as Whisper writes
them, and spellings are American, so the word error rate counts hearing more than conventions.
"""
from __future__ import annotations

from answers_hard_questions import QUESTIONS  # noqa: F401  (re-exported: the set is one import)

OFF_TOPIC_KINDS = ("off_topic", "near_miss")

# slug -> (espeak-ng voice, words per minute). Every voice differs; speeds span 140-190.
VOICES: dict[str, tuple[str, int]] = {
    "amazon": ("en-us+f3", 165),
    "andes": ("en-029+f2", 155),
    "inca": ("en-gb", 170),
    "thirty-years-war": ("en-gb-scotland", 160),
    "reformation": ("en-gb-x-rp", 175),
    "scientific-revolution": ("en-us", 185),
    "mitochondria": ("en-gb-x-gbclan", 150),
    "dna": ("en-gb-x-gbcwmd", 145),
    "immunity": ("en-us-nyc", 180),
    "eocene": ("en-029", 140),
    "miocene": ("en-gb+f4", 190),
    "extinction": ("en-gb-scotland+f5", 165),
}

LECTURES: dict[str, dict] = {
    "amazon": {"title": "The Amazon River and its basin", "text": """
Welcome to our first lecture on the geography of South America, and we begin with its greatest river.
The Amazon carries more water than any other river on Earth, roughly a fifth of all the fresh water
that rivers deliver to the oceans. At its mouth the average discharge is about 209,000 cubic meters
every second, more than the next seven largest rivers combined. For a long time geographers argued
about where the river truly begins. Today most accept a small stream on the slopes of Nevado Mismi, a
peak in southern Peru, only about 160 kilometers from the Pacific Ocean. From there the water flows
through the Apurimac and the Ucayali before it joins the Maranon and turns east across the continent.
In Brazil the upper river is called the Solimoes, and it only takes the name Amazonas below the city
of Manaus. Just outside Manaus, the dark water of the Rio Negro meets the pale, muddy Solimoes. The
two streams run side by side without mixing for about six kilometers, because they differ in speed,
temperature and the amount of sediment they carry, and visitors call this sight the Meeting of the
Waters. The Rio Negro is dark because it drains poor, sandy soils and carries dissolved plant acids
rather than silt. The basin as a whole covers about 7 million square kilometers, shared by nine
countries, though Brazil holds the largest part. The first European to travel the length of the river
was the Spanish explorer Francisco de Orellana, who drifted downstream from the Andes in 1542. His
chronicler, the friar Gaspar de Carvajal, described battles with women warriors, and the river was
named after the Amazons of Greek legend. The river has no bridge anywhere along its main channel,
because most of it runs through thinly settled forest and floodplain where a bridge would serve very
few people. Each year the water level near Manaus rises and falls by more than ten meters. During the
high water season the river spills into the forest, creating flooded woodland that Brazilians call
varzea where the water is muddy and fertile, and igapo where the water is black and poor. Fish such as
the tambaqui swim among the drowned trees and eat fallen fruit, spreading the seeds of the forest. The
largest freshwater fish of the basin, the arapaima, can grow longer than two meters and must come up to
the surface to gulp air. Near the mouth, the incoming Atlantic tide can push a wave several meters high
up the river, a tidal bore that local people call the pororoca. Surfers have ridden this wave for more
than thirty minutes at a time. The river also builds an enormous plume of fresh, brown water that can
be traced hundreds of kilometers out into the Atlantic. At the narrows near the town of Obidos, the
whole river squeezes through a channel under two kilometers wide, which makes it the best place to
measure its flow. Scientists have estimated that the rainforest of the basin holds around 390 billion
individual trees belonging to some 16,000 species. Much of the rain that falls on the western basin
has already fallen before, because the trees return moisture to the air, and the winds carry it
further inland as flying rivers. That recycling means that clearing the forest in the east can dry the
forest in the west. In our next lecture we climb from this lowland to the mountains that feed it.
"""},
    "andes": {"title": "The Andes mountains", "text": """
In this lecture we leave the lowlands and climb into the Andes, the longest continental mountain range
in the world. The Andes stretch about 7,000 kilometers along the western edge of South America, from
Venezuela in the north to Tierra del Fuego in the south. They rise because the oceanic Nazca plate is
sliding beneath the South American plate, a process geologists call subduction. As the ocean floor
sinks into the mantle it melts, and the molten rock feeds a long chain of volcanoes. The highest summit
of the range, and of the whole Western Hemisphere, is Aconcagua in Argentina, at about 6,961 meters.
Aconcagua is not a volcano, although many of its neighbors are. In Ecuador the snow capped cone of
Cotopaxi is one of the most active volcanoes in the country, and its eruptions send mudflows down
valleys toward the towns below. Nearby Chimborazo is lower than Aconcagua when measured from sea level,
but because the Earth bulges at the equator, its summit is the point on the planet farthest from the
center of the Earth. The Prussian naturalist Alexander von Humboldt tried to climb Chimborazo in 1802
and reached about 5,900 meters, a height record for Europeans at the time. On the journey he sketched
how plants change with altitude, and his famous drawing of the mountain became a founding picture of
the science of ecology. Between the eastern and western ranges of Peru and Bolivia lies a high plateau
called the Altiplano, with an average height of nearly 4,000 meters. On the Altiplano sits Lake
Titicaca, at about 3,812 meters, often described as the highest navigable lake in the world. The
Uros people live on floating islands that they build from bundles of totora reeds, adding fresh layers
as the lower ones rot. Further south lies the Salar de Uyuni, the largest salt flat on Earth, whose
brine holds a large share of the world's lithium. West of the mountains, the cold Humboldt Current and
the rain shadow of the range together create the Atacama Desert, where some weather stations have never
recorded rain. The Andes shape the weather of the whole continent, because they block moist air from
the Atlantic and force it to rise and drop its rain on the eastern slopes. That rain gathers into the
headwaters of the Amazon, so the mountains feed the great river we met last time. People have farmed
these slopes for thousands of years. Andean farmers domesticated the potato, and today thousands of
varieties grow in Peru alone. They also grew quinoa, a hardy seed crop that tolerates frost and poor
soils, and they bred llamas and alpacas from their wild relatives, the guanaco and the vicuna. The
wool of the vicuna is among the finest animal fibers in the world, and for a long time only royalty
were allowed to wear it. To farm on steep ground, communities carved the hillsides into terraces, which
held the soil in place and created small pockets of warmer air. Living at high altitude changes the
body, and people whose ancestors have lived in the Andes for many generations tend to have larger
chests and more red blood cells than lowlanders. Visitors who arrive too fast suffer from altitude
sickness, which locals call soroche and traditionally treat with tea brewed from coca leaves. The
glaciers of the tropical Andes are shrinking quickly, and cities such as La Paz depend on their
meltwater during the dry season. In the next lecture we will see how one people turned these
mountains into the largest empire of the Americas.
"""},
    "inca": {"title": "The Inca Empire and the Spanish conquest", "text": """
Today we turn to the Inca, who built the largest state in the Americas before the arrival of
Europeans. The Inca called their empire Tawantinsuyu, which means the four parts together, because it
was divided into four quarters that met at the capital, Cusco. The empire grew astonishingly quickly.
Around 1438 a ruler named Pachacuti defeated the rival Chanka people and began a century of conquest.
His son Tupac Inca Yupanqui pushed the borders south into what is now Chile and north into Ecuador. At
its height the empire ruled perhaps ten to twelve million people along the spine of the Andes. To hold
this territory together the Inca built a road network of around 40,000 kilometers, known in Quechua as
the Qhapaq Nan. Relay runners called chasquis carried messages along these roads, each running a short
stage before passing the message to the next, so that news could travel about 240 kilometers in a day.
Over deep gorges the Inca hung bridges woven from grass, and one of them, the Qeswachaka bridge, is
still rebuilt by local villagers every year. The Inca had no writing system in the usual sense.
Instead, officials kept records on the quipu, a set of knotted cords in which the position and type of
each knot recorded a number. The state did not use money. Subjects paid their taxes as labor, a system
called the mita, working for a period on roads, farms, mines or in the army. Food and cloth collected
by the state were kept in thousands of storehouses, which fed soldiers and helped villages survive bad
harvests. The official language of the empire was Quechua, and it is still spoken by millions of people
in Peru, Bolivia and Ecuador. The Inca stonemasons shaped huge blocks so precisely that they fit
together without mortar, and the walls of Sacsayhuaman above Cusco have survived centuries of
earthquakes. The most famous Inca site today is Machu Picchu, an estate built for Pachacuti on a ridge
above the Urubamba River. It was little known outside the region until the American explorer Hiram
Bingham publicized it in 1911. In the 1520s a terrible epidemic, probably smallpox carried from the
Spanish colonies, swept through the Andes before any Spaniard arrived and killed the ruler Huayna
Capac. His death set off a civil war between two of his sons, Huascar and Atahualpa. Atahualpa had
just won that war when a small Spanish force led by Francisco Pizarro reached the town of Cajamarca in
1532. Pizarro had fewer than 200 men, but he lured Atahualpa into the town square and captured him in a
surprise attack. To win his freedom, Atahualpa promised to fill a room once with gold and twice with
silver. The ransom was paid, but the Spaniards executed him anyway in 1533. A last line of Inca rulers
held out in the forested hills of Vilcabamba for almost forty years, until Tupac Amaru was captured and
beheaded in 1572. The silver mountain of Potosi, discovered in 1545 in what is now Bolivia, soon made
the Spanish crown the richest in Europe, and it was worked with a harsh colonial version of the old
mita. That flood of American silver would help pay for the wars of Europe that we study in the next
part of the course.
"""},
    "thirty-years-war": {"title": "The Thirty Years' War", "text": """
This lecture is about the Thirty Years' War, which devastated central Europe between 1618 and 1648.
It began in Bohemia, where Protestant nobles feared that their new king, the Catholic Habsburg
Ferdinand, would take away their religious freedoms. In May 1618 a group of them threw two royal
governors and their secretary out of a window of Prague Castle, an event known as the Defenestration
of Prague. All three men survived the fall, which Catholics called a miracle and Protestants blamed on
a pile of dung below the window. The Bohemian rebels chose a Protestant prince, Frederick the Fifth of
the Palatinate, as their king. He reigned for only one winter, and so he is remembered as the Winter
King. In 1620 the imperial army crushed the Bohemians at the Battle of White Mountain, just outside
Prague. After that defeat the war spread across the Holy Roman Empire, drawing in Denmark, Sweden,
France and Spain. The emperor's most powerful commander was Albrecht von Wallenstein, a Bohemian
nobleman who raised huge private armies and paid them by taxing the lands they occupied. In 1629
Ferdinand issued the Edict of Restitution, ordering Protestants to return church lands they had taken
since 1552. That edict alarmed the Protestant powers, and in 1630 King Gustavus Adolphus of Sweden landed
on the Baltic coast of Pomerania. Gustavus had reformed his army with lighter cannon, smaller and more
flexible units, and soldiers who fired in rapid volleys. In 1631 he won a great victory over the
imperial general Tilly at Breitenfeld, near Leipzig. Earlier that year imperial troops had sacked the
Protestant city of Magdeburg, and perhaps 20,000 of its inhabitants died in the massacre and fire. The
Swedish king was killed in the fog at the Battle of Lutzen in 1632, although his army won the day. Two
years later Ferdinand, who distrusted Wallenstein's ambitions, had him murdered at Eger. Catholic
France then entered the war openly against the Catholic Habsburgs in 1635, a choice made by Cardinal
Richelieu. Richelieu cared more about the balance of power than about religion, and he had already
paid the Swedes to fight. The war was fought largely by mercenaries, who lived off the land and
plundered the villages they passed. Together with famine and plague, the fighting killed perhaps a
third of the population in some German regions. Peace negotiations began in 1644 in two towns of
Westphalia, with Catholic envoys meeting in Munster and Protestant envoys in Osnabruck. The treaties
signed there in 1648 are known together as the Peace of Westphalia. They confirmed the rule of 1555
that each prince could choose the religion of his own territory, and they added Calvinism to the
recognized faiths. The Dutch Republic and the Swiss Confederation were formally recognized as
independent of the empire. Sweden gained lands on the Baltic coast, and France gained much of Alsace.
Historians often say that Westphalia began the modern system of sovereign states, each equal in law
and free from outside interference in its own affairs. Others argue that this is a myth invented much
later, since the empire survived and continued to meddle in the affairs of its princes. Either way,
the war left Germany divided and poor for generations, while France emerged as the leading power of
Europe.
"""},
    "reformation": {"title": "The Protestant Reformation", "text": """
Our subject today is the Reformation, the religious upheaval that split the Western church in the
sixteenth century. Its traditional starting point is the thirty first of October 1517, when Martin
Luther, a monk and professor at the university of Wittenberg, published his Ninety-five Theses. Luther
was angry about the sale of indulgences, certificates that promised to shorten the time a soul spent
in purgatory. The friar Johann Tetzel was selling them in nearby towns to raise money for rebuilding
Saint Peter's Basilica in Rome. According to a popular rhyme, as soon as the coin in the coffer rings,
the soul from purgatory springs. Luther argued that people are saved by faith alone, through the grace
of God, and not by good works or payments. The printing press carried his pamphlets across Germany
within weeks, and Luther became the best selling author of his age. In 1520 Pope Leo the Tenth threatened
him with excommunication, and Luther burned the papal bull in public. The next year he was summoned
before the young emperor Charles the Fifth at the Diet of Worms, where he refused to take back his
writings. Declared an outlaw, he was hidden by his protector, Frederick the Wise of Saxony, in the
Wartburg castle. There he translated the New Testament into German in about eleven weeks. Reform soon
took other forms. In Zurich the priest Huldrych Zwingli went further than Luther, stripping churches of
images and teaching that the bread of communion was only a symbol. Zwingli was killed in battle
against the Catholic cantons in 1531. A generation later, the French lawyer John Calvin made Geneva the
center of a stricter reform. Calvin taught predestination, the idea that God has already chosen who
will be saved. His Institutes of the Christian Religion, first published in 1536, became the
handbook of Reformed churches from Scotland to Hungary. In England the break with Rome began with a
marriage rather than a doctrine. When the pope refused to annul Henry the Eighth's marriage to
Catherine of Aragon, Parliament passed the Act of Supremacy in 1534, making the king the head of the
Church of England. The Catholic Church answered with a reform of its own, often called the Counter
Reformation. In 1540 the pope approved the Society of Jesus, founded by the Basque soldier Ignatius of
Loyola, whose Jesuits became famous as teachers and missionaries. The Council of Trent, which met on and
off between 1545 and 1563, defined Catholic doctrine and ordered better training for priests. In the
empire, years of conflict ended with the Peace of Augsburg in 1555. It allowed each prince to choose
between the Lutheran and the Catholic faith for his lands, a rule later summed up in Latin as cuius
regio, eius religio. Calvinists were left out of that settlement, which stored up trouble for the
following century. In France the wars of religion reached their worst moment in the Saint
Bartholomew's Day massacre of 1572, when thousands of Protestants, known as Huguenots, were killed in
Paris and other cities. Henry of Navarre ended those wars, converting to Catholicism and granting the
Huguenots toleration in the Edict of Nantes in 1598. By then Europe was permanently divided, with a
mostly Protestant north and a mostly Catholic south.
"""},
    "scientific-revolution": {"title": "The Scientific Revolution", "text": """
In this lecture we follow the Scientific Revolution, the period between the middle of the sixteenth
and the end of the seventeenth century when Europeans rebuilt their picture of nature. A convenient
starting year is 1543. In that year the Polish astronomer Nicolaus Copernicus published On the
Revolutions of the Heavenly Spheres, which placed the sun, not the Earth, at the center of the
planetary system. Copernicus is said to have received a printed copy on the day he died. In the same
year the Flemish anatomist Andreas Vesalius published On the Fabric of the Human Body, based on his own
dissections in Padua, correcting many errors handed down from the Roman physician Galen. The Danish
nobleman Tycho Brahe built an observatory called Uraniborg on the island of Hven, where, without a
telescope, he measured the positions of the planets more accurately than anyone before him. Tycho had
lost part of his nose in a duel as a student and wore a metal replacement. After Tycho's death in 1601,
his assistant Johannes Kepler used those measurements to show that Mars moves in an ellipse, not a
circle. Kepler's three laws of planetary motion described how fast planets move and how their periods
depend on their distance from the sun. In Italy, Galileo Galilei heard of a Dutch spyglass and built his
own telescope. In 1610 he announced in a short book, the Starry Messenger, that the moon has mountains
and that four moons circle Jupiter. He also saw the phases of Venus, which made sense only if Venus
circled the sun. Galileo's support for Copernicus brought him before the Roman Inquisition. In 1633 he
was forced to recant and spent the rest of his life under house arrest near Florence. Meanwhile new
ideas about method spread. The English statesman Francis Bacon urged scholars to gather facts by
careful experiment rather than trust ancient authorities. The French philosopher Rene Descartes
imagined the universe as a machine of matter in motion and invented coordinate geometry. In England
William Harvey showed in 1628 that the heart pumps blood around the body in a circuit. The
Anglo-Irish chemist Robert Boyle, working with an air pump built by Robert Hooke, found that the volume of
a gas shrinks as its pressure rises. In 1660 a group of natural philosophers in London founded the
Royal Society, whose motto means take nobody's word for it. Hooke's book Micrographia of 1665 showed
drawings made through a microscope and gave us the word cell. In Delft, the Dutch cloth merchant
Antonie van Leeuwenhoek ground tiny lenses and became the first person to see bacteria, which he called
animalcules. The revolution reached its peak with Isaac Newton. His Mathematical Principles of Natural
Philosophy, usually called the Principia, appeared in 1687, paid for by his friend Edmond Halley. In it
Newton set out three laws of motion and a law of universal gravitation. The same force that makes an
apple fall, he argued, keeps the moon in its orbit and the planets around the sun. Newton and the German
philosopher Gottfried Leibniz each invented calculus, and their followers quarreled bitterly over who
came first. By 1700, educated Europeans increasingly expected nature to follow mathematical laws that
anyone could test.
"""},
    "mitochondria": {"title": "Mitochondria, the powerhouses of the cell", "text": """
Welcome to the first of our lectures on the cell, and today we look inside its power stations, the
mitochondria. A mitochondrion is a small compartment, typically one or two micrometers long, found in
almost every cell of plants, animals and fungi. A liver cell may contain more than a thousand of them,
while mature red blood cells in mammals have none at all. Each mitochondrion has two membranes. The
outer membrane is smooth, but the inner membrane is folded into shelves called cristae, which greatly
increase its surface area. The space enclosed by the inner membrane is called the matrix. The job of
mitochondria is to turn the energy in food into a molecule called adenosine triphosphate, or ATP,
which the cell spends to power almost everything it does. The process begins in the cytoplasm with
glycolysis, which splits glucose into two molecules of pyruvate. The pyruvate enters the matrix and
feeds the citric acid cycle, which the German biochemist Hans Krebs worked out in 1937 and which is
often named the Krebs cycle after him. The cycle strips electrons from its fuel and loads them onto
carrier molecules such as NADH. Those electrons are then passed along a chain of protein complexes in
the inner membrane, and at the end of the chain they are handed to oxygen, forming water. That is why
we need to breathe, and why cyanide is so deadly, since it blocks the last complex of the chain. As the
electrons move, the complexes pump protons out of the matrix, building up a difference in charge and
acidity across the membrane. In 1961 the British biochemist Peter Mitchell proposed that this proton
gradient, not a chemical intermediate, drives the making of ATP, an idea he called chemiosmosis. Many
colleagues rejected it at first, and Mitchell continued his research in a private laboratory in a
restored manor house in Cornwall. He was proved right and received the Nobel Prize in Chemistry in
1978. The protons flow back into the matrix through an enzyme called ATP synthase, which spins like a
tiny turbine as they pass. Altogether, one molecule of glucose can yield around thirty molecules of
ATP. Mitochondria also have their own DNA, a small circular chromosome of 16,569 base pairs in humans,
carrying just 37 genes. This is one of the strongest clues to their origin. In 1967 the American
biologist Lynn Margulis argued that mitochondria descend from free living bacteria that were
swallowed by an ancestral cell and never digested. This endosymbiotic theory was ridiculed at first,
and her paper was rejected by around fifteen journals, but genetic studies later showed that
mitochondria are closely related to a group of bacteria called alphaproteobacteria. Because sperm
contribute almost no mitochondria to the embryo, we inherit our mitochondrial DNA from our mothers.
By comparing mitochondrial DNA from people around the world, researchers traced all living humans back
to a woman who lived in Africa perhaps 150,000 years ago, nicknamed Mitochondrial Eve. Faults in
mitochondrial genes cause rare inherited diseases that often strike energy hungry tissues such as
muscle and brain. Mitochondria also help decide when a damaged cell should destroy itself, by
releasing a protein called cytochrome c, which triggers programmed cell death.
"""},
    "dna": {"title": "How DNA was discovered", "text": """
Today's lecture tells the story of how scientists discovered what genes are made of. It begins with
Gregor Mendel, an Augustinian friar in the city of Brno, in what is now the Czech Republic. Between
1856 and 1863 Mendel grew and crossed some 28,000 pea plants in the garden of his monastery. He found
that traits such as seed color and flower color were passed on as separate units, some dominant and
some recessive, in predictable ratios such as three to one. Mendel published his results in 1866, but
almost nobody read them, and his work was rediscovered only in 1900. Meanwhile, in 1869, the Swiss
physician Friedrich Miescher isolated a new substance from the nuclei of white blood cells, which he
collected from bandages covered in pus. He called it nuclein, and we now call it DNA. For decades most
biologists assumed that genes must be proteins, because proteins are built from twenty different
amino acids, while DNA seemed too simple, with only four bases. In 1928 the British bacteriologist
Frederick Griffith found that harmless pneumonia bacteria could become deadly when mixed with heat
killed deadly ones, as if something passed between them. He called this mysterious agent the
transforming principle. In 1944 Oswald Avery, Colin MacLeod and Maclyn McCarty at the Rockefeller
Institute in New York showed that the transforming principle was DNA, because enzymes that destroyed
DNA stopped the change while enzymes that destroyed protein did not. In 1952 Alfred Hershey and Martha
Chase confirmed the result with viruses that infect bacteria, labeling them with radioactive tags.
The Austrian chemist Erwin Chargaff had noticed a curious pattern: in the DNA of any species, the
amount of adenine equals the amount of thymine, and the amount of guanine equals the amount of
cytosine. At King's College London, Rosalind Franklin and her student Raymond Gosling took X-ray
pictures of DNA fibers, and one of them, known as Photo 51, showed a clear cross that pointed to a
helix. In 1953 James Watson and Francis Crick, working in Cambridge, used that data to build a model of
two strands wound around each other, with the bases paired inside like the rungs of a twisted ladder.
Adenine pairs with thymine and guanine pairs with cytosine, which explained Chargaff's rules at once.
Watson, Crick and Maurice Wilkins received the Nobel Prize in 1962, but Franklin had died of ovarian
cancer four years earlier, at the age of 37, and the prize is never awarded after death. The double
helix also suggested how DNA is copied, since each strand can serve as a template for a new partner.
In 1958 Matthew Meselson and Franklin Stahl grew bacteria on heavy nitrogen and showed that each new
double helix keeps one old strand and gains one new one. By 1966 researchers including Marshall
Nirenberg and Har Gobind Khorana had cracked the genetic code, showing that each group of three bases,
called a codon, stands for one amino acid. The human genome contains about three billion base pairs,
and the first draft of its full sequence was announced in 2001. Yet only around two percent of it codes
for proteins, and much of the rest is still being explored.
"""},
    "immunity": {"title": "How the immune system learns", "text": """
In this lecture we ask how the body defends itself, and how scientists learned to train that defense.
The story of vaccination begins in rural England. In 1796 the country doctor Edward Jenner took
material from a cowpox sore on the hand of a milkmaid, Sarah Nelmes, and scratched it into the arm of
an eight year old boy named James Phipps. Weeks later Jenner exposed the boy to smallpox, and he did not
fall ill. The word vaccine comes from the Latin word vacca, meaning cow. Nearly a century later the
French chemist Louis Pasteur made weakened versions of the germs of chicken cholera and anthrax, and
in 1885 he saved a boy bitten by a rabid dog with an experimental rabies vaccine. Scientists soon
divided the immune system into two branches. The innate branch responds within minutes or hours and
attacks anything that looks foreign, without learning. Its cells were first described by the Russian
zoologist Elie Metchnikoff, who in 1882 pushed rose thorns into starfish larvae and watched mobile cells
gather around the splinters. He called them phagocytes, meaning eating cells. Neutrophils and
macrophages are phagocytes that swallow bacteria and digest them. The adaptive branch is slower at
first, taking days to respond, but it learns and remembers. It depends on white blood cells called
lymphocytes, which come in two main kinds. B cells mature in the bone marrow and make antibodies,
Y shaped proteins that stick to a particular target and mark it for destruction. The German physician
Paul Ehrlich imagined antibodies as magic bullets that seek out one target and nothing else. T cells
mature in the thymus, a small organ behind the breastbone, whose role was discovered only in 1961 by
Jacques Miller. Helper T cells coordinate the response, while killer T cells destroy infected cells.
T cells recognize fragments of proteins displayed on the surface of other cells by molecules of the
major histocompatibility complex, the same molecules that make organ transplants difficult to match.
The Australian virologist Frank Macfarlane Burnet proposed the theory of clonal selection in 1957. Each
lymphocyte carries receptors for just one target, and when it meets that target it multiplies into a
large clone of identical cells. After an infection some of these cells survive for decades as memory
cells, which is why a second encounter produces a faster and stronger response. But how can the body
make receptors for millions of different targets with a limited number of genes? In 1976 the Japanese
scientist Susumu Tonegawa showed that developing B cells cut and shuffle segments of their antibody
genes, producing a different combination in each cell. He received the Nobel Prize in 1987. Sometimes
the system makes mistakes. In allergies it overreacts to harmless things such as pollen, and in
autoimmune diseases such as type 1 diabetes it attacks the body's own cells. Vaccination remains the
great success of immunology. In 1980 the World Health Organization declared that smallpox had been
eradicated, the first human disease ever wiped out. The newest vaccines, based on messenger RNA,
deliver instructions for a single viral protein, which our own cells build and show to the immune
system.
"""},
    "eocene": {"title": "The Eocene, a greenhouse world", "text": """
Today we travel back to the Eocene epoch, which lasted from about 56 to 34 million years ago. The name
was coined in 1833 by the Scottish geologist Charles Lyell, from Greek words meaning the dawn of the
new, because the first members of many modern groups of mammals appear in its rocks. The Eocene began
with a sudden burst of warming known as the Paleocene Eocene Thermal Maximum. Within a few thousand
years, enormous amounts of carbon entered the oceans and the atmosphere, possibly from volcanic
activity in the North Atlantic and from melting frozen methane on the seafloor. Global temperatures
rose by five to eight degrees Celsius, and the oceans became more acidic, dissolving the shells of
many tiny creatures on the seafloor. Scientists study this event closely because it is one of the best
ancient parallels to the warming caused by burning fossil fuels today. For millions of years after the
warming, the Eocene remained a greenhouse world with little or no permanent ice at the poles. Forests
of redwoods grew in the high Arctic, and on Ellesmere Island in northern Canada fossil hunters have
found the remains of alligator relatives, giant tortoises and flying lemurs. Palm trees grew in
southern England, and the London Clay contains the fossil fruits of mangroves. One of the most
remarkable fossil sites of the Eocene is the Messel pit near Darmstadt in Germany, an old oil shale
quarry that was once planned as a rubbish dump. About 47 million years ago it was a deep lake whose
still, oxygen poor bottom preserved animals in astonishing detail, sometimes with their fur, feathers
and last meals. In 2009 a nearly complete primate from Messel, nicknamed Ida and named Darwinius
masillae, was presented to the press as a missing link, a claim most experts rejected. The Eocene was
a time of experiments among mammals. The earliest horses, such as Eohippus, which is also called
Hyracotherium, were no bigger than a fox and browsed on soft leaves in the forest. Whales began
their return to the sea during this epoch. Pakicetus, a wolf sized animal from Pakistan, still walked on
land but had the ear bones of a whale. By the end of the Eocene, Basilosaurus swam in the oceans, a
serpent shaped whale up to 18 meters long with tiny back legs. Many skeletons of Basilosaurus lie in
the desert of Wadi Al Hitan, the Valley of the Whales, in Egypt. In the Arctic Ocean, about 49 million
years ago, a small floating fern called Azolla bloomed over huge areas for perhaps 800,000 years, and
its burial may have drawn down enough carbon dioxide to help cool the planet. Cooling was also helped by
the movements of continents. As Australia and South America pulled away from Antarctica, a cold current
began to circle the southern continent and isolate it from warm waters. The Eocene ended about 34
million years ago with a sharp drop in temperature and the first large ice sheets on Antarctica. In
Europe so many mammals died out and were replaced by immigrants from Asia that the Swiss naturalist
Hans Georg Stehlin called the event the Grande Coupure, the great break.
"""},
    "miocene": {"title": "The Miocene, the age of grasslands", "text": """
This lecture covers the Miocene epoch, which lasted from about 23 to 5.3 million years ago. It was a
time when the world began to look much more like it does today, with familiar continents, growing ice
on Antarctica and spreading grasslands. The early part of the epoch was warm. About 17 to 15 million
years ago, during the Miocene Climatic Optimum, temperatures were several degrees higher than today,
and huge outpourings of lava formed the Columbia River basalts in the northwestern United States. After
that the planet cooled, and the East Antarctic ice sheet grew to something like its present size. The
cooler, drier climate allowed grasses to spread across every continent. Late in the Miocene, grasses
using a more efficient form of photosynthesis, known as C4, expanded rapidly across the tropics. Grazing
animals adapted to this new food, which is tough and gritty because grass contains tiny particles of
silica. Horses evolved teeth with high crowns that could wear down slowly over a lifetime of chewing,
and their legs grew longer for running across open country. Three toed horses called Hipparion spread
from North America into Asia, Europe and Africa. The Miocene was also an age of apes. More kinds of apes
lived in Africa and Eurasia than at any time since. Proconsul, an early ape from Kenya about 20 million
years old, had no tail but still moved on all fours along branches. Later apes such as Dryopithecus
lived in the forests of Europe. In the oceans swam the largest predatory shark that ever lived, Otodus
megalodon, whose teeth can be longer than a human hand. Megalodon probably fed on whales, and it may
have reached lengths of around 15 meters. In South America, the rising Andes changed the course of
rivers. Before the mountains rose, much of the Amazon region drained north and west, and a vast wetland
called the Pebas system covered the western basin. About 10 million years ago, the uplift pushed the
drainage east, and the Amazon River began to flow into the Atlantic. The most dramatic event of the
Miocene happened at its very end, in the Mediterranean. Around 5.96 million years ago, movements of
the Earth's crust closed the connections between the Mediterranean and the Atlantic Ocean. Cut off from
the ocean, the sea largely evaporated, leaving salt layers more than a kilometer thick on its floor.
Geologists call this the Messinian salinity crisis, after the Italian city of Messina. The rivers that
flowed into the dry basin, such as the Nile and the Rhone, carved canyons far below present sea level.
The crisis ended about 5.33 million years ago, when the Atlantic broke through at what is now the Strait
of Gibraltar. In the Zanclean flood that followed, water may have poured in at up to a thousand times the
flow of the Amazon, refilling the basin in a few years at most. That flood marks the start of the next
epoch, the Pliocene. In North America, the Miocene also saw the first members of the dog family that
would later spread around the world, and rhinoceroses were common on the Great Plains. Near Orchard in
Nebraska, a volcanic ash fall buried a whole herd of rhinos around a watering hole about 12 million
years ago, a site now called Ashfall Fossil Beds.
"""},
    "extinction": {"title": "The end of the dinosaurs", "text": """
In this lecture we examine the mass extinction that ended the age of dinosaurs about 66 million years
ago, at the boundary between the Cretaceous and the Paleogene periods. Geologists call it the K Pg
boundary, using K for Cretaceous after the German word Kreide, meaning chalk. Around three quarters of
all plant and animal species disappeared, including every dinosaur except the birds, the great marine
reptiles such as mosasaurs, the flying pterosaurs and the coiled ammonites. For more than a century the
cause was a mystery. In 1980 a team from the University of California at Berkeley led by the physicist
Luis Alvarez and his son Walter, a geologist, proposed an answer. Walter had been studying a thin layer
of clay at the boundary near the town of Gubbio in Italy. The team found that the clay contained far more
iridium than normal rocks. Iridium is rare in the Earth's crust but much more common in asteroids, so
they argued that an asteroid about 10 kilometers across had struck the planet. The impact would have
thrown so much dust and soot into the sky that sunlight was blocked for months, halting photosynthesis
and collapsing food chains. Many geologists were skeptical, partly because nobody knew where the crater
was. In fact, geophysicists Glen Penfield and Antonio Camargo, working for the Mexican oil company
Pemex, had found a huge buried ring structure beneath the Yucatan Peninsula in 1978. Only in 1991 was it
confirmed as the impact site, and it was named Chicxulub after a village near its center. The crater
is about 180 kilometers wide, and half of it lies under the Gulf of Mexico. Around the Caribbean,
geologists found layers of glassy beads called tektites, formed from rock melted by the impact, and
grains of shocked quartz, which form only under enormous sudden pressure. There are also deposits left
by giant waves that swept the coasts of the gulf. In North Dakota, at a site called Tanis, researchers
have described fish with impact beads lodged in their gills, apparently killed within an hour of the
strike. Not everyone blames the asteroid alone. In the same period, huge volcanic eruptions in India
were building the Deccan Traps, layers of basalt lava more than two kilometers thick. These eruptions
released carbon dioxide and sulfur over hundreds of thousands of years, and some researchers think
they had already stressed life before the impact. Most scientists now see the asteroid as the main
killer, with the volcanoes perhaps adding to the damage. Some of the best fossil evidence for the last
dinosaurs comes from the Hell Creek Formation in Montana, where Tyrannosaurus and Triceratops are
found right up to the boundary. The survivors were mostly small animals that could shelter, burrow or
live on seeds and decaying matter. Mammals, which had lived in the shadow of the dinosaurs for more than
a hundred million years, then spread into the empty niches. Within about ten million years they had
produced the ancestors of horses, whales and primates that we met in the lecture on the Eocene. The
extinction reminds us that the history of life has been shaped by rare catastrophes as well as by
slow change.
"""},
}
