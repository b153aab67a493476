import { formatBytes } from './format';

describe('formatBytes', () => {
  it('names sizes the way storage limits are given (binary multiples)', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1,023 bytes');
    expect(formatBytes(1024)).toBe('1 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(2 * 1024 * 1024)).toBe('2 MB');
    expect(formatBytes(104857600)).toBe('100 MB');
    expect(formatBytes(15.94 * 1024 * 1024)).toBe('16 MB');
    expect(formatBytes(3 * 1024 ** 4)).toBe('3 TB');
  });
});
