import { config } from 'zod';

// zod compiles each object schema to generated code on its first parse, and
// decides whether it may when the schema is built, not when it is used. Our
// schemas are parsed a handful of times per process (a config, a feed's
// JSON), so the generated code never pays back its compile. Every module that
// builds a schema imports zod from here, so this runs before the first one is
// built (test/unit/zod.test.ts holds them to it). A re-export of the whole
// module, not of a namespace object, so the bundle keeps only what is used.
config({ jitless: true });

export * from 'zod';
