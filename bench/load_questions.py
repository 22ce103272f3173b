"""The questions bench/load.py's students ask: a class asks different things, so each student gets a
question of its own (topics of the two fixture lectures, phrased as students phrase them), unless
--same-questions asks the five of the old runs, where most answers come from the answer cache
once the first few are stored, and whether they are stored before the rest are asked decides the
run (answer p95 0.3 s in one run, 4 s in the next)."""
from __future__ import annotations

FIVE = ["What is compound interest?", "What is the interest rate?", "How does compound interest grow?",
        "What is photosynthesis?", "What do plants need for photosynthesis?"]

TOPICS = ["compound interest", "the principal", "the interest rate", "interest on past interest",
          "compounding frequency", "monthly compounding", "the rule of seventy two", "doubling my money",
          "eight percent interest", "saving money faster", "photosynthesis", "chlorophyll",
          "why leaves look green", "the light reactions", "thylakoid membranes", "splitting water",
          "where the oxygen comes from", "ATP", "the Calvin cycle", "the stroma"]
FORMS = ["What is {}?", "Can you explain {} again?", "How does {} work?", "What did the lecture say about {}?",
         "I didn't get {}, help?", "Where in the video is {} explained?", "Why does {} matter?",
         "Give me a quick summary of {}", "what was that part about {}", "Could you go over {} once more?"]


def distinct(n: int) -> list[str]:
    """n different questions (topics x phrasings, then numbered once those run out)."""
    made = [form.format(topic) for form in FORMS for topic in TOPICS]
    return [made[i] if i < len(made) else f"{made[i % len(made)]} ({i // len(made) + 1})" for i in range(n)]
