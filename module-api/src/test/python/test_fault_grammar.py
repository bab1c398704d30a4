"""The WSGI loader's CORRAL_APP_FAULTS and CORRAL_APP_FAULT_SEED parsers against the fixture
that the Node loader's tests read too (src/test/shared/fault-grammar.json), so that the two
loaders' grammars cannot drift apart.

Run:  cd module-api/src/test/python && python3 -m unittest -v
"""

import json
import math
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "shared", "fault-grammar.json")
LOADER = os.path.normpath(os.path.join(HERE, "..", "..", "main", "resources", "dev", "corral",
                                       "loaders", "corral-wsgi"))

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, LOADER)
try:
    from corral_wsgi.faults import DEFAULT_LEAK, parse_seed, parse_spec
finally:
    sys.path.remove(LOADER)

with open(FIXTURE, encoding="utf-8") as f:
    GRAMMAR = json.load(f)


def parsed(spec):
    """parse_spec's result in the fixture's terms."""
    slow_start, rules = parse_spec(spec)
    out = {}
    for name, (p, size) in rules.items():
        out[name] = {"p": p, "bytes": size} if name == "leak" else {"p": p}
        if name != "leak":
            assert size == DEFAULT_LEAK, (name, size)
    return slow_start * 1000.0, out


class FaultGrammarTest(unittest.TestCase):

    def test_the_fixture_covers_every_instruction_and_both_outcomes(self):
        specs = GRAMMAR["specs"]
        for word in ("slow-start@", "hang:", "crash:", "garbage:", "leak:"):
            self.assertTrue(any(word in c["spec"] and "parsed" in c for c in specs), word)
            self.assertTrue(any(word in c["spec"] and "invalid" in c for c in specs), word)
        for key in ("effective", "random", "invalid"):
            self.assertTrue(any(key in c for c in GRAMMAR["seeds"]), key)

    def test_every_spec_of_the_fixture(self):
        for case in GRAMMAR["specs"]:
            spec = case["spec"]
            with self.subTest(spec=spec):
                if "invalid" in case:
                    with self.assertRaises(ValueError) as raised:
                        parse_spec(spec)
                    self.assertEqual(case["invalid"], str(raised.exception))
                    continue
                slow_start_ms, rules = parsed(spec)
                expected = case["parsed"]
                self.assertTrue(math.isclose(expected["slowStartMs"], slow_start_ms,
                                             rel_tol=1e-12, abs_tol=1e-9),
                                (expected["slowStartMs"], slow_start_ms))
                self.assertEqual(sorted(expected["rules"]), sorted(rules))
                for name, rule in expected["rules"].items():
                    self.assertEqual(rule, rules[name], name)

    def test_every_seed_of_the_fixture(self):
        for case in GRAMMAR["seeds"]:
            seed_text, number = case["seed"], case["processNumber"]
            with self.subTest(seed=seed_text, processNumber=number):
                if "invalid" in case:
                    with self.assertRaises(ValueError) as raised:
                        parse_seed(seed_text, number)
                    self.assertEqual(case["invalid"], str(raised.exception))
                elif "random" in case:
                    seed = parse_seed(seed_text, number)
                    self.assertIs(int, type(seed))
                    self.assertTrue(int(case["random"]["from"]) <= seed < int(case["random"]["below"]),
                                    seed)
                else:
                    self.assertEqual(int(case["effective"]), parse_seed(seed_text, number))


if __name__ == "__main__":
    unittest.main()
