'use strict';
// CI counts tests by a plain closing line ("N passed, N failed"), not by mocha's
// own summary, so this reporter is spec plus that one line. A failing hook
// stops the tests under it without failing them one by one: they are counted
// as "not run", so a shrinking "passed" never goes unnoticed.
const Mocha = require('mocha');
const { EVENT_RUN_BEGIN, EVENT_RUN_END, EVENT_TEST_PENDING, EVENT_TEST_PASS, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class CountingSpec extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let total = 0;
    let skipped = 0;
    let passed = 0;
    let testsFailed = 0;
    let failures = 0;
    runner.once(EVENT_RUN_BEGIN, () => { total = runner.total; });
    runner.on(EVENT_TEST_PENDING, () => { skipped += 1; });
    runner.on(EVENT_TEST_PASS, () => { passed += 1; });
    runner.on(EVENT_TEST_FAIL, (test) => {
      failures += 1;
      if (test.type !== 'hook') testsFailed += 1;
    });
    runner.once(EVENT_RUN_END, () => {
      const notRun = Math.max(0, total - passed - testsFailed - skipped);
      const tail = `${skipped ? `, ${skipped} skipped` : ''}${notRun ? `, ${notRun} not run` : ''}`;
      process.stdout.write(`\n${passed} passed, ${failures} failed${tail}\n`);
    });
  }
}
module.exports = CountingSpec;
