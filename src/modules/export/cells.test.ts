import { describe, expect, it } from 'vitest';
import { neutraliseFormula } from './cells.ts';

describe('neutraliseFormula', () => {
  it('prefixes text that a spreadsheet would run as a formula, and leaves numbers and other text alone', () => {
    for (const bad of ['=SUM(A1:A9)', '+1+1', '-2+3', '@cmd', '\t=1', '\r=1', '=HYPERLINK("http://evil.example","x")']) expect(neutraliseFormula(bad)).toBe(`'${bad}`);
    for (const ok of ['臺北市', '1,234', 'a=b', '', ' =x']) expect(neutraliseFormula(ok)).toBe(ok);
    expect(neutraliseFormula(-5)).toBe(-5);
    expect(neutraliseFormula(null)).toBeNull();
    expect(neutraliseFormula(true)).toBe(true);
  });
});
