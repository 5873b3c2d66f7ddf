// stress/dist-scan.mjs as a test: the built runtime never runs a string as code nor writes into the document stream.
import { describe, expect, it } from 'vitest';
import { FILES, SELF_TEST, scan, scanDist } from '../../stress/dist-scan.mjs';

describe('the built runtime', () => {
  it.each(SELF_TEST)('the scanner judges %s', (code, kind) => {
    expect(scan(code).map((f) => f.kind)).toEqual(kind ? [kind] : []);
  });

  const found = scanDist();
  it.each(FILES)('%s has no eval, new Function, string timer or document.write', (file) => {
    expect(found[file]).toEqual([]);
  });
});
