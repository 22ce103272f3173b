"""Source text for the benchmark lecture: many distinct sentences over several topics.

Numbers are written as words and there are no abbreviations that a listener could write two
ways, so the word error rate measures hearing, not spelling conventions.

`lecture_sentences(seconds)` returns enough sentences for about that much espeak-ng speech: the
hand-written sections first (about fourteen minutes), then sentences composed from templates, each
one distinct, for longer lectures.
"""
from __future__ import annotations

import itertools
import random

# Each section is one short "lesson"; together they read like a survey course.
SECTIONS: list[list[str]] = [
    [
        "Good morning, and welcome to this survey of ideas from science, history and everyday life.",
        "We will move quickly from one field to another, so take notes on whatever surprises you.",
        "Our first topic is photosynthesis, the process that feeds almost every living thing on the planet.",
        "A plant takes in water through its roots and carbon dioxide through small pores in its leaves.",
        "Inside the leaf, the green pigment chlorophyll captures energy from red and blue light.",
        "That energy is used to split water, and the oxygen we breathe is released as a byproduct.",
        "The plant then stores the captured energy by building sugar from carbon dioxide.",
        "This second stage is called the Calvin cycle, and it takes place in the fluid around the membranes.",
        "When there is too little light, the whole process slows down, no matter how much water is available.",
        "Farmers in greenhouses sometimes add carbon dioxide to the air to make their crops grow faster.",
        "So the next time you walk through a forest, remember that every leaf is a small solar factory.",
    ],
    [
        "Let us turn now to heat, and to the science called thermodynamics.",
        "The first law says that energy is never created or destroyed, it only changes form.",
        "When you rub your hands together, the work of your muscles becomes warmth in your skin.",
        "The second law is stranger, because it tells us which way things are allowed to happen.",
        "Heat flows by itself from a hot cup of coffee into the cooler room, and never the other way.",
        "Physicists describe this with a quantity called entropy, which measures how spread out energy is.",
        "A refrigerator can move heat from cold to hot, but only because we pay for it with electricity.",
        "Steam engines taught engineers these rules long before anyone understood atoms.",
        "No engine can turn all of its heat into work, and that limit depends only on temperatures.",
        "This is why power stations release so much warm water into nearby rivers.",
    ],
    [
        "Our third lesson is about vectors and matrices, the basic language of linear algebra.",
        "A vector is simply a list of numbers, which you can picture as an arrow in space.",
        "You can add two vectors by placing them head to tail and drawing the arrow that joins them.",
        "A matrix is a table of numbers that transforms one vector into another.",
        "Some matrices rotate the plane, others stretch it, and some flatten it onto a line.",
        "When a matrix flattens space, information is lost, and the transformation cannot be undone.",
        "Special directions that a matrix only stretches, without turning, are called eigenvectors.",
        "Search engines once ranked web pages using the eigenvector of a very large matrix.",
        "Computer graphics cards multiply millions of small matrices every second to draw a scene.",
        "If you remember one thing, remember that a matrix is a machine that moves arrows.",
    ],
    [
        "Now we travel back in time to the invention of the printing press in Europe.",
        "Before printing, every book was copied by hand, which took months of careful work.",
        "Johannes Gutenberg combined movable metal letters with an oil based ink and a wooden press.",
        "Suddenly a workshop could produce hundreds of identical pages in a single day.",
        "Books became cheaper, and more people had a reason to learn how to read.",
        "Scholars in different cities could now compare exactly the same text, word for word.",
        "Printed pamphlets spread new religious and political ideas faster than rulers could control them.",
        "Historians still argue about how much the press caused change and how much it simply sped it up.",
        "It is a useful reminder that a technology rarely acts alone, it works through the people who use it.",
    ],
    [
        "Let us spend a few minutes on markets, and on the ideas of supply and demand.",
        "When the price of something rises, people usually want to buy less of it.",
        "At the same time, sellers are willing to offer more, because each sale earns them more money.",
        "The price where the amount wanted equals the amount offered is called the equilibrium.",
        "If a frost destroys half of the orange harvest, the supply falls and the price of juice goes up.",
        "Higher prices send a signal to growers elsewhere that it is worth planting more trees.",
        "Economists call this the invisible hand, a phrase borrowed from the philosopher Adam Smith.",
        "Markets are not perfect, however, and they can ignore costs that fall on other people, such as pollution.",
        "Governments often respond with taxes or rules that make the polluter pay for the harm.",
        "Whether those rules work well is one of the great debates of modern politics.",
    ],
    [
        "Our next subject is the network that carries this lecture to your screen.",
        "Every message on the internet is broken into small pieces called packets.",
        "Each packet carries an address, much like an envelope in the postal system.",
        "Routers pass the packets along, choosing a path that seems fast at that moment.",
        "Packets from the same message may travel by different roads and arrive out of order.",
        "The receiving computer puts them back in the right sequence and asks again for any that are missing.",
        "This design means the network keeps working even when some of its links are broken.",
        "Names like the address of a website are translated into numbers by a kind of global phone book.",
        "Encryption scrambles the packets so that anyone listening along the way sees only noise.",
        "It is remarkable that such a simple idea scaled from a few universities to billions of devices.",
    ],
    [
        "Now let us look beneath our feet at the slow movement of the continents.",
        "The outer shell of the earth is broken into large plates that float on hotter rock below.",
        "These plates move about as fast as your fingernails grow, a few centimeters every year.",
        "Where two plates pull apart, molten rock rises and forms new ocean floor.",
        "Where they collide, one plate may dive beneath the other, creating deep trenches and volcanoes.",
        "The Himalaya mountains are still rising because India keeps pushing north into Asia.",
        "Earthquakes happen when plates that are stuck together suddenly slip past each other.",
        "Geologists first suspected drifting continents because the coasts of Africa and South America fit like a puzzle.",
        "Matching fossils and rock layers on both sides of the ocean later confirmed the idea.",
        "So the map on your wall is really a single frame from a very long film.",
    ],
    [
        "Our body has its own defense force, and that is the immune system.",
        "The skin and the lining of the nose are the first walls that keep germs outside.",
        "When bacteria do get in, white blood cells rush to the site and swallow them.",
        "This early response causes the redness, heat and swelling that we call inflammation.",
        "A slower and more precise response follows, led by cells that recognize one particular invader.",
        "Some of these cells make antibodies, proteins that stick to the germ and mark it for destruction.",
        "After the infection is over, memory cells remain, ready to act quickly the next time.",
        "Vaccines work by showing the immune system a harmless preview of the real enemy.",
        "Sometimes the system makes a mistake and attacks the body itself, which leads to autoimmune disease.",
        "Allergies are another kind of mistake, a strong reaction against something that is actually harmless.",
    ],
    [
        "Let us now think about chance, and the mathematics of probability.",
        "If you toss a fair coin, heads and tails are equally likely on every single throw.",
        "A common error is to believe that after five heads in a row, tails is somehow due.",
        "The coin has no memory, so the next toss is still an even bet.",
        "Over many tosses, however, the share of heads gets closer and closer to one half.",
        "This pattern is called the law of large numbers, and casinos depend on it every night.",
        "Another surprise is the birthday problem, which concerns a room full of strangers.",
        "With only about two dozen people, it is more likely than not that two of them share a birthday.",
        "Our intuition fails because we forget how many different pairs of people there are.",
        "Doctors, judges and engineers all need to reason carefully about chance, or they make costly mistakes.",
    ],
    [
        "For a change of pace, let us talk about how poems are put together.",
        "A poem often has a regular beat, made of stressed and unstressed syllables.",
        "Shakespeare wrote many of his lines with five gentle beats, rising from soft to strong.",
        "Rhyme links the ends of lines and helps listeners remember the words.",
        "Before writing was common, storytellers used rhythm and repetition to recite very long tales.",
        "Modern poets frequently abandon rhyme, but they still pay close attention to sound.",
        "Reading a poem aloud, slowly, is the best way to hear what the writer intended.",
        "Notice where your voice wants to pause, and ask yourself why the line breaks there.",
        "A good poem rewards a second reading, and often a third.",
    ],
    [
        "Music offers another way to understand patterns, so let us consider harmony.",
        "When a string vibrates, it produces not just one pitch but a whole family of higher tones.",
        "Two notes sound pleasant together when many of those hidden tones line up.",
        "The octave is the simplest case, because the higher note vibrates exactly twice as fast.",
        "A major chord is built from three notes that blend in a bright and stable way.",
        "Minor chords change just one of those notes and sound darker or more thoughtful to most listeners.",
        "Composers create tension by stacking notes that clash, and then release it by resolving the clash.",
        "Different cultures divide the octave in different ways, so there is no single correct scale.",
        "Still, the physics of vibrating strings explains why some combinations appear almost everywhere.",
    ],
    [
        "Next, we follow a single drop of water around the planet.",
        "The sun warms the ocean, and some water evaporates into the air as invisible vapor.",
        "As the moist air rises, it cools, and the vapor condenses into tiny droplets that form clouds.",
        "When the droplets grow heavy enough, they fall as rain or snow.",
        "Some of that water runs off into rivers, and some soaks into the ground to feed wells and springs.",
        "Plants pull water from the soil and release it again through their leaves.",
        "A drop can spend a few days in the air, but thousands of years locked in a glacier.",
        "A warmer climate holds more vapor, which can make both droughts and floods more intense.",
        "Managing fresh water fairly between farms, cities and nature is one of the hardest problems we face.",
    ],
    [
        "Let us visit ancient Rome and ask how a small city came to rule a vast territory.",
        "Rome began as a cluster of villages on hills beside the river Tiber.",
        "Its early citizens threw out their king and created a republic governed by elected officials.",
        "The Roman army was disciplined, well supplied, and willing to learn from its enemies.",
        "Conquered peoples were often offered citizenship, which turned former rivals into partners.",
        "Straight paved roads connected distant provinces and let soldiers and traders move quickly.",
        "Aqueducts carried fresh water over valleys into crowded cities with public baths and fountains.",
        "Eventually civil wars weakened the republic, and power passed to a single emperor.",
        "The western half of the empire collapsed, yet its law and language shaped Europe for centuries.",
        "Many words in this very lecture come from Latin, the language of those Roman citizens.",
    ],
    [
        "Our final topic is the idea of an algorithm, a precise recipe for solving a problem.",
        "Imagine looking for a name in a phone book by reading every page from the beginning.",
        "A smarter method opens the book in the middle and throws away the half that cannot contain the name.",
        "Repeating that step finds any name among a million entries in about twenty looks.",
        "This trick is called binary search, and it only works when the list is already sorted.",
        "Sorting itself can be done in many ways, some of them far faster than others.",
        "Computer scientists compare methods by asking how the work grows as the input gets larger.",
        "A method that is fine for a hundred items may be hopeless for a billion.",
        "Good algorithms are often more important than fast hardware.",
        "That brings us to the end of our survey, and I hope it has made you curious to learn more.",
    ],
]

