'use strict';
/*
 * The Node loader's CORRAL_APP_FAULTS and CORRAL_APP_FAULT_SEED parsers against the fixture that
 * the WSGI loader's tests read too (src/test/shared/fault-grammar.json), so that the two
 * loaders' grammars cannot drift apart.
 *
 * Run:  node --test module-api/src/test/node/
 */

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const FIXTURE = path.resolve(__dirname, '..', 'shared', 'fault-grammar.json');
const FAULTS = path.resolve(__dirname, '..', '..', 'main', 'resources', 'dev', 'corral', 'loaders',
                            'corral-node', 'faults.js');

// The loader's module of the fault grammar: requiring it runs nothing.
const { parseFaults, parseFaultSeed } = require(FAULTS);
const GRAMMAR = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
const DEFAULT_LEAK = 10 * 1024 * 1024;

/** parseFaults' result in the fixture's terms. */
function parsed(spec) {
  const faults = parseFaults(spec);
  const rules = {};
  for (const [name, rule] of faults.rules) {
    rules[name] = name === 'leak' ? { p: rule.p, bytes: rule.size } : { p: rule.p };
    if (name !== 'leak') assert.equal(rule.size, DEFAULT_LEAK, name);
  }
  return { slowStartMs: faults.slowStartMs, rules };
}

describe('the fault grammar (src/test/shared/fault-grammar.json)', () => {
  test('the fixture covers every instruction, and both outcomes of each', () => {
    for (const word of ['slow-start@', 'hang:', 'crash:', 'garbage:', 'leak:']) {
      assert.ok(GRAMMAR.specs.some((c) => c.spec.includes(word) && c.parsed), word);
      assert.ok(GRAMMAR.specs.some((c) => c.spec.includes(word) && c.invalid !== undefined), word);
    }
    for (const key of ['effective', 'random', 'invalid']) {
      assert.ok(GRAMMAR.seeds.some((c) => c[key] !== undefined), key);
    }
  });

  test('every spec of the fixture', () => {
    for (const c of GRAMMAR.specs) {
      const what = JSON.stringify(c.spec);
      if (c.invalid !== undefined) {
        assert.throws(() => parseFaults(c.spec), (e) => e.message === c.invalid, what);
        continue;
      }
      const got = parsed(c.spec);
      assert.ok(Math.abs(got.slowStartMs - c.parsed.slowStartMs) <= 1e-9 + 1e-12 * c.parsed.slowStartMs,
        what + ': ' + got.slowStartMs);
      assert.deepEqual(Object.keys(got.rules).sort(), Object.keys(c.parsed.rules).sort(), what);
      for (const [name, rule] of Object.entries(c.parsed.rules)) {
        assert.deepEqual(got.rules[name], rule, what + ' ' + name);
      }
    }
  });

  test('every seed of the fixture', () => {
    for (const c of GRAMMAR.seeds) {
      const what = JSON.stringify(c);
      if (c.invalid !== undefined) {
        assert.throws(() => parseFaultSeed(c.seed, c.processNumber), (e) => e.message === c.invalid, what);
      } else if (c.random) {
        const seed = parseFaultSeed(c.seed, c.processNumber);
        assert.equal(typeof seed, 'bigint', what);
        assert.ok(BigInt(c.random.from) <= seed && seed < BigInt(c.random.below), what + ': ' + seed);
      } else {
        assert.equal(parseFaultSeed(c.seed, c.processNumber).toString(), c.effective, what);
      }
    }
  });
});
