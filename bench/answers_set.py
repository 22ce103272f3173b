"""The question set for bench/answers.py: six short lectures and the questions they answer.

Each answerable question names its lecture and the gold sentence(s) that answer it, by a phrase
that occurs in exactly one sentence of that lecture (answers.py checks this). The gold *times*
come from make_lecture's sidecar when the media is generated, not from this file.

kind:
  keyword     the question reuses the answer's distinctive words (keyword search should find it)
  paraphrase  the question avoids the answer's words (only meaning connects them)
  off_topic   nothing in the lectures answers it: the right answer is "not covered"
  near_miss   off topic, but close to a lecture's subject (history, science): a harder reject
"""
from __future__ import annotations

LECTURES: dict[str, dict] = {
    "water-cycle": {
        "title": "The water cycle",
        "text": " ".join([
            "Today we will follow a single drop of water around the planet.",
            "Heat from the sun turns liquid water in oceans and lakes into vapor, a process called evaporation.",
            "Plants also release water vapor through tiny pores in their leaves, which scientists call transpiration.",
            "As the warm, moist air rises, it cools, and the vapor condenses into tiny droplets that form clouds.",
            "When those droplets merge and grow too heavy to stay aloft, they fall as rain, snow or hail.",
            "This falling water is known as precipitation.",
            "Some of it soaks into the ground and refills underground stores called aquifers.",
            "The rest runs off the land into streams and rivers, which carry it back to the sea.",
            "Water can stay locked in a glacier for thousands of years before it melts.",
            "On average, a molecule spends only about nine days in the atmosphere.",
            "The whole cycle is driven by solar energy and pulled along by gravity.",
        ]),
    },
    "vaccines": {
        "title": "How vaccines work",
        "text": " ".join([
            "A vaccine teaches the immune system to recognize a germ without making you sick.",
            "Most vaccines contain a weakened or inactivated form of a virus, or just one of its proteins.",
            "Newer messenger RNA vaccines give your cells instructions to build that protein themselves.",
            "The protein acts as an antigen, a molecular signature the body learns to treat as foreign.",
            "White blood cells called B cells respond by producing antibodies that latch onto the antigen.",
            "T cells help coordinate the response and destroy infected cells.",
            "After the threat is gone, some of these cells remain as memory cells for years.",
            "If the real pathogen ever appears, the memory cells recognize it and launch a much faster defense.",
            "That is why a booster shot is sometimes needed, to refresh a memory that fades over time.",
            "When enough people in a community are immune, the disease struggles to spread, which is called herd immunity.",
            "This protects newborns and others who cannot be vaccinated themselves.",
        ]),
    },
    "supply-demand": {
        "title": "Supply and demand",
        "text": " ".join([
            "In a market, the price of a good is set by the interaction of supply and demand.",
            "Demand describes how much of a product buyers want at each possible price.",
            "As the price rises, people usually buy less, so the demand curve slopes downward.",
            "Supply describes how much sellers are willing to produce at each price.",
            "Higher prices make production more profitable, so the supply curve slopes upward.",
            "The point where the two curves cross is called the equilibrium price.",
            "If the price is set above equilibrium, unsold goods pile up as a surplus.",
            "If it is set below equilibrium, buyers cannot find enough, and a shortage appears.",
            "A sudden frost that destroys orange groves shifts supply to the left and pushes juice prices up.",
            "Goods like insulin have inelastic demand, because people need them whatever the cost.",
            "Luxury items tend to be elastic, and sales drop sharply when prices climb.",
        ]),
    },
    "french-revolution": {
        "title": "The French Revolution",
        "text": " ".join([
            "The French Revolution began in 1789, in a kingdom that was deeply in debt.",
            "Years of costly wars and poor harvests had left the treasury empty and bread expensive.",
            "King Louis the Sixteenth called the Estates General to approve new taxes.",
            "The Third Estate, representing the common people, broke away and declared itself the National Assembly.",
            "On the fourteenth of July, crowds in Paris stormed the Bastille, a royal fortress and prison.",
            "In August, the Assembly adopted the Declaration of the Rights of Man and of the Citizen.",
            "The monarchy was abolished in 1792, and the king was executed the following year.",
            "During the Reign of Terror, Robespierre's government sent thousands of suspected enemies to the guillotine.",
            "The chaos ended when a young general, Napoleon Bonaparte, seized power in 1799.",
            "The revolution spread ideas of liberty, equality and citizenship across Europe.",
        ]),
    },
    "neural-networks": {
        "title": "How neural networks learn",
        "text": " ".join([
            "A neural network is built from layers of simple units that each compute a weighted sum of their inputs.",
            "The weights start out random, so the network's first predictions are mostly wrong.",
            "A loss function measures how far each prediction is from the correct answer.",
            "Backpropagation works out how much every weight contributed to that error.",
            "Gradient descent then nudges each weight a small step in the direction that reduces the loss.",
            "The size of that step is set by the learning rate.",
            "If the learning rate is too large, training overshoots and becomes unstable.",
            "Repeating this over many batches of examples slowly improves the model.",
            "A network that memorizes its training data but fails on new examples is overfitting.",
            "Techniques such as dropout and early stopping help it generalize.",
        ]),
    },
    "plate-tectonics": {
        "title": "Plate tectonics",
        "text": " ".join([
            "The Earth's outer shell is broken into large rigid pieces called tectonic plates.",
            "These plates float on the hot, slowly flowing rock of the mantle beneath them.",
            "They move only a few centimeters a year, about as fast as your fingernails grow.",
            "Where two plates pull apart, magma rises to fill the gap and creates new ocean floor.",
            "This is happening today along the Mid-Atlantic Ridge.",
            "Where an ocean plate collides with a continent, the denser ocean plate sinks beneath it in a subduction zone.",
            "Subduction zones produce deep trenches and chains of volcanoes.",
            "When two continents collide, neither sinks, and the crust crumples into mountains like the Himalayas.",
            "Plates that grind past each other, such as along the San Andreas Fault, cause earthquakes.",
            "Over hundreds of millions of years, this motion has assembled and broken apart supercontinents such as Pangaea.",
        ]),
    },
}