# Templates for longer lectures: every combination is a different sentence.
_TEMPLATES = [
    "Suppose a {person} in {place} wants to {goal}; the first step is to {step}.",
    "A {person} once asked me how to {goal}, and my answer was to {step}.",
    "In {place}, a careful {person} would {step} before trying to {goal}.",
    "If you hope to {goal}, it helps to {step}, as any {person} in {place} will tell you.",
]
_PEOPLE = ["student", "farmer", "engineer", "teacher", "nurse", "librarian", "gardener",
           "pilot", "baker", "carpenter", "musician", "chemist"]
_PLACES = ["a busy city", "a quiet village", "the mountains", "a coastal town", "the desert",
           "a river valley", "a cold northern country", "a large hospital", "an old university",
           "a small island"]
_GOALS = ["save energy at home", "understand a difficult book", "plan a long journey",
          "grow healthier vegetables", "repair a broken machine", "learn a new language",
          "explain an idea clearly", "measure the weather", "keep accurate records",
          "solve a puzzle quickly", "write a useful report"]
_STEPS = ["write down exactly what the problem is", "ask someone who has done it before",
          "break the task into smaller pieces", "collect a little evidence first",
          "draw a simple picture of the situation", "test the idea on a small example",
          "check each assumption one at a time", "set aside a quiet hour every morning",
          "compare two different methods side by side", "read the instructions twice"]


def _composed() -> list[str]:
    """Template sentences in a fixed shuffled order (thousands of distinct sentences)."""
    combos = list(itertools.product(range(len(_TEMPLATES)), _PEOPLE, _PLACES, _GOALS, _STEPS))
    random.Random(7).shuffle(combos)
    out = []
    for t, person, place, goal, step in combos:
        text = _TEMPLATES[t].format(person=person, place=place, goal=goal, step=step)
        out.append(text[0].upper() + text[1:])
    return out


def estimate_seconds(sentence: str, wpm: int = 160, gap: float = 0.35) -> float:
    """Rough spoken length with espeak-ng at `wpm` (it speaks a little faster than asked)."""
    return len(sentence.split()) * 60.0 / (wpm * 1.1) + gap


def lecture_sentences(seconds: float, wpm: int = 160, gap: float = 0.35) -> list[str]:
    """Enough distinct sentences for about `seconds` of speech (a small margin over)."""
    out: list[str] = []
    total = 1.0  # lead-in and tail
    pool = itertools.chain((s for section in SECTIONS for s in section), _composed())
    for sentence in pool:
        if total >= seconds * 1.03:
            break
        out.append(sentence)
        total += estimate_seconds(sentence, wpm, gap)
    return out
