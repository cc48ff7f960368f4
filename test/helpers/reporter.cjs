'use strict';
// CI counts tests by a plain closing line ("N passed, N failed"), not by mocha's
// own summary, so this reporter is spec plus that one line.
const Mocha = require('mocha');
const { EVENT_RUN_END, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class CountingSpec extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let skipped = 0;
    runner.on(EVENT_TEST_PENDING, () => { skipped += 1; });
    runner.once(EVENT_RUN_END, () => {
      const s = this.stats;
      const tail = skipped ? `, ${skipped} skipped` : '';
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed${tail}\n`);
    });
  }
}
module.exports = CountingSpec;