# (question, kind, lecture, gold phrases); off-topic questions have lecture None and no gold.
QUESTIONS: list[tuple[str, str, str | None, tuple[str, ...]]] = [
    # The water cycle
    ("How does water get from the ocean up into the sky?", "paraphrase", "water-cycle", ("process called evaporation",)),
    ("What is transpiration?", "keyword", "water-cycle", ("call transpiration",)),
    ("Why do clouds appear when air goes higher?", "paraphrase", "water-cycle", ("droplets that form clouds",)),
    ("What are aquifers?", "keyword", "water-cycle", ("called aquifers",)),
    ("How long does moisture usually remain in the air before coming down?", "paraphrase", "water-cycle",
     ("nine days in the atmosphere",)),
    ("What powers the water cycle?", "keyword", "water-cycle", ("driven by solar energy",)),
    ("How long can ice keep water out of circulation?", "paraphrase", "water-cycle", ("locked in a glacier",)),
    # How vaccines work
    ("What is inside a typical shot that protects against disease?", "paraphrase", "vaccines",
     ("weakened or inactivated",)),
    ("What do messenger RNA vaccines do?", "keyword", "vaccines", ("messenger RNA vaccines",)),
    ("Which cells make antibodies?", "keyword", "vaccines", ("producing antibodies",)),
    ("Why is a booster shot needed?", "keyword", "vaccines", ("booster shot",)),
    ("Why does the body fight off the same germ more quickly the second time?", "paraphrase", "vaccines",
     ("much faster defense", "remain as memory cells")),
    ("How does immunizing most of a town shield babies?", "paraphrase", "vaccines",
     ("protects newborns", "herd immunity")),
    ("What is herd immunity?", "keyword", "vaccines", ("herd immunity",)),
    # Supply and demand
    ("Why does the demand curve slope downward?", "keyword", "supply-demand", ("demand curve slopes downward",)),
    ("What happens when a product is priced too high compared to the balance point?", "paraphrase",
     "supply-demand", ("pile up as a surplus",)),
    ("What causes a shortage?", "keyword", "supply-demand", ("a shortage appears",)),
    ("How would bad weather ruining a crop change what shoppers pay?", "paraphrase", "supply-demand",
     ("sudden frost",)),
    ("Why do people keep buying medicine even when it becomes very costly?", "paraphrase", "supply-demand",
     ("inelastic demand",)),
    ("What is the equilibrium price?", "keyword", "supply-demand", ("called the equilibrium price",)),
    # The French Revolution
    ("Why was France broke before the uprising?", "paraphrase", "french-revolution",
     ("treasury empty", "deeply in debt")),
    ("What happened at the Bastille?", "keyword", "french-revolution", ("stormed the Bastille",)),
    ("Who led the Reign of Terror?", "keyword", "french-revolution", ("Reign of Terror",)),
    ("Which document set out what freedoms every person is owed?", "paraphrase", "french-revolution",
     ("Declaration of the Rights of Man",)),
    ("When was the monarchy abolished?", "keyword", "french-revolution", ("monarchy was abolished",)),
    ("Who took control of the country when the turmoil was over?", "paraphrase", "french-revolution",
     ("seized power in 1799",)),
    # How neural networks learn
    ("What does the loss function measure?", "keyword", "neural-networks", ("loss function measures",)),
    ("How does a model figure out which parameters caused a mistake?", "paraphrase", "neural-networks",
     ("Backpropagation works out",)),
    ("What is the learning rate?", "keyword", "neural-networks", ("set by the learning rate",)),
    ("What goes wrong if the steps are too big?", "paraphrase", "neural-networks", ("overshoots",)),
    ("Why would a model do great on practice data but badly on unseen data?", "paraphrase", "neural-networks",
     ("is overfitting",)),
    ("How do dropout and early stopping help?", "keyword", "neural-networks", ("dropout and early stopping",)),
    # Plate tectonics
    ("How fast do tectonic plates move?", "keyword", "plate-tectonics", ("few centimeters a year",)),
    ("How is new seabed made?", "paraphrase", "plate-tectonics", ("creates new ocean floor",)),
    ("Why does one slab of the crust dive under another?", "paraphrase", "plate-tectonics",
     ("subduction zone.",)),
    ("How were the Himalayas formed?", "keyword", "plate-tectonics", ("Himalayas",)),
    ("What causes earthquakes along the San Andreas Fault?", "keyword", "plate-tectonics", ("San Andreas",)),
    ("What lies underneath the plates?", "paraphrase", "plate-tectonics", ("rock of the mantle",)),
    # Not covered
    ("Who won the football world cup in 2022?", "off_topic", None, ()),
    ("How do I bake sourdough bread at home?", "off_topic", None, ()),
    ("What is the capital of Australia?", "off_topic", None, ()),
    ("How do I fix a flat tire on my bicycle?", "off_topic", None, ()),
    ("Which programming language is best for building websites?", "off_topic", None, ()),
    ("How many calories are in a banana?", "off_topic", None, ()),
    ("Who painted the Mona Lisa?", "off_topic", None, ()),
    ("How do black holes form?", "near_miss", None, ()),
    ("What caused the American Civil War?", "near_miss", None, ()),
    ("How does photosynthesis turn sunlight into sugar?", "near_miss", None, ()),
]

OFF_TOPIC_KINDS = ("off_topic", "near_miss")
